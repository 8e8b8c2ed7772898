import type { WireError } from './errors.js';
import type { TaskStatus, TaskType } from './task.js';
import type { VmStatus } from './vm.js';

/** One payload type per event name. */
export interface EventMap {
  'vm.status': { vmId: string; status: VmStatus; reason: string };
  'task.updated': { taskId: string; type: TaskType; status: TaskStatus; error: WireError | null };
  'execution.output': {
    executionId: string;
    taskId: string | null;
    stream: 'stdout' | 'stderr';
    data: string;
  };
  'execution.completed': { executionId: string; taskId: string | null; exitCode: number | null };
}

export type EventName = keyof EventMap;
export type Unsubscribe = () => void;

/**
 * Fire-and-forget notifications between processes. Nothing may depend on an event arriving:
 * consumers re-read the store after subscribing. Handlers must not throw.
 */
export interface EventBus {
  publish<E extends EventName>(event: E, payload: EventMap[E]): Promise<void>;
  subscribe<E extends EventName>(event: E, handler: (payload: EventMap[E]) => void): Unsubscribe;
  close(): Promise<void>;
}
