import type { LogLine as WireLogLine } from '../api/types.js';
import type { LogLine } from '../core/logs.js';

/** A log line as the API shows it (src/api/logs.ts). */
export function logLineJson(line: LogLine): WireLogLine {
  return {
    id: line.id,
    time: line.time.toISOString(),
    level: line.level,
    service: line.service,
    project: line.project,
    worker: line.worker,
    vm_id: line.vmId,
    task_id: line.taskId,
    execution_id: line.executionId,
    message: line.message,
    fields: line.fields,
  };
}
