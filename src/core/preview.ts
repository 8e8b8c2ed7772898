/**
 * Preview URLs: a link that reaches a web app listening on a port inside a VM (through the
 * gateway's proxy and the guest agent), for anyone who holds it, until it expires or is revoked.
 * The link's token is the credential: it is shown once, when the preview is made, and only its
 * SHA-256 is kept, so a preview is found by the hash of the token a request brings.
 */

/** Tokens look like `aep_<43 characters of base64url>` (32 random bytes). */
export const PREVIEW_TOKEN_PREFIX = 'aep_';
export const PREVIEW_TOKEN_PATTERN = /^aep_[A-Za-z0-9_-]{43}$/;

/** How long a preview lasts when its creator does not say. */
export const DEFAULT_PREVIEW_SECONDS = 3600;
/** The longest a preview may last. */
export const MAX_PREVIEW_SECONDS = 7 * 86_400;

export interface PreviewRecord {
  id: string;
  vmId: string;
  /** The VM's project (whoever made the preview). */
  project: string;
  port: number;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The credential that made it: an API key id, `jwt:<sub>`; null when unknown. */
  createdBy: string | null;
}

export interface NewPreview {
  id: string;
  vmId: string;
  project: string;
  port: number;
  /** SHA-256 of the token, hex. */
  tokenHash: string;
  expiresAt: Date;
  createdBy: string | null;
}

export type PreviewState = 'active' | 'expired' | 'revoked';

export function previewState(preview: PreviewRecord, now: Date = new Date()): PreviewState {
  if (preview.revokedAt) return 'revoked';
  return preview.expiresAt.getTime() > now.getTime() ? 'active' : 'expired';
}

/**
 * The previews' part of the Store. Rules every implementation keeps:
 * - Token hashes are unique; a preview is looked up by the hash, never by the token.
 * - Revoking sets `revokedAt` once; revoking again keeps the first time.
 * - A VM's previews go with its row (a deleted VM's status already makes them unusable).
 */
export interface PreviewStore {
  insertPreview(preview: NewPreview): Promise<PreviewRecord>;
  getPreview(id: string): Promise<PreviewRecord | null>;
  findPreviewByTokenHash(tokenHash: string): Promise<PreviewRecord | null>;
  /** Newest first, revoked and expired ones included, at most `limit` (default 100). */
  listPreviews(vmId: string, options?: { limit?: number }): Promise<PreviewRecord[]>;
  /** Null for an unknown id. */
  revokePreview(id: string): Promise<PreviewRecord | null>;
}
