import type { LogLine as WireLogLine } from '../api/types.js';
import { AetherError, isAetherError } from '../core/errors.js';
import { isUuid } from '../core/ids.js';
import type { LogFilter, LogLevel, LogLine, LogReader } from '../core/logs.js';
import type { Access } from '../core/principal.js';
import type { GatewayDeps } from './context.js';

/** The filter fields both log routes take, as validated. */
export interface LogFilterFields {
  vm_id?: string | undefined;
  task_id?: string | undefined;
  execution_id?: string | undefined;
  level?: LogLevel | undefined;
  text?: string | undefined;
}

/** The reader, or ERR_UNSUPPORTED on a gateway built without one. */
export function logReaderOf(deps: GatewayDeps): LogReader {
  if (!deps.logs) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no log backend');
  return deps.logs;
}

/**
 * The store/Loki filter for a caller: tenancy first (a caller's own project only; admins every
 * project and the platform's own lines), then the fields. A VM given by name is resolved within
 * what the caller sees (an unknown or invisible one is a 404); an id of a VM that no longer
 * exists still filters, since its lines outlive it.
 */
export async function logFilterFor(
  deps: GatewayDeps,
  access: Access,
  fields: LogFilterFields,
): Promise<LogFilter> {
  const filter: LogFilter = access.all ? {} : { project: access.project };
  if (fields.vm_id !== undefined) {
    try {
      filter.vmId = (await deps.service.getVm(access, fields.vm_id)).id;
    } catch (error) {
      if (!(isAetherError(error, 'ERR_VM_NOT_FOUND') && isUuid(fields.vm_id))) throw error;
      filter.vmId = fields.vm_id;
    }
  }
  if (fields.task_id !== undefined) filter.taskId = fields.task_id;
  if (fields.execution_id !== undefined) filter.executionId = fields.execution_id;
  if (fields.level !== undefined) filter.minLevel = fields.level;
  if (fields.text !== undefined) filter.text = fields.text;
  return filter;
}

/** A line as the API shows it (src/api/logs.ts). */
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
