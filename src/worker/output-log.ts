import { type LogSink, OUTPUT_LOG_SOURCE } from '../core/logs.js';
import type { OutputStream } from '../core/output.js';

/** Longest output line shipped as one log line; the rest of it is cut (the store keeps it all). */
const MAX_LINE_CHARS = 16 * 1024;

export interface OutputLogTarget {
  project: string;
  vmId: string;
  taskId: string;
  executionId: string;
  worker: string;
}

/**
 * Command output as log lines, one per line of output (a chunk's unfinished last line is a line
 * of its own: output is shipped as it comes, not held back for a newline). Level `info` for both
 * streams, which `fields.stream` tells apart: stderr is not an error level, programs log there.
 */
export function outputLogWriter(
  sink: LogSink | undefined,
  target: OutputLogTarget,
): (stream: OutputStream, data: Uint8Array) => void {
  if (!sink) return () => {};
  return (stream, data) => {
    if (data.byteLength === 0) return;
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    const time = new Date();
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const line of lines) {
      sink.write({
        time,
        level: 'info',
        service: 'worker',
        project: target.project,
        worker: target.worker,
        vmId: target.vmId,
        taskId: target.taskId,
        executionId: target.executionId,
        message: line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line.replace(/\r$/, ''),
        // The source marks the line as command output: it is kept and dropped apart from the platform's.
        fields: { stream, source: OUTPUT_LOG_SOURCE },
      });
    }
  };
}
