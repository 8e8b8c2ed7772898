import type { SandboxGone } from './agent-probe.js';

/** For the microVM drivers (QEMU, Firecracker): a VM that is not running has lost its VMM process. */
export function vmmGone(vmm: string): SandboxGone {
  return (info) => ({
    reason: 'vmm_exited',
    detail: info.state === 'missing' ? 'its state directory is gone' : `its ${vmm} process is gone`,
  });
}
