/**
 * Test support: what the fake Firecracker checks of a request before looking at its endpoint,
 * as micro_http and Firecracker's API server do: no chunked bodies, a payload of at most
 * 51 200 bytes, no body on a GET, a body (with its Content-Length) on a PUT or PATCH, valid JSON.
 */
import type { IncomingMessage } from 'node:http';

const MAX_PAYLOAD_BYTES = 51_200;

/** A refusal: the status and the `fault_message` Firecracker would answer with. */
export class Fault extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function serdeFault(problem: string): Fault {
  return new Fault(`An error occurred when deserializing the json body of a request: ${problem}.`);
}

/** The request's parsed body (undefined for a GET), or a Fault. */
export function parseRequestBody(req: IncomingMessage, method: string, raw: Buffer): unknown {
  if (req.headers['transfer-encoding'] !== undefined) {
    throw new Fault('Invalid header. Reason: Transfer-Encoding is not supported (no chunked bodies)');
  }
  if (raw.length > MAX_PAYLOAD_BYTES) {
    throw new Fault(
      `Request payload with size ${raw.length} is larger than the limit of ${MAX_PAYLOAD_BYTES} allowed by server.`,
      413,
    );
  }
  if (method === 'GET') {
    if (raw.length > 0) throw new Fault('GET request cannot have a body.');
    return undefined;
  }
  if (raw.length === 0) throw new Fault(`Empty ${method} request.`);
  if (req.headers['content-length'] === undefined) {
    throw new Fault('Invalid header. Reason: Content-Length is missing');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw serdeFault((error as Error).message);
  }
}
