import type { LogStreamMessage } from '../../api/types.js';
import { AetherError } from '../../core/errors.js';
import type { LogFilter, LogReader } from '../../core/logs.js';
import { tailLogs } from '../../service/logs/tail-logs.js';
import { logLineJson } from '../serialize-log.js';
import type { StreamSpec } from './run-stream.js';
import { errorClose, NORMAL_CLOSE } from './transport.js';

export interface LogStreamOptions {
  backlog: number;
  pollIntervalMs: number;
}

/**
 * A log tail as WebSocket or SSE messages: `line`s until the client leaves; an `error` ends it
 * (close code 4000 + the error's HTTP status).
 */
export function logStream(
  reader: LogReader,
  filter: LogFilter,
  options: LogStreamOptions,
): StreamSpec<LogStreamMessage> {
  return {
    name: 'log tail',
    async *messages(signal) {
      for await (const line of tailLogs(reader, filter, { ...options, signal })) {
        yield { type: 'line', line: logLineJson(line) };
      }
    },
    isFinal: (message) => message.type === 'error',
    failure: (error) => ({ type: 'error', ...error }) as LogStreamMessage,
    shutdown: () => new AetherError('ERR_SHUTTING_DOWN', 'the gateway is closing; reconnect').toWire(),
    closeAfter: (last) => (last?.type === 'error' ? errorClose(last.code) : NORMAL_CLOSE),
  };
}
