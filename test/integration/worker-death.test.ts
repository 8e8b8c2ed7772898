/**
 * What the cluster does when a worker goes silent: the reaper's settlement (VMs lost, tasks
 * failed with ERR_WORKER_LOST, executions with an unknown outcome) and the silent worker's own
 * side (its heartbeat is refused, it fences itself, then registers again).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AetherError } from '../../src/core/errors.js';
import type { EventMap } from '../../src/core/events.js';
import { executionState } from '../../src/core/execution.js';
import { newId } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Store } from '../../src/core/store.js';
import { createLocalEventBus } from '../../src/events/local/local-event-bus.js';
import { createLocalQueue } from '../../src/queue/local/local-queue.js';
import { reapDeadWorkers } from '../../src/service/reaper.js';
import { newVmInput, outcome } from '../../src/testing/conformance/store/fixtures.js';
import { Membership } from '../../src/worker/membership.js';
import { openMemoryStore } from '../support/memory-store.js';

describe('worker death', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openMemoryStore();
  });
  afterAll(async () => {
    await store.close();
  });

  const registration = (id: string) => ({
    id,
    host: 'h',
    drivers: ['process' as const],
    capacity: 2,
    version: 't',
  });

  async function runningVmOn(workerId: string) {
    const vm = await store.insertVm(newVmInput());
    return (await store.transitionVm(
      vm.id,
      { from: ['pending'], to: 'running', reason: 'test' },
      { workerId },
    ))!;
  }

  async function executeTask(vmId: string) {
    const executionId = newId();
    const taskId = newId();
    const exec = { command: 'true', args: [], env: {}, cwd: null, stdin: null, timeoutMs: 1000 };
    await store.insertTask(
      {
        id: taskId,
        project: 'default',
        type: 'vm:execute',
        priority: 'default',
        payload: { vmId, executionId, exec },
        vmId,
        maxRetries: 0,
        timeoutMs: 5000,
      },
      {
        id: executionId,
        project: 'default',
        vmId,
        taskId,
        jobId: null,
        command: 'true',
        args: [],
        env: {},
        cwd: null,
      },
    );
    return { taskId, executionId };
  }

  it('marks a silent worker dead, its VMs lost and its tasks failed with an unknown outcome', async () => {
    const events = createLocalEventBus();
    const seen: { lost: EventMap['vm.lost'][]; failed: EventMap['task.failed'][] } = { lost: [], failed: [] };
    events.subscribe('vm.lost', (e) => seen.lost.push(e));
    events.subscribe('task.failed', (e) => seen.failed.push(e));
    const queue = createLocalQueue({ prefix: `reap-${newId()}` });
    const deps = { store, queue, events, logger: silentLogger };

    const dead = await store.registerWorker(registration('w-dead'));
    const alive = await store.registerWorker(registration('w-alive'));
    const vm = await runningVmOn('w-dead');
    const healthyVm = await runningVmOn('w-alive');
    const running = await executeTask(vm.id);
    await store.transitionTask(
      running.taskId,
      { from: ['pending'], to: 'processing', reason: 'claim' },
      { workerId: 'w-dead', newAttempt: true },
    );
    await store.markExecutionStarted(running.executionId, new Date());
    const queued = await executeTask(vm.id);
    const elsewhere = await executeTask(healthyVm.id);

    await sleep(150);
    await store.heartbeatWorker(alive.id, alive.epoch, { activeTasks: 0, status: 'active' });
    const outcome = await reapDeadWorkers(deps, 100);

    expect(outcome).toEqual({ workers: ['w-dead'], vmsLost: 1, tasksFailed: 2 });
    expect(await store.getWorker('w-dead')).toMatchObject({ status: 'dead' });
    expect(await store.getVm(vm.id)).toMatchObject({ status: 'lost', statusReason: 'worker_lost' });
    expect((await store.getVm(healthyVm.id))?.status).toBe('running');
    expect(await store.getTask(running.taskId)).toMatchObject({
      status: 'failed',
      error: { code: 'ERR_WORKER_LOST' },
    });
    // Queued on the dead worker and never taken: nothing of it ran, and it says so.
    expect(await store.getTask(queued.taskId)).toMatchObject({
      status: 'failed',
      error: { code: 'ERR_TASK_NOT_STARTED', retryable: true, details: { cause: 'ERR_WORKER_LOST' } },
    });
    const neverRan = (await store.getExecution(queued.executionId))!;
    expect(executionState(neverRan)).toBe('not_started');
    expect((await store.getTask(elsewhere.taskId))?.status).toBe('pending');
    const execution = (await store.getExecution(running.executionId))!;
    expect(executionState(execution)).toBe('unknown');
    expect(execution.error?.code).toBe('ERR_WORKER_LOST');
    expect(seen.lost.map((e) => [e.vmId, e.workerId])).toEqual([[vm.id, 'w-dead']]);
    expect(seen.failed.map((e) => e.taskId).sort()).toEqual([running.taskId, queued.taskId].sort());

    // Idempotent: a second pass, or another node's reaper, finds nothing more to do.
    await store.heartbeatWorker(alive.id, alive.epoch, { activeTasks: 0, status: 'active' });
    expect(await reapDeadWorkers(deps, 100)).toEqual({ workers: [], vmsLost: 0, tasksFailed: 0 });
    expect(await store.heartbeatWorker(dead.id, dead.epoch, { activeTasks: 0, status: 'active' })).toBeNull();
    await queue.close();
    await events.close();
  });

  it('sends a VM its dead worker was still creating back to pending, and its create runs again anywhere', async () => {
    const queue = createLocalQueue({ prefix: `reap-${newId()}` });
    const events = createLocalEventBus();
    const deps = { store, queue, events, logger: silentLogger };
    await store.registerWorker(registration('w-creating'));
    const vm = await store.insertVm(newVmInput());
    const taskId = newId();
    await store.insertTask({
      id: taskId,
      project: 'default',
      type: 'vm:create',
      priority: 'high',
      payload: { vmId: vm.id },
      vmId: vm.id,
      maxRetries: 2,
      timeoutMs: 5000,
    });
    await store.transitionTask(
      taskId,
      { from: ['pending'], to: 'processing', reason: 'claim' },
      { workerId: 'w-creating', newAttempt: true },
    );
    await store.transitionVm(
      vm.id,
      { from: ['pending'], to: 'creating', reason: 'test' },
      { workerId: 'w-creating' },
    );

    await sleep(150);
    const outcome = await reapDeadWorkers(deps, 100);
    expect(outcome.workers).toContain('w-creating');
    expect(await store.getVm(vm.id)).toMatchObject({
      status: 'pending',
      workerId: null,
      statusReason: 'worker_lost; created again',
    });
    expect(await store.getTask(taskId)).toMatchObject({ status: 'pending' });
    await queue.close();
    await events.close();
  });

  it('records every execution before its task ends, so a waiter woken by the end reads final records', async () => {
    const events = createLocalEventBus();
    const queue = createLocalQueue({ prefix: `reap-${newId()}` });
    // What the execution said at the moment its task was written as ended.
    const atTaskEnd = new Map<string, string>();
    const watched: Store = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'transitionTask') return Reflect.get(target, key, receiver);
        return async (id: string, change: { to: string }, patch?: unknown) => {
          const task = await target.getTask(id);
          if (change.to === 'failed' && task?.type === 'vm:execute') {
            const { executionId } = task.payload as { executionId: string };
            atTaskEnd.set(id, executionState((await target.getExecution(executionId))!));
          }
          return target.transitionTask(id, change as never, patch as never);
        };
      },
    });
    const deps = { store: watched, queue, events, logger: silentLogger };
    await store.registerWorker(registration('w-gone'));
    const vm = await runningVmOn('w-gone');
    const claimed = await executeTask(vm.id);
    await store.transitionTask(
      claimed.taskId,
      { from: ['pending'], to: 'processing', reason: 'claim' },
      { workerId: 'w-gone', newAttempt: true },
    );
    const waiting = await executeTask(vm.id);
    await sleep(150);
    await reapDeadWorkers(deps, 100);
    expect(atTaskEnd.get(claimed.taskId)).toBe('unknown');
    expect(atTaskEnd.get(waiting.taskId)).toBe('not_started');
    await queue.close();
    await events.close();
  });

  it('a command whose outcome was recorded before its worker died ends as that outcome', async () => {
    const events = createLocalEventBus();
    const queue = createLocalQueue({ prefix: `reap-${newId()}` });
    const deps = { store, queue, events, logger: silentLogger };
    await store.registerWorker(registration('w-late'));
    const vm = await runningVmOn('w-late');
    const { taskId, executionId } = await executeTask(vm.id);
    const claimed = (await store.transitionTask(
      taskId,
      { from: ['pending'], to: 'processing', reason: 'claim' },
      { workerId: 'w-late', newAttempt: true },
    ))!;
    // The worker recorded the command's end, then died before recording the task's.
    await store.completeExecution(executionId, outcome({ exitCode: 0, stdout: 'done\n', stderr: '' }), {
      taskId,
      fencingToken: claimed.fencingToken,
    });
    await sleep(150);
    await reapDeadWorkers(deps, 100);
    expect(await store.getTask(taskId)).toMatchObject({
      status: 'completed',
      error: null,
      result: { executionId, exitCode: 0, timedOut: false },
    });
    const execution = (await store.getExecution(executionId))!;
    expect(executionState(execution)).toBe('exited');
    expect(execution.stdout).toBe('done\n');
    await queue.close();
    await events.close();
  });

  it('a worker declared dead fences itself at its next heartbeat, then registers again', async () => {
    const fenced: AetherError[] = [];
    let rejoinedEpoch = 0;
    const membership = new Membership(
      store,
      registration('w-fence'),
      { heartbeatIntervalMs: 40, leaseMs: 120 },
      {
        activeTasks: () => 0,
        stillConnected: async () => true,
        onFenced: async (reason) => {
          fenced.push(reason);
        },
        onRejoined: async (record) => {
          rejoinedEpoch = record.epoch;
        },
      },
      silentLogger,
    );
    const first = await membership.join();
    // Pretend the cluster lost sight of it: declare it dead under its feet.
    await store.setWorkerStatus(first.id, first.epoch, 'dead', 'test: silent');
    await expect.poll(() => fenced.length, { timeout: 3000 }).toBe(1);
    expect(fenced[0]?.code).toBe('ERR_WORKER_LOST');
    await expect.poll(() => rejoinedEpoch, { timeout: 3000 }).toBe(first.epoch + 1);
    expect(await store.getWorker(first.id)).toMatchObject({ status: 'active', epoch: first.epoch + 1 });
    await membership.leave('test over');
    expect((await store.getWorker(first.id))?.status).toBe('stopped');
  });

  it('a worker replaced by a newer process under its id stops for good', async () => {
    const fenced: string[] = [];
    let rejoined = false;
    const membership = new Membership(
      store,
      registration('w-twin'),
      { heartbeatIntervalMs: 40, leaseMs: 120 },
      {
        activeTasks: () => 0,
        stillConnected: async () => true,
        onFenced: async (reason) => {
          fenced.push(reason.message);
        },
        onRejoined: async () => {
          rejoined = true;
        },
      },
      silentLogger,
    );
    await membership.join();
    const twin = await store.registerWorker(registration('w-twin'));
    await expect.poll(() => fenced.length, { timeout: 3000 }).toBe(1);
    expect(fenced[0]).toMatch(/another process registered as worker w-twin/);
    await sleep(200);
    expect(rejoined).toBe(false);
    expect(await store.getWorker('w-twin')).toMatchObject({ status: 'active', epoch: twin.epoch });
    await membership.leave('test over');
  });
});
