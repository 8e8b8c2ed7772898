import type { OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AetherError, isAetherError } from '../../core/errors.js';
import type { GatewayDeps, PortConnector } from '../context.js';

/** One request to an app inside a VM, as the proxy forwards it. */
export interface AppExchange {
  /**
   * Opens a connection to the app (through the port service), one per request; `signal`
   * aborts when the client leaves before it is open.
   */
  open(signal: AbortSignal): Promise<Duplex>;
  /** The path and query the app is asked for. */
  path: string;
  headers: OutgoingHttpHeaders;
  /** The app's port, for messages. */
  port: number;
  /**
   * The preview token the exchange came in with, if any: checked again while the exchange lasts,
   * so revoking the preview (or its expiry, or the VM's deletion) closes what it still carries.
   */
  previewToken?: string;
}

/** What the client is told when the connection to the app fails before an answer. */
export function appFailure(error: unknown, port: number): AetherError {
  if (isAetherError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new AetherError(
    'ERR_PORT_UNREACHABLE',
    `the app on port ${port} in the VM closed the connection without an answer (${reason})`,
    { cause: error },
  );
}

/** What each form of the proxy forwards with. */
export interface ProxyContext {
  deps: GatewayDeps;
  /** The port service, or ERR_UNSUPPORTED on a gateway without one. */
  ports(): PortConnector;
  /** Forwards as an upgrade or as plain HTTP, whichever the request is. */
  forward(request: FastifyRequest, reply: FastifyReply, exchange: AppExchange): Promise<FastifyReply>;
}
