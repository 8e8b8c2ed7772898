/**
 * For drivers whose guests run a kernel of their own (QEMU, Firecracker): the guest's memory is
 * its hardware, and when a command outgrows it the guest kernel's OOM killer ends a process. The
 * agent reports that kernel's OOM kills during each command; a command that died of SIGKILL
 * (or a shell's 137) while the count rose, without timing out, ends with ERR_VM_OUT_OF_MEMORY,
 * and the VM lives on — as the process and docker drivers report it from their cgroups.
 */
import type { VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';

export function guestOomAware(exec: VmDriver['exec']): VmDriver['exec'] {
  return async (id, request, output, signal) => {
    const result = await exec(id, request, output, signal);
    const killed = result.signal === 'SIGKILL' || result.exitCode === 128 + 9;
    if (!killed || result.timedOut || !result.guestOomKills) return result;
    throw new AetherError(
      'ERR_VM_OUT_OF_MEMORY',
      `the command was killed: VM ${id} ran out of memory, and its kernel ended the command (the VM keeps running)`,
      { details: { id, reason: 'oom_killed' } },
    );
  };
}
