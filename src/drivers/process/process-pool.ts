/**
 * Warm pool of the process driver (`warmPoolSize` > 0): idle sandboxes booted ahead under
 * `<stateDir>/pool/<poolId>`. `create` adopts one by renaming its directory to `vms/<id>` (one
 * atomic rename: the VM exists from that instant, with a live sandbox reserved for it, and
 * reports "created"); `start` then only promotes the record and pings. The sandbox's random tag
 * makes the rename invisible to the identity check (sandbox-pids.ts).
 *
 * Pool sandboxes belong to no VM: each holds a lifeline to this process (shared/lifeline.ts), so
 * it dies with it however it dies, until adoption releases it; `close()` kills them, and a pool
 * over the same stateDir removes the directories of those whose driver instance is gone (and
 * kills any sandbox still running there; shared/pool-owner.ts).
 */
import { randomBytes } from 'node:crypto';
import type { VmSpec } from '../../core/driver.js';
import type { Logger } from '../../core/logger.js';
import { AgentClient } from '../../protocol/client.js';
import { connectAgentSocket } from '../shared/agent-socket.js';
import type { Lifeline } from '../shared/lifeline.js';
import { PoolFiller } from '../shared/pool-filler.js';
import { isPoolLeftover, newPoolOwner, poolOwnerText, releasePoolOwner } from '../shared/pool-owner.js';
import { liveSandbox } from './sandbox-pids.js';
import { listPoolIds, VmDir } from './vm-dir.js';

const CONNECT_TIMEOUT_MS = 2_000;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 30_000;
/** A pool directory without an owner is being made; only an old one is a crash's leftover. */
const OWNERLESS_GRACE_MS = 60_000;
const REFILL_PAUSE_MS = 20;

/** What the driver lends its pool. */
export interface ProcessPoolHost {
  stateDir: string;
  /** Sandboxes kept booted; 0 turns the pool off. */
  size: number;
  /** Owner of what the guest writes, when the host is root. */
  sandboxIds: { uid: number; gid: number } | null;
  logger: Logger;
  /** Resolves once sandboxes can boot here (the isolation tool is known). */
  ready(): Promise<unknown>;
  /** Makes a pool directory's tree (and home volume) before its sandbox boots. */
  prepareTree(dir: VmDir): Promise<void>;
  /** Boots a sandbox in `dir` tied to this process by a lifeline; on failure nothing is left running. */
  launchWithLifeline(dir: VmDir): Promise<Lifeline | null>;
  /** Kills the sandbox in `dir` at once. */
  kill(dir: VmDir): Promise<void>;
}

export interface ProcessWarmPool {
  /** Starts filling in the background (nothing when the pool is off, full or closed). */
  fill(): void;
  /**
   * Hands a live pool sandbox to a new VM. False when none is ready (or the rename lost a race):
   * the caller creates the VM as usual.
   */
  adopt(spec: VmSpec): Promise<boolean>;
  /** Once per pool: removes the members of driver instances that are gone. Never throws. */
  sweep(): Promise<void>;
  /**
   * Starts filling and resolves once full (at once without a pool, or after `close()`). Boot
   * failures are retried with backoff, so on a host that cannot boot it does not resolve.
   */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** An idle pool sandbox, and the lifeline that makes it die with this process. */
interface PoolMember {
  dir: VmDir;
  lifeline: Lifeline | null;
}

export function createProcessWarmPool(host: ProcessPoolHost): ProcessWarmPool {
  const { logger } = host;
  const owner = newPoolOwner();
  let swept: Promise<void> | null = null;

  /** Boots one pool sandbox, tied to this process by its lifeline, and checks its agent answers. */
  async function bootMember(): Promise<PoolMember> {
    await host.ready();
    const dir = new VmDir(host.stateDir, `p${randomBytes(8).toString('hex')}`, 'pool');
    await host.prepareTree(dir);
    await dir.writeOwner(poolOwnerText(owner));
    let lifeline: Lifeline | null = null;
    try {
      lifeline = await host.launchWithLifeline(dir);
      const agent = new AgentClient(await connectAgentSocket(dir.socket, CONNECT_TIMEOUT_MS), { logger });
      try {
        await agent.ping();
      } finally {
        await agent.close();
      }
      return { dir, lifeline };
    } catch (error) {
      await discard({ dir, lifeline });
      throw error;
    }
  }

  /** Kills a pool sandbox and removes its directory. */
  async function discard(member: PoolMember): Promise<void> {
    const { dir, lifeline } = member;
    try {
      await host.kill(dir);
      await dir.remove();
    } catch (error) {
      logger.error({ poolId: dir.id, err: error }, 'cannot discard pool sandbox');
    } finally {
      lifeline?.cut(); // after the kill: cutting it first would race the sandbox's own shutdown
    }
  }

  const filler = new PoolFiller<PoolMember>({
    size: host.size,
    make: bootMember,
    discard,
    backoff: { minMs: BACKOFF_MIN_MS, maxMs: BACKOFF_MAX_MS },
    pauseMs: REFILL_PAUSE_MS,
    onFailure: (error, retryInMs) => logger.warn({ err: error, retryInMs }, 'warm pool: boot failed'),
  });

  async function removeLeftovers(): Promise<void> {
    for (const poolId of await listPoolIds(host.stateDir)) {
      const dir = new VmDir(host.stateDir, poolId, 'pool');
      if (!(await isPoolLeftover(dir, OWNERLESS_GRACE_MS))) continue;
      logger.info({ poolId }, 'removing pool sandbox left by a previous driver');
      await discard({ dir, lifeline: null });
    }
  }

  /**
   * vm.json and a reserved record go into the pool directory, then one rename makes it
   * `vms/<id>`, then its lifeline is released so it outlives this process like any VM's sandbox
   * (a crash between the two leaves a "created" VM whose sandbox died with us: `start` boots it).
   */
  async function adopt(spec: VmSpec): Promise<boolean> {
    const target = new VmDir(host.stateDir, spec.id);
    for (let member = filler.take(); member; member = filler.take()) {
      const { dir, lifeline } = member;
      const live = await liveSandbox(dir);
      if (!live) {
        await discard(member);
        continue;
      }
      try {
        await dir.writeSandbox({ ...live.record, reserved: true });
        await dir.writeSpec(spec);
        await dir.moveTo(target);
      } catch (error) {
        logger.warn({ vmId: spec.id, poolId: dir.id, err: error }, 'warm pool: adoption failed');
        await discard(member);
        return false;
      }
      await target.removeOwner().catch(() => {});
      try {
        await lifeline?.release();
      } catch (error) {
        // Its agent is gone: the VM exists, "created", and `start` boots it afresh.
        logger.warn({ vmId: spec.id, poolId: dir.id, err: error }, 'warm pool: adopted sandbox is gone');
        await host
          .kill(target)
          .catch((killError: unknown) =>
            logger.error({ vmId: spec.id, err: killError }, 'cannot kill an adopted sandbox'),
          );
        return true;
      }
      logger.info({ vmId: spec.id, poolId: dir.id, pid: live.record.pid }, 'adopted pool sandbox');
      return true;
    }
    return false;
  }

  return {
    fill: () => filler.fill(),
    adopt,
    sweep() {
      swept ??= removeLeftovers().catch((error) =>
        logger.error({ err: error }, 'cannot remove pool leftovers'),
      );
      return swept;
    },
    async warmUp() {
      if (host.size === 0) return;
      await host.ready();
      while (filler.short) {
        filler.fill();
        await filler.filling();
      }
    },
    async close() {
      releasePoolOwner(owner);
      await filler.close();
    },
  };
}
