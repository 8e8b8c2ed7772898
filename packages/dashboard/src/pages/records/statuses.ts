// The values of each record's status, for the filters' selects, in the order they are offered.
// Keyed by the generated API types: a value the API adds or drops fails to compile here.
import type { Schemas } from '../../lib/api';
import { everyValue } from '../../lib/every-value';

export const EXECUTION_OUTCOMES = everyValue<Schemas['Execution']['outcome']>({
  pending: true,
  running: true,
  exited: true,
  timed_out: true,
  signalled: true,
  failed: true,
  cancelled: true,
  unknown: true,
  not_started: true,
});

export const TASK_STATUSES = everyValue<Schemas['Task']['status']>({
  pending: true,
  processing: true,
  completed: true,
  failed: true,
  cancelled: true,
});

export const TASK_TYPES = everyValue<Schemas['Task']['type']>({
  'vm:create': true,
  'vm:execute': true,
  'vm:delete': true,
  'vm:stop': true,
  'vm:start': true,
  'vm:pause': true,
  'vm:resume': true,
  'vm:snapshot': true,
  'snapshot:delete': true,
  'job:run': true,
});

export const JOB_STATUSES = everyValue<Schemas['Job']['status']>({
  pending: true,
  running: true,
  completed: true,
  failed: true,
  cancelled: true,
});

export const SNAPSHOT_STATUSES = everyValue<Schemas['Snapshot']['status']>({
  pending: true,
  ready: true,
  failed: true,
  deleting: true,
  deleted: true,
});
