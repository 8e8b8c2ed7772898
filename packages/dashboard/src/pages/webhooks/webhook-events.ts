// What a subscription can ask for. The API checks each pattern (src/core/outbound-webhooks.ts,
// WEBHOOK_EVENTS) but its OpenAPI document lists them only in a description, not as an enum:
// this list follows that one, and test/integration/dashboard-webhook-events.test.ts keeps it so.
import type { operations } from '../../../../sdk/src/generated/openapi.js';

export type CreateWebhookRequest = operations['createWebhook']['requestBody']['content']['application/json'];

export interface EventChoice {
  pattern: string;
  /** Shown beside the pattern. */
  meaning: string;
}

/** `*` and the groups first: a subscriber usually wants a whole family. */
export const EVENT_GROUPS: readonly EventChoice[] = [
  { pattern: '*', meaning: 'every event' },
  { pattern: 'vm.*', meaning: 'every VM event' },
  { pattern: 'task.*', meaning: 'every task event' },
  { pattern: 'execution.*', meaning: 'every execution event' },
];

export const EVENTS: readonly EventChoice[] = [
  { pattern: 'vm.status', meaning: 'any status change of a VM' },
  { pattern: 'vm.created', meaning: 'a VM ran for the first time' },
  { pattern: 'vm.started', meaning: 'a VM runs again (start, restart)' },
  { pattern: 'vm.stopped', meaning: 'a VM stopped, its files kept' },
  { pattern: 'vm.paused', meaning: 'a VM paused' },
  { pattern: 'vm.resumed', meaning: 'a paused VM runs on' },
  { pattern: 'vm.deleted', meaning: 'a VM was deleted' },
  { pattern: 'vm.failed', meaning: 'a VM failed' },
  { pattern: 'vm.lost', meaning: 'a VM was lost with its worker' },
  { pattern: 'task.updated', meaning: 'any change of a task' },
  { pattern: 'task.completed', meaning: 'a task completed' },
  { pattern: 'task.failed', meaning: 'a task failed' },
  { pattern: 'task.cancelled', meaning: 'a task was cancelled' },
  { pattern: 'execution.completed', meaning: 'a command finished' },
];
