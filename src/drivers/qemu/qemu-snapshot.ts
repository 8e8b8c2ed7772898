/**
 * Snapshots of QEMU microVMs. Save: pause (`stop`), stream device state and RAM to a file through
 * QEMU's migration (`migrate` to an `exec:` URI, QEMU 7 has no `file:` one), copy the disk while
 * the VM is still paused, resume (`cont`). Restore: a new QEMU with the same machine arguments and
 * `-incoming` from that file, a fresh qcow2 overlay over the saved disk, `cont`, then the agent
 * resyncs, the guest clock is set to the host's and the guest gets its own hostname.
 */
import { execFile } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { DriverSnapshotInfo, VmSpec } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AgentClient } from '../../protocol/client.js';
import { resyncRestoredGuest } from '../shared/guest-resync.js';
import { cmdline } from '../shared/host-proc.js';
import { qemuArgs } from './qemu-args.js';
import { spawnQemu } from './qemu-process.js';
import { QmpClient } from './qmp.js';
import { type GuestImage, QEMU_ENV } from './settings.js';
import { QemuSnapshotDir, type QemuSnapshotMeta } from './snapshot-files.js';
import { type BootRecord, listQemuPoolIds, listQemuVmIds, QemuVmDir } from './vm-files.js';

const execFileAsync = promisify(execFile);

const QMP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;
const SYNC_ATTEMPT_MS = 1_000;
/** Unlimited in practice: the VM is paused, so the save should run as fast as the disk takes it. */
const MIGRATE_BANDWIDTH_BYTES_PER_S = 64 * 1024 ** 3;

/** What the driver lends the snapshot code: its view of a VM's process and agent. */
export interface QemuSnapshotHost {
  stateDir: string;
  qemuBinary: string;
  qemuImgBinary: string;
  /** Spawn → agent answering, for a restore as for a boot. */
  bootTimeoutMs: number;
  logger: Logger;
  livePid(dir: QemuVmDir): Promise<number | null>;
  connectAgent(dir: QemuVmDir, syncMs: number): Promise<AgentClient>;
  /** Kills the VM's QEMU (no grace), for a restore that failed half-way. */
  kill(dir: QemuVmDir): Promise<void>;
}

function toInfo(meta: QemuSnapshotMeta, snap: QemuSnapshotDir): DriverSnapshotInfo {
  return {
    id: meta.id,
    sourceVmId: meta.sourceVmId,
    vcpus: meta.vcpus,
    memoryMiB: meta.memoryMiB,
    imageId: meta.image.id,
    path: snap.dir,
    sizeBytes: meta.sizeBytes,
    durationMs: meta.durationMs,
  };
}

async function waitFor<T>(
  what: string,
  deadlineMs: number,
  probe: () => Promise<T | null>,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new AetherError('ERR_DRIVER_FAILED', `${what} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Streams a paused VM's device state and RAM to `uri` through QEMU's migration and waits until it
 * is complete. QEMU flushes the VM's block devices at the end, so its disk is the same instant.
 */
export async function saveMachineState(
  host: Pick<QemuSnapshotHost, 'bootTimeoutMs'>,
  qmp: QmpClient,
  vmId: string,
  uri: string,
  signal?: AbortSignal,
): Promise<void> {
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': MIGRATE_BANDWIDTH_BYTES_PER_S });
  await qmp.execute('migrate', { uri });
  await waitFor(
    `VM ${vmId}: state not saved`,
    host.bootTimeoutMs,
    async () => {
      const info = (await qmp.execute('query-migrate')) as { status?: string; 'error-desc'?: string };
      if (info.status === 'failed' || info.status === 'cancelled') {
        throw new AetherError(
          'ERR_DRIVER_FAILED',
          `VM ${vmId}: saving its state ${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`,
        );
      }
      return info.status === 'completed' ? true : null;
    },
    signal,
  );
}

/** Saves the running VM of `dir`; the caller holds the VM's lock. */
export async function saveQemuSnapshot(
  host: QemuSnapshotHost,
  dir: QemuVmDir,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<DriverSnapshotInfo> {
  const snap = new QemuSnapshotDir(host.stateDir, snapshotId);
  const done = await snap.readMeta();
  if (done) return toInfo(done, snap);
  const spec = await dir.readSpec();
  const boot = await dir.readBoot();
  if (!spec || !boot || (await host.livePid(dir)) === null) {
    throw new AetherError(
      'ERR_VM_NOT_RUNNING',
      `VM ${dir.id} is not running: only a running VM can be snapshotted`,
      {
        details: { id: dir.id },
      },
    );
  }
  if (spec.networkAttachment) {
    throw new AetherError(
      'ERR_UNSUPPORTED',
      `VM ${dir.id} is on the host bridge: a copy would share its TAP and address, so it cannot be snapshotted`,
    );
  }
  const started = performance.now();
  await snap.prepare();
  const qmp = await QmpClient.open(dir.files.qmpSocket, QMP_TIMEOUT_MS);
  try {
    await qmp.execute('stop');
    try {
      await saveMachineState(host, qmp, dir.id, snap.saveUri, signal);
      // Still paused and its block devices flushed by the migration: the disk is the same instant.
      await copyFile(dir.files.disk, snap.disk);
    } finally {
      // `cont` also takes the disk back from the finished migration.
      await qmp.execute('cont').catch((error: unknown) => {
        host.logger.error({ vmId: dir.id, err: error }, 'could not resume the VM after its snapshot');
      });
    }
  } catch (error) {
    await snap.remove();
    throw error;
  } finally {
    qmp.close();
  }
  const meta = await savedStateMeta(host, dir, { spec, boot }, snapshotId, snap, started);
  await snap.writeMeta(meta);
  host.logger.info({ vmId: dir.id, snapshotId, durationMs: meta.durationMs }, 'VM snapshotted');
  return toInfo(meta, snap);
}

/** What a saved state of `dir`'s VM must reproduce, as its `meta.json` records it. */
export async function savedStateMeta(
  host: Pick<QemuSnapshotHost, 'qemuImgBinary'>,
  dir: QemuVmDir,
  vm: { spec: VmSpec; boot: BootRecord },
  id: string,
  saved: QemuSnapshotDir,
  startedAt: number,
): Promise<QemuSnapshotMeta> {
  return {
    id,
    sourceVmId: dir.id,
    vcpus: vm.spec.vcpus,
    memoryMiB: vm.spec.memoryMiB,
    network: vm.spec.network === true,
    accel: vm.boot.accel,
    image: await imageOfBoot(host, dir.id, vm.boot, dir.files.disk),
    createdAt: new Date().toISOString(),
    sizeBytes: await saved.sizeBytes(),
    durationMs: performance.now() - startedAt,
  };
}

/** The image files the running QEMU was started with, read from its command line in boot.json's pid. */
export async function imageOfBoot(
  host: Pick<QemuSnapshotHost, 'qemuImgBinary'>,
  vmId: string,
  boot: BootRecord,
  disk: string,
): Promise<GuestImage> {
  const argv = cmdline(boot.pid) ?? [];
  const after = (flag: string) => argv[argv.indexOf(flag) + 1];
  const kernel = after('-kernel');
  const initrd = after('-initrd');
  const backing = await execFileAsync(host.qemuImgBinary, ['info', '-U', '--output=json', disk], {
    env: QEMU_ENV,
    timeout: 30_000,
  }).then(({ stdout }) => (JSON.parse(stdout) as { 'backing-filename'?: string })['backing-filename']);
  if (!kernel || !initrd || !backing) {
    throw new AetherError('ERR_DRIVER_FAILED', `VM ${vmId}: cannot tell which guest image it runs`);
  }
  return { id: boot.imageId, kernel, initrd, rootfs: backing };
}

/**
 * Removes a snapshot's files unless a VM (or a warm-pool member) still reads its disk through
 * an overlay: ERR_SNAPSHOT_IN_USE then names them. Idempotent.
 */
export async function deleteQemuSnapshot(stateDir: string, snapshotId: string): Promise<void> {
  const snap = new QemuSnapshotDir(stateDir, snapshotId);
  const readers: string[] = [];
  for (const [area, ids] of [
    ['v', await listQemuVmIds(stateDir)],
    ['pool', await listQemuPoolIds(stateDir)],
  ] as const) {
    for (const id of ids) {
      if ((await new QemuVmDir(stateDir, id, area).readSourceSnapshot()) === snapshotId) readers.push(id);
    }
  }
  if (readers.length > 0) {
    throw new AetherError(
      'ERR_SNAPSHOT_IN_USE',
      `snapshot ${snapshotId} backs the disks of ${readers.length} VM(s) on this host (${readers.slice(0, 5).join(', ')}); delete them first`,
      { details: { snapshotId, vms: readers } },
    );
  }
  await snap.remove();
}

export interface RestoreTimings {
  /** Spawn → the saved state loaded (QEMU paused, ready to run). */
  loadMs: number;
  /** `cont` → the agent answering a resync. */
  agentMs: number;
  totalMs: number;
}

/** Creates and runs `spec.id` from a snapshot; the caller holds the VM's lock. */
export async function restoreQemuSnapshot(
  host: QemuSnapshotHost,
  dir: QemuVmDir,
  spec: VmSpec,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<RestoreTimings | null> {
  const snap = new QemuSnapshotDir(host.stateDir, snapshotId);
  const meta = await snap.readMeta();
  if (!meta) throw new AetherError('ERR_SNAPSHOT_NOT_FOUND', `no snapshot ${snapshotId} on this host`);
  if (spec.vcpus !== meta.vcpus || spec.memoryMiB !== meta.memoryMiB) {
    throw new AetherError(
      'ERR_VALIDATION',
      `a VM from snapshot ${snapshotId} has ${meta.vcpus} vCPUs and ${meta.memoryMiB} MiB, not ${spec.vcpus} and ${spec.memoryMiB}`,
      { details: { field: 'vcpus' } },
    );
  }
  if ((await dir.readSpec()) && (await host.livePid(dir)) !== null) return null;
  const ownSpec: VmSpec = { ...spec, network: meta.network };
  delete ownSpec.networkAttachment;
  await dir.remove();
  await dir.create(ownSpec);
  try {
    await dir.writeSourceSnapshot(snapshotId);
    await execFileAsync(
      host.qemuImgBinary,
      ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', snap.disk, dir.files.disk],
      { env: QEMU_ENV, timeout: 30_000 },
    );
    await dir.clearRuntime();
    return await launchFromState(host, dir, ownSpec, meta, snap, `snapshot ${snapshotId}`, signal);
  } catch (error) {
    await host.kill(dir).catch(() => {});
    await dir.remove();
    throw error;
  }
}

/**
 * Starts QEMU for `dir` loading the saved state in `snap` (the machine `meta` describes), runs
 * it, and waits for its agent; `what` names the state in messages. The caller kills QEMU when
 * this throws.
 */
export async function launchFromState(
  host: QemuSnapshotHost,
  dir: QemuVmDir,
  spec: VmSpec,
  meta: QemuSnapshotMeta,
  snap: QemuSnapshotDir,
  what: string,
  signal?: AbortSignal,
): Promise<RestoreTimings> {
  const args = qemuArgs({
    vmId: spec.id,
    vcpus: meta.vcpus,
    memoryMiB: meta.memoryMiB,
    network: meta.network,
    networkAttachment: spec.networkAttachment,
    accel: meta.accel,
    image: meta.image,
    files: dir.files,
    incoming: snap.loadUri,
  });
  const started = performance.now();
  const qemu = await spawnQemu(host.qemuBinary, args, dir.dir);
  const record: BootRecord = {
    pid: qemu.pid,
    accel: meta.accel,
    imageId: meta.image.id,
    bootedAt: new Date().toISOString(),
    timings: null,
  };
  await dir.writeBoot(record);
  const alive = () => {
    const exited = qemu.exited();
    if (exited) {
      const said = qemu.stderr().trim();
      throw new AetherError(
        'ERR_DRIVER_FAILED',
        `VM ${spec.id}: QEMU exited while loading ${what} (${exited})${said ? `; QEMU said: ${said.slice(-1000)}` : ''}`,
      );
    }
  };

  const qmp = await waitFor(
    `VM ${spec.id}: QEMU did not open QMP`,
    host.bootTimeoutMs,
    async () => {
      alive();
      return QmpClient.open(dir.files.qmpSocket, QMP_TIMEOUT_MS).catch(() => null);
    },
    signal,
  );
  let loaded: number;
  try {
    await waitFor(
      `VM ${spec.id}: ${what} not loaded`,
      host.bootTimeoutMs,
      async () => {
        alive();
        const status = (await qmp.execute('query-status')) as { status?: string };
        return status.status === 'inmigrate' ? null : true;
      },
      signal,
    );
    loaded = performance.now();
    await qmp.execute('cont');
  } finally {
    qmp.close();
  }

  const agent = await waitFor(
    `VM ${spec.id}: agent not answering after loading ${what}`,
    host.bootTimeoutMs,
    async () => {
      alive();
      return host.connectAgent(dir, SYNC_ATTEMPT_MS).catch(() => null);
    },
    signal,
  );
  const ready = performance.now();
  try {
    // The guest's clock stopped at the snapshot; its identity is still the source VM's.
    await resyncRestoredGuest(agent, spec.id, spec.name);
  } finally {
    await agent.close();
  }
  const timings: RestoreTimings = {
    loadMs: loaded - started,
    agentMs: ready - loaded,
    totalMs: performance.now() - started,
  };
  record.timings = {
    qemuStartMs: timings.loadMs,
    kernelBootMs: null,
    agentStartMs: timings.agentMs,
    totalMs: timings.totalMs,
  };
  await dir.writeBoot(record);
  host.logger.info({ vmId: spec.id, from: what, timings }, 'microVM started from a saved state');
  return timings;
}
