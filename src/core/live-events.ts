/**
 * Changes of the platform as a live feed for people watching it (a dashboard, `GET /events`):
 * the bus's events (events.ts) narrowed to what one caller may see, each stamped with the time
 * this process heard it. A feed is a hint to re-render, not a record: it keeps nothing, and a
 * client that connects reads its lists after the feed says it is listening.
 */
import type { ErrorCode } from './errors.js';
import type { TaskStatus, TaskType } from './task.js';
import type { VmStatus } from './vm.js';
import type { WorkerStatus } from './worker.js';

/** The kinds of change a feed carries; `worker` only to admins. */
export const LIVE_EVENT_TYPES = ['vm', 'task', 'worker'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface LiveVmEvent {
  type: 'vm';
  vmId: string;
  status: VmStatus;
  reason: string;
  at: Date;
}

export interface LiveTaskEvent {
  type: 'task';
  taskId: string;
  taskType: TaskType;
  status: TaskStatus;
  /** The VM the task is about; null for tasks about none (a snapshot's delete). */
  vmId: string | null;
  errorCode: ErrorCode | null;
  at: Date;
}

export interface LiveWorkerEvent {
  type: 'worker';
  workerId: string;
  event: 'joined' | 'left';
  /** How it left: stopped cleanly, or declared dead by the reaper. */
  status?: Extract<WorkerStatus, 'stopped' | 'dead'>;
  reason?: string;
  at: Date;
}

export type LiveEvent = LiveVmEvent | LiveTaskEvent | LiveWorkerEvent;

/** Every event published after this one reaches the feed: a client may now read its lists. */
export interface LiveFeedReady {
  type: 'ready';
}
