/**
 * Creates interrupted by a crash, and sandboxes no VM wants: six creates sent without waiting,
 * every worker SIGKILLed 0.3 s later and restarted 3 s after; every create must then finish
 * within a bound, and in the end no host may keep a VM sandbox that the store does not place
 * there (a half-made sandbox of a create that ran again elsewhere included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import type { Cluster } from './cluster.js';
import type { HistoryWriter } from './history.js';
import { sleep, waitFor } from './processes.js';

export interface CreateUnderKillOutcome {
  vmIds: string[];
  /** From the restarts to the last of the six creates finishing, ms. */
  resumedMs: number | null;
  /** VM statuses when the wait ended. */
  statuses: Record<string, string>;
}

export async function createUnderKill(
  cluster: Cluster,
  history: HistoryWriter,
  workerIds: readonly string[],
  resumeLimitMs: number,
): Promise<CreateUnderKillOutcome> {
  const client = cluster.client;
  const sent = await Promise.all(
    Array.from({ length: 6 }, (_, i) => client.createVm({ name: `kill-create-${i + 1}` })),
  );
  const vmIds = sent.map(({ vm }) => vm.id);
  await sleep(300);
  for (const id of workerIds) await cluster.killWorker(id);
  history.append({
    type: 'note',
    message: `create-under-kill: killed ${workerIds.join(', ')}`,
    detail: { vmIds },
  });
  await sleep(3_000);
  await Promise.all(workerIds.map((id) => cluster.startWorker(id)));
  const restarted = Date.now();
  history.append({ type: 'note', message: 'create-under-kill: workers restarted' });
  const statuses: Record<string, string> = {};
  const settled = async () => {
    for (const id of vmIds) statuses[id] = (await client.getVm(id)).status;
    return Object.values(statuses).every((status) => status === 'running');
  };
  const resumedMs = await waitFor('the interrupted creates to finish', settled, resumeLimitMs, 200).then(
    () => Date.now() - restarted,
    () => null,
  );
  history.append({ type: 'note', message: 'create-under-kill: done', detail: { resumedMs, statuses } });
  return { vmIds, resumedMs, statuses };
}

/** Process-driver VM sandboxes running now: `<dataDir>/process/vms/<vm id>/root` is on their command line. */
export function vmSandboxesOf(dataDirOf: (workerId: string) => string, workerIds: readonly string[]) {
  const found: { workerId: string; vmId: string; pid: number }[] = [];
  const patterns = workerIds.map((workerId) => ({
    workerId,
    pattern: new RegExp(`${escapeRegExp(dataDirOf(workerId))}/process/vms/([0-9a-f-]{36})/root`),
  }));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    for (const { workerId, pattern } of patterns) {
      const vmId = pattern.exec(cmdline)?.[1];
      if (vmId) found.push({ workerId, vmId, pid: Number(entry) });
    }
  }
  // A sandbox is several processes naming the same root: one entry per VM and worker.
  const seen = new Set<string>();
  return found.filter(({ workerId, vmId }) => {
    const key = `${workerId}/${vmId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Sandboxes no VM wants, after waiting up to `withinMs` for the workers' periodic sweeps: each
 * VM sandbox must belong to a VM the store has live on that worker.
 */
export async function unwantedSandboxes(
  db: pg.Pool,
  dataDirOf: (workerId: string) => string,
  workerIds: readonly string[],
  withinMs: number,
): Promise<{ workerId: string; vmId: string; status: string | null; owner: string | null }[]> {
  let unwanted: { workerId: string; vmId: string; status: string | null; owner: string | null }[] = [];
  const check = async () => {
    const { rows } = await db.query<{ id: string; worker_id: string | null; status: string }>(
      'SELECT id, worker_id, status FROM vms',
    );
    const vms = new Map(rows.map((row) => [row.id, row]));
    const live = new Set(['creating', 'running', 'stopping', 'stopped']);
    unwanted = vmSandboxesOf(dataDirOf, workerIds)
      .filter(({ workerId, vmId }) => {
        const vm = vms.get(vmId);
        return !vm || vm.worker_id !== workerId || !live.has(vm.status);
      })
      .map(({ workerId, vmId }) => ({
        workerId,
        vmId,
        status: vms.get(vmId)?.status ?? null,
        owner: vms.get(vmId)?.worker_id ?? null,
      }));
    return unwanted.length === 0;
  };
  await waitFor('orphaned sandboxes to be swept', check, withinMs, 250).catch(() => {});
  return unwanted;
}
