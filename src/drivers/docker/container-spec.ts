/**
 * What a VM is to the Docker engine: one long-lived container, confined as far as a container
 * can be without giving up exec semantics. Pure: settings and spec in, Engine API body out.
 */
import type { ContainerCreateOptions } from 'dockerode';
import type { VmSpec } from '../../core/driver.js';
import { GUEST_RUNTIME, type HostNodeRuntime } from './host-node.js';
import type { ResolvedDockerSettings } from './settings.js';

/** Size of a container's /tmp (a tmpfs, counted in its memory). */
export const TMP_SIZE_MIB = 256;

export const LABELS = {
  /** Present on every container the driver makes. */
  managed: 'org.aetherium.managed',
  vmId: 'org.aetherium.vm-id',
  vmName: 'org.aetherium.vm-name',
  /** Which driver instance (state dir) owns it: `list` and reconciliation look only at their own. */
  scope: 'org.aetherium.scope',
  workerId: 'org.aetherium.worker-id',
} as const;

export const GUEST_HOME = '/home/user';

/** Container name of a VM: one per VM id, so a repeated create finds the first one. */
export function containerName(vmId: string): string {
  return `aether-${vmId}`;
}

export interface VmHostPaths {
  /** Host directory mounted as the guest's home (persists across execs, stop/start, restarts). */
  home: string;
  /** Host directory where the agent creates its socket. */
  run: string;
}

const MiB = 1024 * 1024;

export function containerSpec(
  spec: VmSpec,
  image: string,
  settings: ResolvedDockerSettings,
  runtime: HostNodeRuntime,
  agentPath: string,
  paths: VmHostPaths,
): ContainerCreateOptions {
  const memory = spec.memoryMiB * MiB;
  const binds = [
    ...runtime.binds.map((file) => `${file.host}:${file.guest}:ro`),
    `${agentPath}:${GUEST_RUNTIME.agent}:ro`,
    `${paths.run}:${GUEST_RUNTIME.run}:rw`,
    `${paths.home}:${GUEST_HOME}:rw`,
  ];
  return {
    name: containerName(spec.id),
    Image: image,
    // The agent replaces the image's entrypoint and command: a VM runs nothing until asked.
    Entrypoint: [...runtime.argv],
    Cmd: [
      // The agent's own heap stays small: the VM's memory limit is for the workload.
      '--max-old-space-size=48',
      GUEST_RUNTIME.agent,
      '--listen',
      GUEST_RUNTIME.socket,
      '--home',
      GUEST_HOME,
    ],
    User: `${settings.user.uid}:${settings.user.gid}`,
    WorkingDir: GUEST_HOME,
    Env: [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `HOME=${GUEST_HOME}`,
      'LANG=C.UTF-8',
    ],
    Hostname: 'aether',
    Labels: {
      [LABELS.managed]: 'true',
      [LABELS.vmId]: spec.id,
      [LABELS.vmName]: spec.name,
      [LABELS.scope]: settings.scope,
      [LABELS.workerId]: settings.workerId,
    },
    NetworkDisabled: !spec.network,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    HostConfig: {
      // tini as PID 1 reaps orphans (Node cannot wait() for processes it did not spawn).
      Init: true,
      Binds: binds,
      NetworkMode: spec.network ? settings.network : 'none',
      NanoCpus: spec.vcpus * 1e9,
      Memory: memory,
      MemorySwap: memory, // no swap beyond the limit
      PidsLimit: settings.pidsLimit,
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      ReadonlyRootfs: settings.readOnlyRoot,
      // Owned by the guest user: the engine keeps the image directory's mode (often 755 root).
      // /tmp allows exec, as build tools expect.
      Tmpfs: settings.readOnlyRoot
        ? {
            '/tmp': `rw,exec,nosuid,nodev,size=${TMP_SIZE_MIB}m,uid=${settings.user.uid},gid=${settings.user.gid}`,
            '/run': `rw,nosuid,nodev,size=16m,uid=${settings.user.uid},gid=${settings.user.gid}`,
          }
        : undefined,
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
      // The agent's own stdout/stderr carry only its start-up line and failures: keep them bounded.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}
