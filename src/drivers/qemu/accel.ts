/**
 * Which accelerator boots our microVMs here. KVM when /dev/kvm is usable and QEMU can set up a
 * vCPU on it (on some hosts, nested or restricted KVM aborts QEMU at vCPU setup); otherwise TCG,
 * software emulation: every instruction translated, a few times slower, but it runs anywhere.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { QEMU_ENV } from './settings.js';

export type KvmProbe = { usable: true } | { usable: false; reason: string };

/** How long a paused KVM machine must survive to count as usable: setup failures abort in ~100 ms. */
const PROBE_MS = 1_500;

export async function probeKvm(qemuBinary: string): Promise<KvmProbe> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch (error) {
    return { usable: false, reason: `/dev/kvm is not usable (${(error as NodeJS.ErrnoException).code})` };
  }
  return new Promise((resolve) => {
    // Paused (-S): the vCPUs are set up, the guest never runs.
    const child = spawn(
      qemuBinary,
      [
        '-M',
        'microvm,accel=kvm',
        '-cpu',
        'host',
        '-m',
        '64',
        '-nodefaults',
        '-no-user-config',
        '-display',
        'none',
        '-S',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: QEMU_ENV },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-2000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ usable: true });
    }, PROBE_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ usable: false, reason: error.message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stderr.trim().split('\n')[0] ?? '';
      resolve({
        usable: false,
        reason: `QEMU exited at KVM setup (${signal ?? `code ${code}`})${line ? `: ${line}` : ''}`,
      });
    });
  });
}
