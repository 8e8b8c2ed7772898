import type { Preview } from '../api/previews.js';
import { type PreviewRecord, previewState } from '../core/preview.js';

export function previewJson(preview: PreviewRecord, now: Date = new Date()): Preview {
  return {
    id: preview.id,
    vm_id: preview.vmId,
    port: preview.port,
    created_at: preview.createdAt.toISOString(),
    expires_at: preview.expiresAt.toISOString(),
    revoked_at: preview.revokedAt?.toISOString() ?? null,
    created_by: preview.createdBy,
    state: previewState(preview, now),
  };
}
