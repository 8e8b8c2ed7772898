import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parseDurationSeconds } from '../../core/duration.js';
import { accessFor, principalOf } from '../auth/authenticate.js';
import type { GatewayDeps, GatewaySettings } from '../context.js';
import { previewUrl } from '../proxy/preview-addresses.js';
import { routeOptions } from '../route-schema.js';
import { previewJson } from '../serialize-preview.js';

/**
 * Preview URLs of a VM's ports (docs/ports.md): made, listed and revoked by whoever may see the
 * VM. The token, and the URL holding it, are in the create answer only.
 */
export function previewRoutes(deps: GatewayDeps, settings: GatewaySettings): FastifyPluginAsyncZod {
  const { previews } = deps.services;
  return async (app) => {
    app.post('/vms/:id/previews', routeOptions('createPreview'), async (request, reply) => {
      const { port, expires_in } = request.body;
      const { preview, token } = await previews.create(accessFor(request), request.params.id, {
        port,
        ...(expires_in !== undefined
          ? {
              expiresInSeconds:
                typeof expires_in === 'number' ? expires_in : parseDurationSeconds(expires_in, 'expires_in'),
            }
          : {}),
        createdBy: principalOf(request).id,
      });
      return reply.code(201).send({
        id: preview.id,
        vm_id: preview.vmId,
        port: preview.port,
        url: previewUrl(settings.previews ?? {}, request.raw, {
          token,
          port: preview.port,
          vmId: preview.vmId,
        }),
        token,
        created_at: preview.createdAt.toISOString(),
        expires_at: preview.expiresAt.toISOString(),
      });
    });

    app.get('/vms/:id/previews', routeOptions('listPreviews'), async (request) => {
      const { previews: listed } = await previews.list(accessFor(request), request.params.id);
      const now = new Date();
      return { previews: listed.map((preview) => previewJson(preview, now)) };
    });

    app.delete('/vms/:id/previews/:preview_id', routeOptions('revokePreview'), async (request) => {
      await previews.revoke(accessFor(request), request.params.id, request.params.preview_id);
      return { ok: true as const };
    });
  };
}
