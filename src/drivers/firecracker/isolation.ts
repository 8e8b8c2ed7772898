import type { IsolationInfo } from '../../core/vm.js';

/** What separates a firecracker VM from the host and its siblings, said plainly. */
export function describeFirecrackerIsolation(jailed: boolean): IsolationInfo {
  return {
    level: 'microvm-kvm',
    kernel: 'dedicated',
    summary:
      'Firecracker microVM per VM with its own Linux kernel under KVM. Devices: a virtio-blk disk ' +
      "(the VM's own copy of the image), virtio-vsock to the agent, an entropy source, a " +
      'rate-limited serial console; no network unless asked (then one virtio-net NIC on a host TAP ' +
      'behind the host egress rules). ' +
      (jailed
        ? 'Each VMM runs under the jailer: chrooted, in its own mount namespace and cgroup, as its own non-root uid, with seccomp.'
        : 'The VMM runs unjailed, as the worker user, with its default seccomp filters (not for production: enable the jailer).'),
    limits: {
      enforced: true,
      mechanism:
        "the VMM: vcpus and memory are the guest's hardware (its own kernel's OOM killer ends a command past it); the disk is the image's size",
      pids: null,
      tmpMiB: null,
      diskMiB: null,
    },
  };
}
