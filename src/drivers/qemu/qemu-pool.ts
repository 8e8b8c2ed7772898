/**
 * Warm pool of restored microVMs: `vm create` in the time of a rename, not of a boot.
 *
 * Once per guest image and machine shape the pool boots a template VM, snapshots it
 * (`<stateDir>/snapshots/pool-<image>-<vcpus>c<mem>m/`, reused while the image stays) and
 * removes it; then it keeps `size` VMs restored from that snapshot running idle under
 * `<stateDir>/pool/<poolId>/`. A create whose spec has the pool's shape, no network and no
 * image of its own adopts one: its directory is renamed to `v/<id>` (QEMU keeps its open files,
 * and its sockets are reached by the new path), the spec is written, and the agent sets the
 * guest's hostname and clock. The VM's disk is an overlay over the template's, as for any VM
 * made from a snapshot, so templates are never removed by the pool.
 *
 * Members belong to no VM: each (and a template while it is made) has a lifeline to this process
 * (pool-lifeline.ts), so its QEMU dies with it however it dies, until adoption releases it;
 * `close()` kills them, and a pool sweeping its directory kills and removes those whose driver
 * instance is gone (drivers/shared/pool-owner.ts).
 */
import { randomBytes } from 'node:crypto';
import type { VmSpec } from '../../core/driver.js';
import type { Logger } from '../../core/logger.js';
import { resyncRestoredGuest } from '../shared/guest-resync.js';
import type { Lifeline } from '../shared/lifeline.js';
import { PoolFiller } from '../shared/pool-filler.js';
import { isPoolLeftover, newPoolOwner, poolOwnerText, releasePoolOwner } from '../shared/pool-owner.js';
import { watchPoolMember } from './pool-lifeline.js';
import { type QemuSnapshotHost, restoreQemuSnapshot, saveQemuSnapshot } from './qemu-snapshot.js';
import type { Accel, GuestImage } from './settings.js';
import { QemuSnapshotDir } from './snapshot-files.js';
import { listQemuPoolIds, QemuVmDir } from './vm-files.js';

const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** A member directory without an owner is being made; only an old one is a crash's leftover. */
const OWNERLESS_GRACE_MS = 5 * 60_000;
const SYNC_MS = 2_000;

export interface QemuPoolSettings {
  /** Members kept running; 0 turns the pool off. */
  size: number;
  vcpus: number;
  memoryMiB: number;
}

/** What the driver lends the pool: the snapshot host, plus booting a fresh VM. */
export interface QemuPoolHost extends QemuSnapshotHost {
  image(): Promise<GuestImage>;
  accel(): Promise<Accel>;
  /** Creates the VM's overlay disk over the image and boots it until its agent answers. */
  bootFresh(dir: QemuVmDir, spec: VmSpec, accel: Accel, image: GuestImage): Promise<void>;
}

export interface QemuWarmPool {
  /**
   * Starts filling in the background; resolves once full (at once when the pool is off), rejects
   * with the error of the first restore that fails meanwhile (filling goes on, backing off).
   */
  warmUp(): Promise<void>;
  /**
   * Makes `target` a running VM for `spec` from a member, when the spec fits the pool. False when
   * it does not or none is ready: the caller boots as usual.
   */
  adopt(spec: VmSpec, target: QemuVmDir): Promise<boolean>;
  /** Idle members now. */
  size(): number;
  close(): Promise<void>;
}

const hex = () => randomBytes(8).toString('hex');

/** An idle member: its directory, the image it was restored from, and its lifeline. */
interface Member {
  dir: QemuVmDir;
  imageId: string;
  lifeline: Lifeline;
}

export function createQemuWarmPool(
  host: QemuPoolHost,
  settings: QemuPoolSettings,
  logger: Logger,
): QemuWarmPool {
  const owner = newPoolOwner();
  let swept: Promise<void> | null = null;
  const templates = new Map<string, Promise<string>>();

  const fits = (spec: VmSpec) =>
    settings.size > 0 &&
    spec.vcpus === settings.vcpus &&
    spec.memoryMiB === settings.memoryMiB &&
    spec.network !== true &&
    spec.networkAttachment === undefined &&
    spec.image === undefined;

  /** Kills a member's QEMU and removes its directory; then its watcher may go. */
  async function discard(dir: QemuVmDir, lifeline?: Lifeline): Promise<void> {
    try {
      await host.kill(dir);
      await dir.remove();
    } catch (error) {
      logger.error({ poolId: dir.id, err: error }, 'qemu warm pool: cannot discard a member');
    } finally {
      await lifeline?.release().catch(() => {});
    }
  }

  /** The snapshot members of this image are restored from, made on first use. */
  function template(image: GuestImage): Promise<string> {
    const id = `pool-${image.id}-${settings.vcpus}c${settings.memoryMiB}m`;
    let made = templates.get(id);
    if (!made) {
      made = makeTemplate(id, image);
      templates.set(id, made);
      made.catch(() => templates.delete(id));
    }
    return made;
  }

  async function makeTemplate(id: string, image: GuestImage): Promise<string> {
    if (await new QemuSnapshotDir(host.stateDir, id).readMeta()) return id;
    const dir = new QemuVmDir(host.stateDir, `t${hex()}`, 'pool');
    const spec: VmSpec = {
      id: dir.id,
      name: 'aether-pool',
      vcpus: settings.vcpus,
      memoryMiB: settings.memoryMiB,
    };
    await dir.create(spec);
    await dir.writeOwner(poolOwnerText(owner));
    const started = performance.now();
    const lifeline = watchPoolMember(dir.id); // before QEMU starts, in bootFresh
    try {
      await host.bootFresh(dir, spec, await host.accel(), image);
      await saveQemuSnapshot(host, dir, id);
    } finally {
      await discard(dir, lifeline);
    }
    logger.info(
      { template: id, ms: Math.round(performance.now() - started) },
      'qemu warm pool: template made',
    );
    return id;
  }

  async function restoreMember(): Promise<Member> {
    const image = await host.image();
    const templateId = await template(image);
    const dir = new QemuVmDir(host.stateDir, `p${hex()}`, 'pool');
    const spec: VmSpec = { id: dir.id, name: dir.id, vcpus: settings.vcpus, memoryMiB: settings.memoryMiB };
    // Before QEMU starts: a crash of ours mid-restore must not leave it running either.
    const lifeline = watchPoolMember(dir.id);
    try {
      await restoreQemuSnapshot(host, dir, spec, templateId);
      await dir.writeOwner(poolOwnerText(owner));
    } catch (error) {
      await discard(dir, lifeline);
      throw error;
    }
    return { dir, imageId: image.id, lifeline };
  }

  /** Members of pool instances that are gone: killed and removed. Never throws. */
  function sweep(): Promise<void> {
    swept ??= (async () => {
      for (const id of await listQemuPoolIds(host.stateDir)) {
        if (filler.members.some((m) => m.dir.id === id)) continue;
        const dir = new QemuVmDir(host.stateDir, id, 'pool');
        if (!(await isPoolLeftover(dir, OWNERLESS_GRACE_MS))) continue;
        logger.info({ poolId: id }, 'qemu warm pool: removing a member left by a previous driver');
        await discard(dir);
      }
    })().catch((error: unknown) => logger.error({ err: error }, 'qemu warm pool: sweep failed'));
    return swept;
  }

  /** Keeps the pool full, one restore at a time, backing off while restores fail. */
  const filler = new PoolFiller<Member>({
    size: settings.size,
    make: restoreMember,
    discard: (member) => discard(member.dir, member.lifeline),
    backoff: { minMs: BACKOFF_MIN_MS, maxMs: BACKOFF_MAX_MS },
    beforeRun: sweep,
    onFailure: (error, retryInMs) => logger.warn({ err: error, retryInMs }, 'qemu warm pool: restore failed'),
  });

  async function adopt(spec: VmSpec, target: QemuVmDir): Promise<boolean> {
    if (!fits(spec) || filler.isClosed) return false;
    const imageId = (await host.image()).id;
    for (let member = filler.take(); member; member = filler.take()) {
      if (member.imageId !== imageId || (await host.livePid(member.dir)) === null) {
        await discard(member.dir, member.lifeline);
        continue;
      }
      const boot = await member.dir.readBoot();
      if (!boot) {
        await discard(member.dir, member.lifeline);
        continue;
      }
      try {
        await member.dir.create(spec);
        await member.dir.writeBoot({ ...boot, tag: member.dir.id });
        await member.dir.moveTo(target);
        await target.removeOwner();
      } catch (error) {
        logger.warn({ vmId: spec.id, poolId: member.dir.id, err: error }, 'qemu warm pool: adoption failed');
        await discard(member.dir, member.lifeline);
        await target.remove();
        return false;
      }
      // A VM now: it outlives this process. (A crash just before leaves a stopped VM that boots.)
      await member.lifeline.release().catch((error: unknown) => {
        logger.warn({ vmId: spec.id, err: error }, 'qemu warm pool: the member had lost its watcher');
      });
      try {
        const agent = await host.connectAgent(target, SYNC_MS);
        try {
          // Its clock ran on since its restore, but a sync costs nothing; its name is the member's.
          await resyncRestoredGuest(agent, spec.id, spec.name);
        } finally {
          await agent.close();
        }
      } catch (error) {
        logger.warn({ vmId: spec.id, err: error }, 'qemu warm pool: an adopted member did not answer');
        await host.kill(target).catch(() => {});
        await target.remove();
        return false;
      }
      logger.info({ vmId: spec.id, poolId: member.dir.id }, 'qemu warm pool: member adopted');
      return true;
    }
    return false;
  }

  return {
    async warmUp() {
      const failed = filler.failures;
      filler.fill();
      while (filler.short) {
        if (filler.failures > failed) throw filler.lastFailure;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    adopt,
    size: () => filler.size,
    async close() {
      releasePoolOwner(owner);
      await filler.close();
    },
  };
}
