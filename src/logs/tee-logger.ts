import type { Logger } from '../core/logger.js';
import { LOG_LEVEL_NUMBERS, type LogLevel, type LogSink } from '../core/logs.js';
import { recordFromLog } from './record.js';

/** The configured level; `silent` ships nothing. */
export type LogThreshold = LogLevel | 'silent';

/**
 * A logger that writes to `inner` (stderr) as before and also hands each line at or above
 * `threshold` to `sink`, with every binding of its children. The sink only buffers, so a log
 * call stays as cheap as it was; shipping happens in the sink's own time.
 */
export function teeLogger(
  inner: Logger,
  sink: LogSink,
  threshold: LogThreshold,
  bindings: Readonly<Record<string, unknown>> = {},
): Logger {
  const min = threshold === 'silent' ? Number.POSITIVE_INFINITY : LOG_LEVEL_NUMBERS[threshold];
  const ship = (level: LogLevel, obj: object, msg?: string) => {
    if (LOG_LEVEL_NUMBERS[level] < min) return;
    try {
      sink.write(recordFromLog(level, bindings, obj, msg));
    } catch {
      // Logging never fails its caller.
    }
  };
  return {
    debug(obj, msg) {
      inner.debug(obj, msg);
      ship('debug', obj, msg);
    },
    info(obj, msg) {
      inner.info(obj, msg);
      ship('info', obj, msg);
    },
    warn(obj, msg) {
      inner.warn(obj, msg);
      ship('warn', obj, msg);
    },
    error(obj, msg) {
      inner.error(obj, msg);
      ship('error', obj, msg);
    },
    child(more) {
      return teeLogger(inner.child(more), sink, threshold, { ...bindings, ...more });
    },
  };
}
