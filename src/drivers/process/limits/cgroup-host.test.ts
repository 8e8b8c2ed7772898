/**
 * Which cgroup layout a host has, read from its /proc files: v2 with the controllers, v1 with one
 * mount per controller (this project's CI), or neither; and what a sandbox's cgroups are told on
 * v2, against a directory laid out as the kernel lays out a cgroup2 mount.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectCgroupHost } from './cgroup-host.js';
import { SandboxCgroup, sandboxCgroupRecord } from './sandbox-cgroup.js';

const V1_MOUNTINFO = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '36 31 0:33 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const V1_OWN = '9:name=systemd:/\n8:pids:/\n4:memory:/system.slice/aether.service\n2:cpu,cpuacct:/\n0::/\n';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('cgroup host detection', () => {
  it('takes v1 when the v2 mount beside it has none of the controllers, nesting under our own cgroup', () => {
    const host = detectCgroupHost({ mountinfo: V1_MOUNTINFO, procCgroup: V1_OWN }, () => true);
    expect(host).toEqual({
      version: 1,
      parents: {
        memory: '/sys/fs/cgroup/memory/system.slice/aether.service',
        cpu: '/sys/fs/cgroup/cpu,cpuacct',
        pids: '/sys/fs/cgroup/pids',
      },
      cpuacctParent: '/sys/fs/cgroup/cpu,cpuacct',
      freezerParent: '/sys/fs/cgroup/freezer',
    });
  });

  it('takes v2 when its mount offers memory, cpu and pids', () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-cg2-'));
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    const mountinfo = `30 23 0:27 / ${dir} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`;
    expect(detectCgroupHost({ mountinfo, procCgroup: '0::/user.slice\n' }, () => true)).toEqual({
      version: 2,
      mount: dir,
    });
  });

  it('says why when it cannot: a controller missing, or no right to write', () => {
    const noPids = V1_MOUNTINFO.split('\n')
      .filter((l) => !l.includes('pids'))
      .join('\n');
    expect(detectCgroupHost({ mountinfo: noPids, procCgroup: V1_OWN }, () => true)).toEqual({
      version: null,
      reason: expect.stringMatching(/pids controller/),
    });
    expect(detectCgroupHost({ mountinfo: V1_MOUNTINFO, procCgroup: V1_OWN }, () => false)).toEqual({
      version: null,
      reason: expect.stringMatching(/cannot create cgroups under \/sys\/fs\/cgroup\/memory/),
    });
  });
});

describe('a sandbox cgroup on v2', () => {
  it('enables the controllers down to it and writes memory without swap, CPU quota and pids', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-cg2-'));
    writeFileSync(join(dir, 'cgroup.subtree_control'), 'cpu\n');
    const record = sandboxCgroupRecord({ version: 2, mount: dir }, 'aether-scope', 'sandbox-1');
    expect(record).toEqual({ version: 2, dir: join(dir, 'aether-scope', 'sandbox-1') });
    const cgroup = new SandboxCgroup(record);
    // The kernel makes these files with the directory; a plain directory needs them made.
    mkdirSync(join(dir, 'aether-scope'));
    writeFileSync(join(dir, 'aether-scope', 'cgroup.subtree_control'), '');
    await cgroup.create();
    writeFileSync(join(dir, 'aether-scope', 'sandbox-1', 'memory.swap.max'), 'max');
    await cgroup.limit({ memoryMiB: 256, vcpus: 2, pids: 512 });
    const read = (...p: string[]) => readFileSync(join(dir, ...p), 'utf8');
    expect(read('cgroup.subtree_control')).toBe('+memory +pids');
    expect(read('aether-scope', 'cgroup.subtree_control')).toBe('+memory +cpu +pids');
    expect(read('aether-scope', 'sandbox-1', 'memory.max')).toBe(String(256 * 1024 * 1024));
    expect(read('aether-scope', 'sandbox-1', 'memory.swap.max')).toBe('0');
    expect(read('aether-scope', 'sandbox-1', 'cpu.max')).toBe('200000 100000');
    expect(read('aether-scope', 'sandbox-1', 'pids.max')).toBe('512');
    expect(cgroup.procsFiles).toEqual([join(dir, 'aether-scope', 'sandbox-1', 'cgroup.procs')]);
    writeFileSync(
      join(dir, 'aether-scope', 'sandbox-1', 'memory.events'),
      'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    );
    expect(await cgroup.oomKills()).toBe(1);
  });
});
