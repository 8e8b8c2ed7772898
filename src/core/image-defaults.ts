/**
 * What a guest image is made of unless told otherwise. Here, below every layer, so the image
 * builder uses them and `aether image build --help` shows them without loading the builder.
 */

/**
 * Packages every guest gets unless told otherwise: what the guest agent and typical jobs need,
 * tini, PID 1 of a microVM guest (it reaps orphaned processes, which Node cannot), and socat,
 * which relays a Firecracker guest's vsock port to the agent (Node cannot open AF_VSOCK).
 */
export const DEFAULT_GUEST_PACKAGES: readonly string[] = Object.freeze([
  'nodejs',
  'git',
  'ca-certificates',
  'bash',
  'coreutils',
  'procps',
  'iproute2',
  'tini',
  'socat',
]);

/** Default size of a microVM's root disk; the file is sparse, so the host stores only written blocks. */
export const DEFAULT_VM_DISK_MIB = 4096;
