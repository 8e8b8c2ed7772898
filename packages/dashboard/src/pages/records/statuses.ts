// The values of each record's status, for the filters' selects. Checked against the generated
// API types, so a value the API does not know fails to compile.
import type { Schemas } from '../../lib/api';

export const EXECUTION_OUTCOMES = [
  'pending',
  'running',
  'exited',
  'timed_out',
  'signalled',
  'failed',
  'cancelled',
  'unknown',
  'not_started',
] as const satisfies readonly Schemas['Execution']['outcome'][];

export const TASK_STATUSES = [
  'pending',
  'processing',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly Schemas['Task']['status'][];

export const TASK_TYPES = [
  'vm:create',
  'vm:execute',
  'vm:delete',
  'vm:stop',
  'vm:start',
  'vm:pause',
  'vm:resume',
  'vm:snapshot',
  'snapshot:delete',
  'job:run',
] as const satisfies readonly Schemas['Task']['type'][];

export const JOB_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly Schemas['Job']['status'][];

export const SNAPSHOT_STATUSES = [
  'pending',
  'ready',
  'failed',
  'deleting',
  'deleted',
] as const satisfies readonly Schemas['Snapshot']['status'][];
