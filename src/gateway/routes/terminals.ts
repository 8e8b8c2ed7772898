/**
 * Terminal sessions in a VM: thin routes over the terminal service, which asks the worker that
 * owns the VM (it holds the sessions). Attaching is a WebSocket, in routes/terminal-sockets.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import type { TerminalInfo } from '../../core/terminal.js';
import type { TerminalService } from '../../service/terminal-service.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeOptions } from '../route-schema.js';

export function terminalRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  const terminals = () => terminalServiceOf(deps);
  return async (app) => {
    app.post('/vms/:id/terminals', routeOptions('openTerminal'), async (request, reply) => {
      const { command, ...rest } = request.body;
      const info = await terminals().open(accessFor(request), request.params.id, {
        ...rest,
        ...(command ? { argv: command } : {}),
      });
      return reply.code(201).send(terminalJson(info));
    });

    app.get('/vms/:id/terminals', routeOptions('listTerminals'), async (request) => ({
      terminals: (await terminals().list(accessFor(request), request.params.id)).map(terminalJson),
    }));

    app.get('/vms/:id/terminals/:terminal_id', routeOptions('getTerminal'), async (request) =>
      terminalJson(await terminals().get(accessFor(request), request.params.id, request.params.terminal_id)),
    );

    app.post('/vms/:id/terminals/:terminal_id/resize', routeOptions('resizeTerminal'), async (request) => {
      await terminals().resize(
        accessFor(request),
        request.params.id,
        request.params.terminal_id,
        request.body,
      );
      return { ok: true as const };
    });

    app.delete('/vms/:id/terminals/:terminal_id', routeOptions('closeTerminal'), async (request) => {
      await terminals().close(accessFor(request), request.params.id, request.params.terminal_id);
      return { ok: true as const };
    });
  };
}

export function terminalServiceOf(deps: GatewayDeps): TerminalService {
  if (!deps.terminals) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no terminals');
  return deps.terminals;
}

export function terminalJson(info: TerminalInfo) {
  return {
    id: info.id,
    vm_id: info.vmId,
    command: info.argv,
    cols: info.cols,
    rows: info.rows,
    created_at: info.createdAt.toISOString(),
    clients: info.clients,
    detached_at: info.detachedAt?.toISOString() ?? null,
    status: info.exit ? ('exited' as const) : ('running' as const),
    exit_code: info.exit?.code ?? null,
    signal: info.exit?.signal ?? null,
  };
}
