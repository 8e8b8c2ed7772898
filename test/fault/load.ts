/**
 * Client load for the fault test: concurrent loops, each submitting one execution at a time to a
 * random VM with `?wait=true`, every op written to the history as `invoke` then `ok`/`fail`/`info`
 * (see history.ts for what each means). Each op's command appends the op's marker to the VM's
 * effects file, which is how the checker sees an execution that ran twice.
 */

import type { Execution, Task } from '@aetherium/sdk';
import { AetherApiError, type AetherClient } from '@aetherium/sdk';
import { type CompletionEvent, effectCommand, type HistoryWriter } from './history.js';
import { sleep } from './processes.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export interface LoadOptions {
  client: AetherClient;
  history: HistoryWriter;
  vmIds: string[];
  loops: number;
  /** `wait_timeout_ms` of each submit: the gateway answers 504 ERR_WAIT_TIMEOUT after it. */
  waitTimeoutMs?: number;
  /** Pause after an answer other than ok, so an outage does not turn into a busy loop. */
  backoffMs?: number;
}

interface WaitAnswer {
  task_id: string;
  status: string;
  execution_id: string;
  execution?: Execution;
  task?: Task;
}

/** Turns an answer (or a thrown error) into the op's completion event. */
export function classifyAnswer(
  op: string,
  vmId: string,
  outcome: { answer: WaitAnswer } | { error: unknown },
): CompletionEvent {
  const base = { op, vmId };
  if ('answer' in outcome) {
    const a = outcome.answer;
    return {
      ...base,
      type: a.status === 'completed' ? 'ok' : 'fail',
      httpStatus: 200,
      code: null,
      taskId: a.task_id,
      executionId: a.execution_id ?? null,
      taskStatus: a.status,
      taskOutcome: true,
      exitCode: a.execution?.exit_code ?? null,
    };
  }
  const error = outcome.error;
  if (!(error instanceof AetherApiError)) {
    return {
      ...base,
      type: 'info',
      httpStatus: 0,
      code: 'CLIENT_ERROR',
      taskId: null,
      executionId: null,
      taskStatus: null,
      taskOutcome: false,
      message: (error as Error).message,
    };
  }
  const body = (error.body ?? {}) as Partial<WaitAnswer> & {
    error?: { code?: string; details?: { taskId?: string } };
  };
  const taskId = body.task_id ?? body.error?.details?.taskId ?? null;
  const taskStatus = body.task?.status ?? null;
  const taskOutcome = body.task !== undefined && taskStatus !== null && TERMINAL.has(taskStatus);
  const common = {
    ...base,
    httpStatus: error.status,
    code: error.code === 'ERR_HTTP' ? null : error.code,
    taskId,
    executionId: body.execution_id ?? null,
    taskStatus,
    taskOutcome,
    exitCode: body.execution?.exit_code ?? null,
    message: error.message.slice(0, 300),
  };
  // A task that ended (failed, cancelled): a definite outcome. A 4xx without a task: rejected
  // before anything was recorded. Anything else (503, 504 wait timeout, 5xx, no answer): unknown.
  if (taskOutcome) return { ...common, type: 'fail' };
  if (error.status >= 400 && error.status < 500 && taskId === null) return { ...common, type: 'fail' };
  return { ...common, type: 'info' };
}

export class Load {
  private running = false;
  private loops: Promise<void>[] = [];
  private nextOp = 0;
  /** Ops submitted and not answered yet, per VM. */
  readonly inFlight = new Map<string, number>();
  /** Time of each `ok`, per VM, with the time its op was invoked. */
  readonly oks: { vmId: string; invokedAt: number; at: number }[] = [];
  attempted = 0;
  /** Ops the API accepted as a task (the answer carried a task id). */
  acknowledged = 0;

  constructor(private readonly options: LoadOptions) {
    for (const vm of options.vmIds) this.inFlight.set(vm, 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.options.loops; i++) this.loops.push(this.loop(i));
  }

  /** Stops submitting; resolves once every loop's current op has its answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async loop(index: number): Promise<void> {
    const { vmIds } = this.options;
    while (this.running) {
      const vmId = vmIds[Math.floor(Math.random() * vmIds.length)]!;
      const answered = await this.submit(index, vmId);
      if (answered.type !== 'ok') await sleep(this.options.backoffMs ?? 200);
    }
  }

  private async submit(loop: number, vmId: string): Promise<CompletionEvent> {
    const op = `o${String(this.nextOp++).padStart(5, '0')}`;
    const { history, client } = this.options;
    const waitTimeoutMs = this.options.waitTimeoutMs ?? 20_000;
    const invoke = history.append({ type: 'invoke', op, vmId, loop });
    this.attempted++;
    this.inFlight.set(vmId, (this.inFlight.get(vmId) ?? 0) + 1);
    let outcome: { answer: WaitAnswer } | { error: unknown };
    try {
      const request = client.request<WaitAnswer>('POST', `/vms/${vmId}/execute`, {
        body: { ...effectCommand(op), timeout_ms: 30_000 },
        query: { wait: true, wait_timeout_ms: waitTimeoutMs },
      });
      // A gateway that never answers must not hang the loop: give up client-side well after the wait.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${waitTimeoutMs + 15_000} ms`)),
          waitTimeoutMs + 15_000,
        );
      });
      try {
        outcome = { answer: await Promise.race([request, deadline]) };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      outcome = { error };
    }
    this.inFlight.set(vmId, (this.inFlight.get(vmId) ?? 1) - 1);
    const event = history.append(classifyAnswer(op, vmId, outcome));
    if (event.taskId) this.acknowledged++;
    if (event.type === 'ok') this.oks.push({ vmId, invokedAt: invoke.t, at: event.t });
    return event;
  }
}
