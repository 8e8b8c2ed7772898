import type { WireError } from './errors.js';
import type { ExecutionRecord } from './execution.js';
import type { OutputStream } from './output.js';
import type { TaskRecord, TaskStatus, TaskType } from './task.js';
import type { VmStatus } from './vm.js';

export interface VmEvent {
  vmId: string;
  status: VmStatus;
  reason: string;
}

export interface TaskEvent {
  taskId: string;
  type: TaskType;
  status: TaskStatus;
  error: WireError | null;
  /**
   * The task as this change wrote it, and the execution a `vm:execute` task completed with: a
   * waiter in the same process answers from them without reading the store again. Only an
   * in-process bus passes them on (by reference); a bus between processes leaves them out
   * (`withoutLocalRecords`), so a reader must not depend on them.
   */
  record?: TaskRecord;
  execution?: ExecutionRecord;
}

/** A task event as it crosses processes: the records it may carry stay behind. */
export function withoutLocalRecords<P>(payload: P): P {
  if (typeof payload !== 'object' || payload === null || !('record' in payload || 'execution' in payload)) {
    return payload;
  }
  const { record: _record, execution: _execution, ...rest } = payload as P & TaskEvent;
  return rest as P;
}

/**
 * One payload type per event name. `vm.status` and `task.updated` carry every change; the
 * specific names (`vm.lost`, `task.failed`, ...) are published beside them for the milestones
 * subscribers usually want, so they need not filter.
 */
export interface EventMap {
  'vm.status': VmEvent;
  /** The VM ran for the first time (its create). */
  'vm.created': VmEvent;
  /** It runs again: a start after a stop, a restart by its policy, back from `lost`. */
  'vm.started': VmEvent;
  'vm.paused': VmEvent;
  /** A paused VM runs on (a hibernated one woke). */
  'vm.resumed': VmEvent;
  'vm.deleted': VmEvent;
  /** Stopped with its files kept: by a user, or by its lifetime (`ttl: …`, `idle: …`). */
  'vm.stopped': VmEvent;
  'vm.failed': VmEvent;
  'vm.lost': VmEvent & { workerId: string | null };
  'task.updated': TaskEvent;
  'task.completed': TaskEvent;
  'task.failed': TaskEvent;
  'task.cancelled': TaskEvent;
  'worker.joined': { workerId: string; epoch: number; host: string };
  'worker.left': { workerId: string; epoch: number; status: 'stopped' | 'dead'; reason: string };
  /** One stored chunk of output (core/output.ts), published as soon as the command wrote it. */
  'execution.output': {
    executionId: string;
    taskId: string | null;
    stream: OutputStream;
    /** The chunk's number in the store: a reader drops what it already replayed by it. */
    seq: number;
    /** Byte offset of the chunk within its stream. */
    offset: number;
    /** The chunk's bytes, base64 (output is bytes, not always UTF-8 text). */
    data: string;
  };
  'execution.completed': { executionId: string; taskId: string | null; exitCode: number | null };
}

export type EventName = keyof EventMap;
export type Unsubscribe = () => void;

/**
 * The events about one execution. A bus may carry each execution's on a channel of its own, so
 * that a process hears only the executions it asked for (`subscribeExecution`).
 */
export const EXECUTION_EVENTS = ['execution.output', 'execution.completed'] as const;
export type ExecutionEventName = (typeof EXECUTION_EVENTS)[number];

export function isExecutionEvent(event: EventName): event is ExecutionEventName {
  return (EXECUTION_EVENTS as readonly EventName[]).includes(event);
}

/**
 * Fire-and-forget notifications between processes. Nothing may depend on an event arriving:
 * consumers re-read the store after subscribing. Handlers must not throw.
 */
export interface EventBus {
  publish<E extends EventName>(event: E, payload: EventMap[E]): Promise<void>;
  /** Every occurrence of `event`, of every execution for the execution events. */
  subscribe<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): Unsubscribe;
  /**
   * `event` for one execution only. Across processes only what somebody subscribed to reaches a
   * process: a gateway receives the output of the executions it streams, not every execution's.
   * A handler subscribed both ways gets each event twice (once per subscription).
   */
  subscribeExecution<E extends ExecutionEventName>(
    event: E,
    executionId: string,
    handler: (payload: EventMap[E]) => void,
  ): Unsubscribe;
  /**
   * Resolves once every subscription made so far receives events, where subscribing takes effect
   * asynchronously (Redis); absent where it is immediate. A reader that replays the store after
   * subscribing waits for it, so nothing published in between is missed.
   */
  ready?(): Promise<void>;
  /**
   * Rejects when events cannot cross to other processes now (the transport is unreachable or the
   * bus is closed): a readiness probe, not a delivery guarantee.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}
