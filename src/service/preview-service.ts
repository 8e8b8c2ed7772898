/**
 * Preview URLs (core/preview.ts): made, listed and revoked by callers who may see the VM, and
 * resolved from the token a request brings. Tokens are random, shown once, and kept only as
 * their SHA-256, by which they are looked up; every lookup reads the store, so a revocation
 * holds at once on every gateway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AetherError } from '../core/errors.js';
import { MAX_GUEST_PORT, MIN_GUEST_PORT } from '../core/guest-ports.js';
import { newId } from '../core/ids.js';
import {
  DEFAULT_PREVIEW_SECONDS,
  MAX_PREVIEW_SECONDS,
  PREVIEW_TOKEN_PATTERN,
  PREVIEW_TOKEN_PREFIX,
  type PreviewRecord,
  previewState,
} from '../core/preview.js';
import type { Access } from '../core/principal.js';
import type { VmRecord } from '../core/vm.js';
import type { ServiceDeps } from './service-context.js';
import { requireVm } from './visibility.js';

export interface CreatePreviewInput {
  port: number;
  /** Default DEFAULT_PREVIEW_SECONDS; at most MAX_PREVIEW_SECONDS. */
  expiresInSeconds?: number;
  /** The credential making it (an API key id, `jwt:<sub>`), for the record and the audit line. */
  createdBy: string | null;
}

/** A token's preview and its VM, as a request bringing the token may use them. */
export interface ResolvedPreview {
  preview: PreviewRecord;
  vm: VmRecord;
}

export function hashPreviewToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikePreviewToken(token: string): boolean {
  return token.startsWith(PREVIEW_TOKEN_PREFIX);
}

export class PreviewService {
  private readonly now: () => number;

  constructor(
    private readonly deps: Pick<ServiceDeps, 'store' | 'logger'>,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Returns the preview and its token, which is never available again. */
  async create(
    access: Access,
    vmIdOrName: string,
    input: CreatePreviewInput,
  ): Promise<{ preview: PreviewRecord; token: string; vm: VmRecord }> {
    checkPreviewPort(input.port);
    const seconds = input.expiresInSeconds ?? DEFAULT_PREVIEW_SECONDS;
    checkPreviewSeconds(seconds);
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    const token = `${PREVIEW_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const preview = await this.deps.store.insertPreview({
      id: newId(),
      vmId: vm.id,
      project: vm.project,
      port: input.port,
      tokenHash: hashPreviewToken(token),
      expiresAt: new Date(this.now() + seconds * 1000),
      createdBy: input.createdBy,
    });
    this.audit('created', vm, preview);
    return { preview, token, vm };
  }

  /** The VM's previews, newest first, revoked and expired ones included. */
  async list(access: Access, vmIdOrName: string): Promise<{ vm: VmRecord; previews: PreviewRecord[] }> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    return { vm, previews: await this.deps.store.listPreviews(vm.id, { limit: 1000 }) };
  }

  /** Revokes at once; revoking a revoked preview again is harmless. */
  async revoke(access: Access, vmIdOrName: string, previewId: string): Promise<PreviewRecord> {
    const vm = await requireVm(this.deps.store, access, vmIdOrName);
    const existing = await this.deps.store.getPreview(previewId);
    if (!existing || existing.vmId !== vm.id) {
      throw new AetherError('ERR_PREVIEW_NOT_FOUND', `no preview ${previewId} of VM ${vm.name}`);
    }
    const revoked = await this.deps.store.revokePreview(previewId);
    if (!revoked) throw new AetherError('ERR_PREVIEW_NOT_FOUND', `no preview ${previewId} of VM ${vm.name}`);
    this.audit('revoked', vm, revoked);
    return revoked;
  }

  /**
   * The preview a token opens: ERR_PREVIEW_NOT_FOUND for a malformed, unknown or revoked token
   * and for a VM that is gone (all alike, so a guess learns nothing), ERR_PREVIEW_EXPIRED for
   * one past its expiry. Whether the VM runs is the connection's business.
   */
  async resolve(token: string): Promise<ResolvedPreview> {
    const notFound = () =>
      new AetherError('ERR_PREVIEW_NOT_FOUND', 'no such preview URL (unknown or revoked)');
    if (!PREVIEW_TOKEN_PATTERN.test(token)) throw notFound();
    const preview = await this.deps.store.findPreviewByTokenHash(hashPreviewToken(token));
    if (!preview) throw notFound();
    const state = previewState(preview, new Date(this.now()));
    if (state === 'revoked') throw notFound();
    const vm = await this.deps.store.getVm(preview.vmId);
    if (!vm || vm.status === 'deleted') throw notFound();
    if (state === 'expired') {
      throw new AetherError(
        'ERR_PREVIEW_EXPIRED',
        `this preview URL expired at ${preview.expiresAt.toISOString()}`,
      );
    }
    return { preview, vm };
  }

  private audit(what: 'created' | 'revoked', vm: VmRecord, preview: PreviewRecord): void {
    this.deps.logger.info(
      {
        audit: 'preview',
        operation: what,
        project: vm.project,
        vmId: vm.id,
        previewId: preview.id,
        port: preview.port,
        createdBy: preview.createdBy,
        expiresAt: preview.expiresAt.toISOString(),
      },
      `preview ${preview.id} of VM ${vm.name} port ${preview.port} ${what}`,
    );
  }
}

function checkPreviewPort(port: number): void {
  if (!Number.isInteger(port) || port < MIN_GUEST_PORT || port > MAX_GUEST_PORT) {
    throw new AetherError(
      'ERR_VALIDATION',
      `port: use a whole number from ${MIN_GUEST_PORT} to ${MAX_GUEST_PORT}, not ${String(port)}`,
      { details: { field: 'port' } },
    );
  }
}

function checkPreviewSeconds(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PREVIEW_SECONDS) {
    throw new AetherError(
      'ERR_VALIDATION',
      `expires_in: use 1 second to ${MAX_PREVIEW_SECONDS / 86_400} days, not ${String(seconds)} s`,
      { details: { field: 'expires_in' } },
    );
  }
}
