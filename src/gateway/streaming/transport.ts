import { ERROR_CODES, isErrorCode } from '../../core/errors.js';

/** How a connection closes: a WebSocket's close code and reason (the other wires just end). */
export interface StreamClose {
  code: number;
  reason: string;
}

/**
 * One client connection a stream writes to; one adapter per wire (WebSocket, SSE, NDJSON), each
 * writing a message as its wire says (a text frame, an event, a line) and keeping the connection
 * alive the same way (keep-alive.ts).
 */
export interface StreamTransport<M> {
  /** Resolves once the message is handed to the connection (backpressure); rejects if it is gone. */
  send(message: M): Promise<void>;
  /** Closes the connection. */
  end(close: StreamClose): void;
  /** Aborted when the client goes away. */
  readonly gone: AbortSignal;
}

export interface TransportOptions {
  /** Keep-alive interval; default KEEPALIVE_INTERVAL_MS. */
  keepAliveMs?: number;
}

/** A stream that ended as it should (or whose client left): close code 1000. */
export const NORMAL_CLOSE: StreamClose = { code: 1000, reason: 'end' };

/** A stream ended by an error: 4000 + the HTTP status of its code (4503: reconnect). */
export function errorClose(code: string): StreamClose {
  return { code: 4000 + (isErrorCode(code) ? ERROR_CODES[code].status : 500), reason: code };
}
