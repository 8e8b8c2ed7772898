/**
 * Distributed mode under faults: one gateway and three workers as separate processes, on a
 * private PostgreSQL and Redis this file owns. Six client loops run executions on six VMs while
 * (1) a busy worker is killed with SIGKILL and restarted with the same identity, 20 times;
 * (2) Redis is killed and started again (empty); (3) PostgreSQL is restarted `-m immediate`, then
 * stopped for a while and started again. Then the run drains, the final state is read, and the
 * checker (checker.ts) judges the history. The history, the report and every process's logs stay
 * in the run dir printed at the start.
 *
 * Runs in the suite with `npx vitest run test/fault`; needs redis-server and the Debian
 * PostgreSQL binaries, and skips with a reason without them (a failure under CI=true).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '../support/mounts.js';
import { sandboxesAvailable } from '../support/sandboxes.js';
import { type CheckReport, checkHistory, formatSummary } from './checker.js';
import { Cluster, prepareCli } from './cluster.js';
import { type CreateUnderKillOutcome, createUnderKill, unwantedSandboxes } from './create-under-kill.js';
import { codeVersion, recordOpenTaskEvidence } from './diagnostics.js';
import { drain, recordFinalState } from './final-state.js';
import { HistoryWriter, readHistory } from './history.js';
import { Load } from './load.js';
import { sleep, sweepProcessesMentioning, waitFor } from './processes.js';
import { findPrivateBinaries, PrivatePostgres, PrivateRedis, privateBackendsAvailable } from './services.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORKER_IDS = ['w1', 'w2', 'w3'];
const VM_COUNT = 6;
const LOOPS = 6;
const KILLS = 20;
const MIN_EXECUTIONS = 300;
const RESUME_LIMIT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 60_000;
/** Creates cut short by killing every worker finish this soon after the restarts. */
const CREATE_RESUME_LIMIT_MS = 15_000;
/** A sandbox no VM wants is gone this soon (the workers sweep every second here). */
const SWEEP_LIMIT_MS = 10_000;

const canRun =
  (await privateBackendsAvailable('fault test (private PostgreSQL and Redis)')) &&
  (await sandboxesAvailable('fault test VM'));

interface Run {
  runDir: string;
  history: HistoryWriter;
  redis: PrivateRedis | null;
  postgres: PrivatePostgres | null;
  db: pg.Pool | null;
  cluster: Cluster | null;
  load: Load | null;
  vmIds: string[];
  phaseErrors: string[];
  report: CheckReport | null;
  createUnderKill: CreateUnderKillOutcome | null;
  unwantedSandboxes: Awaited<ReturnType<typeof unwantedSandboxes>> | null;
}

/** Where each worker keeps its VM files (Cluster gives each its own data dir). */
function workerDataDir(run: Run): (workerId: string) => string {
  return (workerId) => path.join(run.runDir, 'workers', workerId);
}

function newRun(): Run {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'aether-fault-'));
  // The postgres user and the sandboxes' unprivileged uid must be able to walk through it.
  chmodSync(runDir, 0o711);
  const history = new HistoryWriter(path.join(runDir, 'history.jsonl'));
  console.log(`[fault] run dir ${runDir}\n[fault] history ${history.file}`);
  return {
    runDir,
    history,
    redis: null,
    postgres: null,
    db: null,
    cluster: null,
    load: null,
    vmIds: [],
    phaseErrors: [],
    report: null,
    createUnderKill: null,
    unwantedSandboxes: null,
  };
}

interface Busy {
  source: 'store' | 'api' | 'in-flight';
  busy: Record<string, number>;
  /** The store's running vm:execute tasks: id, worker, why it is processing. */
  tasks?: { id: string; worker: string; reason: string | null }[];
  /** `active_tasks` per worker from GET /api/v1/workers, where the gateway has that route. */
  api?: Record<string, number>;
}

/**
 * Workers running vm:execute tasks right now. The store (our private one) says so exactly; GET
 * /api/v1/workers reports `active_tasks` as of each worker's last heartbeat, so it is the first
 * fallback; the ops the clients have in flight on each worker's VMs are the last.
 */
async function busyWorkers(run: Run, vmWorker: Map<string, string>): Promise<Busy> {
  const cluster = run.cluster!;
  const running = (id: string) => cluster.workers.get(id)?.running === true;
  const count = (ids: string[]) => {
    const busy: Record<string, number> = {};
    for (const id of ids) busy[id] = (busy[id] ?? 0) + 1;
    return busy;
  };
  let tasks: Busy['tasks'];
  try {
    const { rows } = await run.db!.query<{ id: string; worker_id: string; status_reason: string | null }>(
      `SELECT id, worker_id, status_reason FROM tasks
        WHERE status = 'processing' AND type = 'vm:execute' AND worker_id IS NOT NULL`,
    );
    tasks = rows
      .filter((row) => running(row.worker_id))
      .map((row) => ({ id: row.id, worker: row.worker_id, reason: row.status_reason }));
  } catch {
    // Fall back to the API, then to the clients.
  }
  let api: Busy['api'];
  try {
    const { workers } = await cluster.client.request<{
      workers: { id: string; status: string; active_tasks: number }[];
    }>('GET', '/workers');
    api = {};
    for (const w of workers)
      if (w.status === 'active' && w.active_tasks > 0 && running(w.id)) api[w.id] = w.active_tasks;
  } catch {
    // No such route yet (404), or the gateway cannot say.
  }
  if (tasks && tasks.length > 0)
    return { source: 'store', busy: count(tasks.map((t) => t.worker)), tasks, api };
  if (api && Object.keys(api).length > 0) return { source: 'api', busy: api, tasks, api };
  const inFlight: string[] = [];
  for (const [vmId, n] of run.load!.inFlight) {
    const worker = vmWorker.get(vmId);
    if (n > 0 && worker && running(worker)) inFlight.push(...Array<string>(n).fill(worker));
  }
  return { source: 'in-flight', busy: count(inFlight), tasks, api };
}

async function phase(run: Run, name: string, body: () => Promise<void>): Promise<void> {
  run.history.append({ type: 'phase', name, edge: 'start' });
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    const message = `${name}: ${(error as Error).stack ?? error}`;
    run.phaseErrors.push(message);
    run.history.append({ type: 'note', message: `phase failed: ${message}` });
  } finally {
    run.history.append({ type: 'phase', name, edge: 'end' });
    console.log(
      `[fault] phase ${name}: ${Date.now() - started} ms, ${run.load?.attempted ?? 0} ops so far (${run.load?.acknowledged ?? 0} accepted)`,
    );
  }
}

/** Phase 1: SIGKILL a random busy worker, restart it ~300 ms later with the same id, KILLS times. */
async function killWorkers(run: Run, vmWorker: Map<string, string>): Promise<void> {
  const cluster = run.cluster!;
  for (let i = 0; i < KILLS; i++) {
    const found = await waitFor(
      'a busy worker',
      async () => {
        const b = await busyWorkers(run, vmWorker);
        return Object.keys(b.busy).length > 0 ? b : undefined;
      },
      10_000,
      50,
    ).catch(() => null);
    const owners = [...new Set(vmWorker.values())];
    const candidates = found ? Object.keys(found.busy) : owners;
    const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
    const pid = cluster.worker(victim).pid;
    await cluster.killWorker(victim);
    run.history.append({
      type: 'kill',
      process: victim,
      pid,
      detail: {
        round: i + 1,
        signal: 'SIGKILL',
        source: found?.source ?? 'none busy',
        busy: found?.busy ?? {},
        tasks: found?.tasks?.filter((t) => t.worker === victim) ?? [],
        api: found?.api ?? null,
      },
    });
    await sleep(300);
    const readyMs = await cluster.startWorker(victim);
    run.history.append({
      type: 'restart',
      process: victim,
      pid: cluster.worker(victim).pid,
      detail: { readyMs },
    });
    await sleep(1_000);
  }
}

/** Phase 2: kill Redis (it keeps nothing) and start it again on the same port. */
async function restartRedis(run: Run, vmWorker: Map<string, string>): Promise<void> {
  await sleep(2_000);
  const redis = run.redis!;
  const pid = redis.pid;
  await redis.stop('kill');
  run.history.append({ type: 'redis-down', pid, detail: { how: 'SIGKILL', persistence: 'none' } });
  await sleep(1_000);
  await redis.start();
  const up = run.history.append({ type: 'redis-up', pid: redis.pid });
  // Wait (bounded) until every worker owning a VM has completed an op submitted after Redis came back.
  const owners = new Set(vmWorker.values());
  const load = run.load!;
  const resumed = () =>
    [...owners].every((w) => load.oks.some((ok) => ok.invokedAt >= up.t && vmWorker.get(ok.vmId) === w));
  await waitFor(
    'workers to complete work after Redis came back',
    resumed,
    RESUME_LIMIT_MS + 5_000,
    100,
  ).catch(() => {});
  await sleep(1_000);
}

/** GET /api/v1/vms, recorded as a probe (status and error code), never thrown. */
async function probe(run: Run, during: string): Promise<void> {
  const started = Date.now();
  let httpStatus = 0;
  let code: string | null = null;
  try {
    const res = await fetch(`${run.cluster!.url}/api/v1/vms`, { signal: AbortSignal.timeout(5_000) });
    httpStatus = res.status;
    const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
    code = body?.error?.code ?? null;
  } catch (error) {
    code = `CLIENT_ERROR ${(error as Error).message}`;
  }
  run.history.append({
    type: 'probe',
    during,
    method: 'GET',
    path: '/api/v1/vms',
    httpStatus,
    code,
    ms: Date.now() - started,
  });
}

/** Phase 3: PostgreSQL `restart -m immediate`, then a stop / 2 s outage (probed) / start. */
async function restartPostgres(run: Run): Promise<void> {
  const postgres = run.postgres!;
  await sleep(2_000);
  run.history.append({
    type: 'pg-down',
    pid: postgres.pid(),
    detail: { how: 'pg_ctl restart -m immediate' },
  });
  await postgres.restartImmediate();
  run.history.append({ type: 'pg-up', pid: postgres.pid() });
  await sleep(3_000);
  const pid = postgres.pid();
  await postgres.stop('immediate');
  run.history.append({ type: 'pg-down', pid, detail: { how: 'pg_ctl stop -m immediate', outageMs: 2_000 } });
  const until = Date.now() + 2_000;
  while (Date.now() < until) {
    await probe(run, 'pg-down');
    await sleep(100);
  }
  await postgres.start();
  run.history.append({ type: 'pg-up', pid: postgres.pid() });
  await sleep(3_000);
}

async function scenario(run: Run): Promise<void> {
  const { binaries } = findPrivateBinaries();
  if (!binaries) throw new Error('private backends vanished');
  const logs = path.join(run.runDir, 'logs');
  mkdirSync(logs, { recursive: true, mode: 0o711 });
  run.redis = await PrivateRedis.create(
    binaries.redisServer,
    path.join(run.runDir, 'redis'),
    path.join(logs, 'redis.log'),
  );
  run.postgres = await PrivatePostgres.create(binaries, path.join(run.runDir, 'pg'));
  const cli = await prepareCli(run.runDir);
  run.db = new pg.Pool({ connectionString: run.postgres.url, max: 2 }).on('error', () => {});
  run.history.append({
    type: 'meta',
    runDir: run.runDir,
    settings: {
      workers: WORKER_IDS,
      vms: VM_COUNT,
      loops: LOOPS,
      kills: KILLS,
      databaseUrl: run.postgres.url,
      redisUrl: run.redis.url,
      cli: cli.mode,
      code: codeVersion(ROOT),
    },
  });
  run.cluster = await Cluster.start({
    runDir: run.runDir,
    databaseUrl: run.postgres.url,
    redisUrl: run.redis.url,
    cli: cli.argv,
    workerIds: WORKER_IDS,
    history: run.history,
  });
  const client = run.cluster.client;

  const created = await Promise.all(
    Array.from({ length: VM_COUNT }, (_, i) => client.createVm({ name: `fault-${i + 1}` }, { wait: true })),
  );
  const vmWorker = new Map<string, string>();
  for (const { vm } of created) {
    const fresh = await client.getVm(vm.id);
    run.vmIds.push(vm.id);
    if (fresh.worker_id) vmWorker.set(vm.id, fresh.worker_id);
    run.history.append({ type: 'vm', vmId: vm.id, name: vm.name, workerId: fresh.worker_id });
  }
  console.log(
    `[fault] VMs per worker: ${JSON.stringify(Object.fromEntries([...vmWorker].map(([v, w]) => [v.slice(0, 8), w])))}`,
  );

  run.load = new Load({ client, history: run.history, vmIds: run.vmIds, loops: LOOPS });
  run.load.start();
  await sleep(2_000);
  await phase(run, 'kill-workers', () => killWorkers(run, vmWorker));
  await phase(run, 'restart-redis', () => restartRedis(run, vmWorker));
  await phase(run, 'restart-postgres', () => restartPostgres(run));
  await phase(run, 'top-up', async () => {
    await waitFor(
      `${MIN_EXECUTIONS} executions accepted by the API`,
      () => run.load!.acknowledged >= MIN_EXECUTIONS,
      60_000,
      200,
    );
  });
  await run.load.stop();

  await phase(run, 'drain', async () => {
    const { open, waitedMs } = await drain(
      client,
      readHistory(run.history.file),
      run.vmIds,
      DRAIN_TIMEOUT_MS,
    );
    run.history.append({
      type: 'note',
      message: `drain: ${open.length} tasks still open after ${waitedMs} ms`,
      detail: { open },
    });
    await recordOpenTaskEvidence(run.history, run.db!, run.redis!.url, open);
  });
  await phase(run, 'final-state', () =>
    recordFinalState(client, run.db!, run.history, readHistory(run.history.file), run.vmIds),
  );

  // After the checked history: the kills here end no execution of the load (it has stopped).
  await phase(run, 'create-under-kill', async () => {
    run.createUnderKill = await createUnderKill(
      run.cluster!,
      run.history,
      WORKER_IDS,
      CREATE_RESUME_LIMIT_MS,
    );
    run.vmIds.push(...run.createUnderKill.vmIds);
    run.unwantedSandboxes = await unwantedSandboxes(run.db!, workerDataDir(run), WORKER_IDS, SWEEP_LIMIT_MS);
  });

  const report = checkHistory(readHistory(run.history.file), { resumeLimitMs: RESUME_LIMIT_MS });
  run.report = report;
  writeFileSync(path.join(run.runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatSummary(report, run.history.file));
}

async function cleanup(run: Run): Promise<void> {
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      console.warn(`[fault] cleanup: ${what} failed: ${(error as Error).message}`);
    }
  };
  await step('stop load', async () => run.load?.stop());
  // Deleting the VMs needs the whole cluster: bring back whatever a failed phase left down.
  await step('restart redis', async () => run.redis?.start());
  await step('restart postgres', async () => {
    if (run.postgres && run.postgres.pid() === null) await run.postgres.start();
  });
  await step('restart workers', async () => {
    for (const [id, worker] of run.cluster?.workers ?? [])
      if (!worker.running) await run.cluster!.startWorker(id);
  });
  await step('delete VMs', async () => {
    const client = run.cluster?.client;
    if (!client) return;
    await Promise.all(
      run.vmIds.map((id) =>
        client
          .request('DELETE', `/vms/${id}`, { query: { wait: true, wait_timeout_ms: 30_000 } })
          .catch((error: Error) => console.warn(`[fault] cleanup: delete VM ${id}: ${error.message}`)),
      ),
    );
  });
  await step('stop cluster', async () => run.cluster?.stop());
  await step('close db pool', async () => run.db?.end());
  await step('stop redis', async () => run.redis?.destroy());
  await step('stop postgres', async () => run.postgres?.destroy());
  await step('sweep', async () => {
    const swept = await sweepProcessesMentioning(run.runDir);
    if (swept.length > 0)
      console.warn(`[fault] cleanup: killed ${swept.length} leftover processes: ${swept.join(', ')}`);
  });
  // Keep history, report and logs; drop VM files and data (VM homes of killed workers are still
  // mounted: unmounted first, or the removal would fail on them).
  const unmounted = unmountUnder(run.runDir);
  if (unmounted > 0) console.warn(`[fault] cleanup: unmounted ${unmounted} leftover VM home volumes`);
  for (const dir of ['workers', 'gateway', 'migrate', 'redis', 'build']) {
    rmSync(path.join(run.runDir, dir), { recursive: true, force: true });
  }
  console.log(`[fault] kept ${run.runDir} (history.jsonl, report.json, logs/)`);
}

describe.skipIf(!canRun)(
  'distributed mode under faults (1 gateway, 3 workers, private PostgreSQL and Redis)',
  () => {
    let run: Run | null = null;

    beforeAll(async () => {
      run = newRun();
      await scenario(run);
    }, 480_000);

    afterAll(async () => {
      if (run) await cleanup(run);
    }, 120_000);

    const report = (): CheckReport => {
      if (!run?.report) throw new Error('the scenario did not produce a report');
      return run.report;
    };

    it('ran every phase', () => {
      expect(run?.phaseErrors).toEqual([]);
    });

    it(`accepted at least ${MIN_EXECUTIONS} executions, killed ${KILLS} workers and restarted Redis and PostgreSQL`, () => {
      const r = report();
      // Executions the API accepted as tasks: submits rejected outright (409 on a lost VM) do not count.
      expect(r.counts.acknowledged).toBeGreaterThanOrEqual(MIN_EXECUTIONS);
      expect(r.faults).toMatchObject({
        kill: KILLS,
        restart: KILLS,
        'redis-down': 1,
        'redis-up': 1,
        'pg-down': 2,
        'pg-up': 2,
      });
    });

    it('loses no acknowledged task, and every task ends', () => {
      expect(report().lost).toEqual([]);
      expect(report().notTerminal).toEqual([]);
    });

    it('commits no execution twice', () => {
      expect(report().unverifiedVms).toEqual([]);
      expect(report().duplicated).toEqual([]);
      expect(report().unexpected).toEqual([]);
    });

    it('accepts no completion from a stale attempt', () => {
      expect(report().stale).toEqual([]);
    });

    it('ends every task with a reason, and every failed one with an error code', () => {
      expect(report().terminalWithoutReason).toEqual([]);
      expect(report().failedWithoutCode).toEqual([]);
    });

    it('answers 503 with a code while PostgreSQL is down, and no other 5xx ever', () => {
      const pgDown = report().probes.find((p) => p.during === 'pg-down');
      expect(pgDown?.total ?? 0).toBeGreaterThan(0);
      expect(pgDown?.violations).toEqual([]);
      expect(report().uncoded503).toEqual([]);
      expect(report().api5xx).toEqual([]);
    });

    it('no process exits unless told to', () => {
      expect(report().crashes).toEqual([]);
      expect(run?.redis?.unexpectedExits ?? []).toEqual([]);
    });

    it(`finishes creates cut short by killing every worker within ${CREATE_RESUME_LIMIT_MS / 1000} s of the restarts`, () => {
      const outcome = run?.createUnderKill;
      expect(outcome?.resumedMs, JSON.stringify(outcome?.statuses)).not.toBeNull();
      expect(outcome!.resumedMs!).toBeLessThanOrEqual(CREATE_RESUME_LIMIT_MS);
    });

    it('leaves no sandbox on any host without a VM that wants it there', () => {
      expect(run?.unwantedSandboxes).toEqual([]);
    });

    it(`workers complete new work within ${RESUME_LIMIT_MS / 1000} s of Redis coming back`, () => {
      const [resume] = report().redisResume;
      expect(resume?.perWorker).toBeDefined();
      for (const [worker, ms] of Object.entries(resume!.perWorker)) {
        expect({ worker, ms }).toEqual({ worker, ms: expect.any(Number) });
        expect(ms!, `worker ${worker}`).toBeLessThanOrEqual(RESUME_LIMIT_MS);
      }
    });
  },
);
