/**
 * The qemu driver next to bare QEMU on the same image, in the same run:
 *   create → agent ready, split into QEMU start, kernel boot and agent start, next to a bare
 *   `qemu-system-x86_64` with the same kernel, initramfs, disk and devices timed to the guest's
 *   first user-space line (the init's console marker) — target: our overhead ≤ 10% of that;
 *   exec round trip through the agent on a running VM next to a bare ping over the same channel;
 *   a snapshot of that VM, and VMs started from it timed to their first exec, next to a boot;
 *   creates that adopt a warm-pool member, timed to their first exec, next to a boot.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createQemuDriver } from '../src/drivers/qemu/index.js';
import { qemuArgs } from '../src/drivers/qemu/qemu-args.js';
import type { Accel, GuestImage } from '../src/drivers/qemu/settings.js';
import { connectAgentSocket } from '../src/drivers/shared/agent-socket.js';
import { findVmImage } from '../src/images/index.js';
import { AgentClient } from '../src/protocol/client.js';
import { percentile, timeIt } from './stats.js';

export interface QemuFigures {
  accel: Accel;
  accelReason: string | null;
  image: string;
  boots: {
    qemuStart: number[];
    kernelBoot: number[];
    agentStart: number[];
    toInit: number[];
    total: number[];
  };
  bareToInit: number[];
  exec: { ours: number[]; barePing: number[] };
  /** Snapshot of a running VM (pause → saved → resumed), and VMs started from it → first exec. */
  snapshot: { save: number[]; restoreToExec: number[] };
  /** A create adopting a warm-pool member (restored ahead from a template) → first exec. */
  warmPoolToExec: number[];
}

export interface QemuOptions {
  boots: number;
  execCalls: number;
}

export async function qemuUnavailable(imageDataDir: string): Promise<string | null> {
  try {
    execFileSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'qemu-system-x86_64 is not installed';
  }
  return findVmImage(imageDataDir).then(
    () => null,
    (error: Error) => error.message,
  );
}

/** Bare QEMU, our own argv minus nothing but the management sockets' users: time to the init marker. */
async function bareBoot(image: GuestImage, accel: Accel, dir: string): Promise<number> {
  const disk = path.join(dir, 'bare.qcow2');
  rmSync(disk, { force: true });
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', image.rootfs, disk]);
  const args = qemuArgs({
    vmId: 'bare',
    vcpus: 1,
    memoryMiB: 256,
    network: false,
    accel,
    image,
    files: {
      disk,
      agentSocket: path.join(dir, 'ba.sock'),
      qmpSocket: path.join(dir, 'bq.sock'),
      console: path.join(dir, 'unused.log'),
      pidFile: path.join(dir, 'bare.pid'),
    },
  }).map((arg) => (arg.startsWith('file:') ? 'stdio' : arg));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      seen = (seen + text).slice(-4096);
      if (seen.includes('aether-init:')) {
        const elapsed = performance.now() - started;
        child.kill('SIGKILL');
        resolve(elapsed);
      }
    });
    child.once('error', reject);
    child.once('exit', () => reject(new Error(`bare QEMU exited before user space: ${seen.slice(-500)}`)));
  }).finally(() => rmSync(disk, { force: true })) as Promise<number>;
}

export async function benchQemu(
  options: QemuOptions,
  imageDataDir: string,
  log: (line: string) => void,
): Promise<QemuFigures> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aq-'));
  const image = await findVmImage(imageDataDir);
  const driver = createQemuDriver({ stateDir, image: async () => image, bootTimeoutMs: 180_000 });
  const { accel, reason } = await driver.accelerator();
  const boots: QemuFigures['boots'] = {
    qemuStart: [],
    kernelBoot: [],
    agentStart: [],
    toInit: [],
    total: [],
  };
  const bareToInit: number[] = [];
  try {
    log(`boot: ${options.boots} VMs through the driver, each next to a bare QEMU boot (${accel})`);
    for (let i = 0; i < options.boots; i++) {
      const id = `bench-${i}`;
      await driver.create({ id, name: id, vcpus: 1, memoryMiB: 256 });
      const total = await timeIt(() => driver.start(id));
      const t = await driver.bootTimings(id);
      if (!t || t.kernelBootMs === null) throw new Error(`no boot timings for ${id}`);
      boots.qemuStart.push(t.qemuStartMs);
      boots.kernelBoot.push(t.kernelBootMs);
      boots.agentStart.push(t.agentStartMs);
      boots.toInit.push(t.qemuStartMs + t.kernelBootMs);
      boots.total.push(total);
      await driver.destroy(id);
      bareToInit.push(await bareBoot(image, accel, stateDir));
    }

    log(`exec round trip: ${options.execCalls} calls, each next to a bare ping on the same channel`);
    const id = 'bench-exec';
    await driver.create({ id, name: id, vcpus: 1, memoryMiB: 256 });
    await driver.start(id);
    const ours: number[] = [];
    const barePing: number[] = [];
    const agent = new AgentClient(await connectAgentSocket(path.join(stateDir, 'v', id, 'a.sock'), 2000), {
      resync: true,
    });
    // QEMU's chardev takes one client: the bare channel and the driver's take turns.
    await agent.sync(10_000);
    for (let i = 0; i < 5; i++) await agent.ping();
    for (let i = 0; i < options.execCalls; i++) barePing.push((await agent.ping()).rttMs);
    await agent.close();
    for (let i = 0; i < 5; i++) await driver.exec(id, { argv: ['true'], timeoutMs: 30_000 });
    for (let i = 0; i < options.execCalls; i++) {
      ours.push(await timeIt(() => driver.exec(id, { argv: ['true'], timeoutMs: 30_000 })));
    }
    log(`snapshot: save the running VM once, then start ${options.boots} VMs from it`);
    const snapshot: QemuFigures['snapshot'] = { save: [], restoreToExec: [] };
    snapshot.save.push((await driver.snapshot(id, 'bench-snap')).durationMs);
    for (let i = 0; i < options.boots; i++) {
      const copy = `bench-copy-${i}`;
      snapshot.restoreToExec.push(
        await timeIt(async () => {
          await driver.createFromSnapshot({ id: copy, name: copy, vcpus: 1, memoryMiB: 256 }, 'bench-snap');
          await driver.exec(copy, { argv: ['true'], timeoutMs: 30_000 });
        }),
      );
      await driver.destroy(copy);
    }
    await driver.destroy(id);

    log(`warm pool: ${options.boots} creates, each adopting a member restored ahead (refills not timed)`);
    const warmPoolToExec = await warmPoolCreates(image, options.boots);
    return {
      accel,
      accelReason: reason,
      image: image.id,
      boots,
      bareToInit,
      exec: { ours, barePing },
      snapshot,
      warmPoolToExec,
    };
  } finally {
    for (const vm of await driver.list().catch(() => [])) await driver.destroy(vm.id).catch(() => {});
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Create → first exec on a driver whose warm pool holds one member; refills are waited out between. */
async function warmPoolCreates(image: GuestImage, count: number): Promise<number[]> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aqp-'));
  const driver = createQemuDriver({
    stateDir,
    image: async () => image,
    bootTimeoutMs: 180_000,
    warmPool: { size: 1 },
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      await driver.warmUp();
      const id = `bench-warm-${i}`;
      times.push(
        await timeIt(async () => {
          await driver.create({ id, name: id, vcpus: 1, memoryMiB: 256 });
          await driver.start(id);
          await driver.exec(id, { argv: ['true'], timeoutMs: 30_000 });
        }),
      );
      await driver.destroy(id);
    }
    return times;
  } finally {
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function qemuRows(f: QemuFigures): string[][] {
  const p = (xs: number[], q = 50) => percentile(xs, q);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  const overhead = (p(f.boots.toInit) - p(f.bareToInit)) / p(f.bareToInit);
  return [
    ['figure', 'aetherium', 'bare', 'ratio', 'target'],
    [
      'boot to first user-space line p50 (vs bare qemu)',
      s(p(f.boots.toInit)),
      s(p(f.bareToInit)),
      `${(p(f.boots.toInit) / p(f.bareToInit)).toFixed(2)}×`,
      `overhead ≤ 10%: ${(overhead * 100).toFixed(1)}% ${overhead <= 0.1 ? 'met' : 'NOT met'}`,
    ],
    ['  of which QEMU start p50', s(p(f.boots.qemuStart)), '', '', ''],
    ['  of which kernel boot p50', s(p(f.boots.kernelBoot)), '', '', ''],
    ['agent start p50 (init → agent answers)', s(p(f.boots.agentStart)), '', '', ''],
    ['create → agent ready p50', s(p(f.boots.total)), '', '', ''],
    ['snapshot of a running VM (paused → resumed)', s(p(f.snapshot.save)), '', '', ''],
    [
      'from snapshot → first exec p50 (vs create → agent ready)',
      s(p(f.snapshot.restoreToExec)),
      s(p(f.boots.total)),
      `${(p(f.snapshot.restoreToExec) / p(f.boots.total)).toFixed(2)}×`,
      '',
    ],
    [
      'warm pool create → first exec p50 (vs create → agent ready)',
      s(p(f.warmPoolToExec)),
      s(p(f.boots.total)),
      `${(p(f.warmPoolToExec) / p(f.boots.total)).toFixed(3)}×`,
      '',
    ],
    [
      'exec round trip p50 (vs bare ping, same channel)',
      ms(p(f.exec.ours)),
      ms(p(f.exec.barePing)),
      `${(p(f.exec.ours) / p(f.exec.barePing)).toFixed(2)}×`,
      '',
    ],
    [
      'exec round trip p99 (vs bare ping, same channel)',
      ms(p(f.exec.ours, 99)),
      ms(p(f.exec.barePing, 99)),
      `${(p(f.exec.ours, 99) / p(f.exec.barePing, 99)).toFixed(2)}×`,
      '',
    ],
  ];
}
