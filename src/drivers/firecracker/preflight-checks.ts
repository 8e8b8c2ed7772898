/**
 * The host side of the Firecracker preflight: KVM, the guest kernel and image, where vsock sockets
 * go, TAP permission, cgroup v2, the jail directory. Each check says what it found and, when it
 * fails, what to do.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/** CAP_NET_ADMIN's bit in /proc/<pid>/status CapEff. */
const CAP_NET_ADMIN = 12n;
/** A VM's vsock socket path when unjailed: `<stateDir>/v/<uuid>/v.sock`, within sun_path. */
const VSOCK_SUFFIX_BYTES = '/v/00000000-0000-0000-0000-000000000000/v.sock'.length;
const MAX_SOCKET_PATH = 107;

export interface Verdict {
  ok: boolean;
  detail: string;
  fix: string | null;
}

export const pass = (detail: string): Verdict => ({ ok: true, detail, fix: null });
export const fail = (detail: string, fix: string): Verdict => ({ ok: false, detail, fix });

export async function checkKvm(device: string): Promise<Verdict> {
  try {
    const info = await stat(device);
    if (!info.isCharacterDevice()) return fail(`${device} is not a character device`, 'load the kvm module');
  } catch {
    return fail(
      `${device} does not exist`,
      'enable virtualisation (VT-x/AMD-V) in the firmware and load the module (`modprobe kvm_intel` or `modprobe kvm_amd`), or use a machine type with nested virtualisation',
    );
  }
  try {
    const handle = await open(device, constants.O_RDWR);
    await handle.close();
  } catch (error) {
    return fail(
      `${device} cannot be opened read-write (${(error as NodeJS.ErrnoException).code})`,
      "add the worker's user to the kvm group (`usermod -aG kvm USER`) or run the worker as root",
    );
  }
  return pass(
    `${device} opens read-write (its API version is an ioctl Node cannot issue: Firecracker checks it at start)`,
  );
}

export async function checkKernel(kernel: string): Promise<Verdict> {
  const fix =
    'build one with `aether image kernel` and set AETHER_KERNEL (firecracker.kernel) to the vmlinux it names';
  if (kernel === '') return fail('no guest kernel configured', fix);
  try {
    const handle = await open(kernel, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
      if (bytesRead < 4 || buffer.toString('latin1') !== '\x7fELF') {
        return fail(
          `${kernel} is not an ELF vmlinux (a compressed bzImage or vmlinuz boots slower or not at all)`,
          fix,
        );
      }
    } finally {
      await handle.close();
    }
    const size = (await stat(kernel)).size;
    return pass(
      `${kernel}, ELF, ${(size / 1024 / 1024).toFixed(1)} MiB (its built-in drivers are not checked)`,
    );
  } catch (error) {
    return fail(`${kernel}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, fix);
  }
}

export async function checkImage(image: () => Promise<{ id: string; rootfs: string }>): Promise<Verdict> {
  try {
    const found = await image();
    const size = (await stat(found.rootfs)).size;
    return pass(`image ${found.id}: ${found.rootfs}, ${(size / 1024 / 1024).toFixed(0)} MiB`);
  } catch (error) {
    return fail(
      (error as Error).message.split(': build')[0] ?? 'no image',
      'build it with `aether image build --vm` (as root)',
    );
  }
}

/**
 * Hybrid vsock is a Unix socket Firecracker binds per VM: the state dir (or, before the worker
 * made it, its nearest existing parent) must take one, at a path that fits.
 */
export async function checkVsock(stateDir: string, jailed: boolean): Promise<Verdict> {
  const vhost = await stat('/dev/vhost-vsock').then(
    () => 'present',
    () => 'absent',
  );
  const note = `no vhost needed: Firecracker's hybrid vsock is a Unix socket per VM (/dev/vhost-vsock ${vhost}, unused)`;
  // Jailed, the socket is /run/v.sock inside the chroot: always short.
  if (!jailed && Buffer.byteLength(stateDir) + VSOCK_SUFFIX_BYTES > MAX_SOCKET_PATH) {
    return fail(
      `${stateDir} is too long for the VMs' socket paths (${MAX_SOCKET_PATH} bytes)`,
      'use a shorter data dir (AETHER_DATA_DIR)',
    );
  }
  let dir: string;
  try {
    dir = (await existingAncestor(stateDir)).path;
  } catch (error) {
    return fail((error as Error).message, 'create the data dir');
  }
  const probe = join(dir, `.aether-probe-${randomBytes(4).toString('hex')}.sock`);
  try {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(probe, resolve);
    });
    await new Promise((resolve) => server.close(resolve));
    return pass(`Unix sockets bind in ${dir}; ${note}`);
  } catch (error) {
    return fail(
      `cannot bind a Unix socket in ${dir}: ${(error as Error).message}`,
      'make it a writable local directory',
    );
  } finally {
    await rm(probe, { force: true });
  }
}

export async function checkNetAdmin(procStatus: string): Promise<Verdict> {
  try {
    const text = await readFile(procStatus, 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1];
    if (!hex) return fail(`no CapEff line in ${procStatus}`, 'run on Linux');
    if ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n)
      return pass('CAP_NET_ADMIN: this worker can create TAP devices');
    return fail(
      'no CAP_NET_ADMIN: this worker cannot create TAP devices for VMs with network',
      'make a TAP pool as root (`aether network setup --tap-pool N --tap-user UID`), or run the worker with CAP_NET_ADMIN',
    );
  } catch (error) {
    return fail(`cannot read ${procStatus}: ${(error as Error).message}`, 'run on Linux');
  }
}

export async function checkCgroupV2(mounts: string): Promise<Verdict> {
  const fix =
    'boot the host with cgroup v2 only (systemd.unified_cgroup_hierarchy=1 on its kernel command line)';
  let text: string;
  try {
    text = await readFile(mounts, 'utf8');
  } catch (error) {
    return fail(`cannot read ${mounts}: ${(error as Error).message}`, fix);
  }
  const mount = text
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[2] === 'cgroup2')?.[1];
  if (!mount) return fail('cgroup v2 is not mounted (the jailer is given --cgroup-version 2)', fix);
  const controllers = await readFile(join(mount, 'cgroup.controllers'), 'utf8').catch(() => '');
  const missing = ['cpu', 'memory'].filter((c) => !controllers.split(/\s+/).includes(c));
  if (missing.length > 0) {
    // Controllers absent from the root's list are bound to a cgroup v1 hierarchy (a hybrid host).
    return fail(
      `cgroup v2 at ${mount} lacks the ${missing.join(' and ')} controller${missing.length > 1 ? 's' : ''} (held by cgroup v1)`,
      fix,
    );
  }
  return pass(`cgroup v2 at ${mount} with cpu and memory`);
}

/** The nearest existing ancestor of `path` (itself when it exists). */
async function existingAncestor(path: string): Promise<{ path: string; dev: number }> {
  for (let current = path; ; current = dirname(current)) {
    try {
      return { path: current, dev: (await stat(current)).dev };
    } catch {
      if (current === dirname(current)) throw new Error(`nothing of ${path} exists`);
    }
  }
}

/**
 * The jailer trusts its inputs: the chroot base and its parents must not be writable by other
 * users, and VM disks are hard-linked into jails, so the base shares a file system with the
 * state dir.
 */
export async function checkJailDir(chrootBaseDir: string, stateDir: string): Promise<Verdict> {
  const fix = `make ${chrootBaseDir} root-owned and not writable by others, on the same file system as ${stateDir}`;
  const [base, state] = await Promise.all([existingAncestor(chrootBaseDir), existingAncestor(stateDir)]);
  for (let current = base.path; ; current = dirname(current)) {
    const info = await stat(current);
    if ((info.mode & 0o002) !== 0 || info.uid !== 0) {
      return fail(
        `${current} is ${info.uid !== 0 ? `owned by uid ${info.uid}` : 'writable by every user'}`,
        fix,
      );
    }
    if (current === dirname(current)) break;
  }
  if (base.dev !== state.dev) {
    return fail(
      `${chrootBaseDir} and ${stateDir} are on different file systems (VM disks are hard-linked into jails)`,
      fix,
    );
  }
  return pass(`${chrootBaseDir}: not writable by others, one file system with ${stateDir}`);
}
