/** The driver's health: can it boot a VM here now (binaries, kernel, image, /dev/kvm)? */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { DriverHealth } from '../../core/driver.js';
import { healthOf } from '../shared/driver-status.js';
import { requireExecutable } from './executables.js';
import type { ResolvedFirecrackerSettings } from './settings.js';
import { VMM_ENV } from './vmm-process.js';

const execFileAsync = promisify(execFile);

export function firecrackerHealth(s: ResolvedFirecrackerSettings): Promise<DriverHealth> {
  return healthOf(async () => {
    const firecracker = requireExecutable(s.firecrackerBinary, 'AETHER_FIRECRACKER_BIN');
    if (s.jailer) requireExecutable(s.jailer.binary, 'AETHER_JAILER_BIN');
    if (s.kernel === '') throw new Error('no guest kernel configured (AETHER_KERNEL)');
    const image = await s.image();
    await Promise.all([stat(s.kernel), stat(image.rootfs)]);
    await access('/dev/kvm', constants.R_OK | constants.W_OK).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`/dev/kvm is not usable (${error.code})`);
    });
    const { stdout } = await execFileAsync(firecracker, ['--version'], { env: VMM_ENV, timeout: 10_000 });
    const version = stdout.split('\n')[0]?.trim() ?? '';
    return `${version}${s.jailer ? ', jailed' : ', not jailed'}, image ${image.id}, kernel ${s.kernel}`;
  });
}
