// The overview's and the queue's answers, by the names the pages use for their parts.
import type { Schemas } from '../../lib/api';

export type Overview = Schemas['Overview'];
export type QueueView = Schemas['QueueView'];
export type ExecutionBucket = Schemas['ExecutionBucket'];
export type RecentFailure = Schemas['Failure'];
export type WorkerLoad = Schemas['WorkerSummary'];

/** Waiting tasks per priority; read by name, so any priority the API adds shows too. */
export type PriorityDepth = Readonly<Record<string, number>>;
