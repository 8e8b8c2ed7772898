/**
 * The WebSocket routes of the data plane: attaching to a terminal session, and a TCP connection
 * to a port inside a VM. Registered inside the scope that holds the websocket plugin
 * (routes/stream.ts). Everything that can fail — who the caller is, the VM, the session, a port
 * nobody listens on — fails in the preHandler, before the upgrade, as a plain HTTP error.
 */
import type { Duplex } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError } from '../../core/errors.js';
import { relayWebSocket } from '../../core/socket-relay.js';
import type { TerminalAttachment } from '../../core/terminal.js';
import { serveTerminalSocket } from '../../core/terminal-socket.js';
import { accessFor } from '../auth/authenticate.js';
import type { GatewayDeps } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { terminalServiceOf } from './terminals.js';

export function terminalSocketRoutes(deps: GatewayDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const attachments = new WeakMap<FastifyRequest, TerminalAttachment>();
    const tunnels = new WeakMap<FastifyRequest, Duplex>();
    const notWebSocket = () =>
      new AetherError('ERR_VALIDATION', 'this route speaks WebSocket only: send an upgrade request');

    app.route({
      method: 'GET',
      url: '/vms/:id/terminals/:terminal_id/attach',
      exposeHeadRoute: false,
      schema: routeSchema('attachTerminal'),
      preHandler: async (request) => {
        if (!isUpgrade(request)) throw notWebSocket();
        const { id, terminal_id } = request.params as { id: string; terminal_id: string };
        attachments.set(request, await terminalServiceOf(deps).attach(accessFor(request), id, terminal_id));
      },
      handler: async () => {
        throw notWebSocket();
      },
      wsHandler: (socket, request) => {
        void serveTerminalSocket(socket, attachments.get(request)!);
      },
    });

    app.route({
      method: 'GET',
      url: '/vms/:id/ports/:port/connect',
      exposeHeadRoute: false,
      schema: routeSchema('connectPort'),
      preHandler: async (request) => {
        if (!isUpgrade(request)) throw notWebSocket();
        if (!deps.ports) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no port connections');
        const { id, port } = request.params as { id: string; port: number };
        const aborted = new AbortController();
        request.raw.once('close', () =>
          aborted.abort(new AetherError('ERR_TRANSFER_ABORTED', 'client went away')),
        );
        const { stream } = await deps.ports.connect(accessFor(request), id, port, {
          signal: aborted.signal,
          via: 'port-forward',
        });
        tunnels.set(request, stream);
      },
      handler: async () => {
        throw notWebSocket();
      },
      wsHandler: (socket, request) => {
        relayWebSocket(socket, tunnels.get(request)!);
      },
    });
  };
}

function isUpgrade(request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket';
}
