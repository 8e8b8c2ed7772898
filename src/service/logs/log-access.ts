import { AetherError, isAetherError } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import type { LogFilter, LogLevel, LogReader } from '../../core/logs.js';
import type { Access } from '../../core/principal.js';

/** What a caller may filter the logs by (the query and the tail alike). */
export interface LogFilterFields {
  /** A VM id or name. */
  vmId?: string | undefined;
  taskId?: string | undefined;
  executionId?: string | undefined;
  /** The lowest level shown. */
  level?: LogLevel | undefined;
  text?: string | undefined;
}

/** Looks a VM up as `access` sees it (ERR_VM_NOT_FOUND otherwise); deleted ones are not found. */
export type FindVm = (access: Access, idOrName: string) => Promise<{ id: string }>;

/** The reader, or ERR_UNSUPPORTED where no log backend is configured. */
export function requireLogReader(reader: LogReader | undefined): LogReader {
  if (!reader) throw new AetherError('ERR_UNSUPPORTED', 'this gateway has no log backend');
  return reader;
}

/**
 * The store/Loki filter for a caller: tenancy first (a caller's own project only; admins every
 * project and the platform's own lines), then the fields. A VM given by name is resolved within
 * what the caller sees (an unknown or invisible one is a 404); an id of a VM that no longer
 * exists still filters, since its lines outlive it.
 */
export async function logFilterFor(
  findVm: FindVm,
  access: Access,
  fields: LogFilterFields,
): Promise<LogFilter> {
  const filter: LogFilter = access.all ? {} : { project: access.project };
  if (fields.vmId !== undefined) {
    try {
      filter.vmId = (await findVm(access, fields.vmId)).id;
    } catch (error) {
      if (!(isAetherError(error, 'ERR_VM_NOT_FOUND') && isUuid(fields.vmId))) throw error;
      filter.vmId = fields.vmId;
    }
  }
  if (fields.taskId !== undefined) filter.taskId = fields.taskId;
  if (fields.executionId !== undefined) filter.executionId = fields.executionId;
  if (fields.level !== undefined) filter.minLevel = fields.level;
  if (fields.text !== undefined) filter.text = fields.text;
  return filter;
}
