/**
 * The data plane of this worker: file calls go to the VM's driver (its guest agent), directory
 * trees are turned into file calls through tar (tree-archive.ts), and signals and stdin go to the
 * commands running here. The caller (the gateway) has checked who may touch the VM.
 */
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import type {
  DataPlane,
  DataPlaneVm,
  Download,
  DownloadOptions,
  StdinResult,
  UploadOptions,
  UploadResult,
} from '../../core/data-plane.js';
import type { CommandSignal, VmDriver } from '../../core/driver.js';
import { AetherError } from '../../core/errors.js';
import type { GuestFiles } from '../../core/guest-files.js';
import type { DriverName } from '../../core/vm.js';
import { unknownUsage } from '../../core/vm-usage.js';
import { NO_STREAM_METRICS, type StreamMetrics } from '../../metrics/stream-metrics.js';
import type { RunningCommands } from '../running-commands.js';
import { TerminalSessions } from '../terminals/terminal-sessions.js';
import { MeteredTunnel } from './metered-tunnel.js';
import { packTree, unpackTree } from './tree-archive.js';

/** How long a signal waits for a queued execution to start on this worker. */
const SIGNAL_ATTACH_WAIT_MS = 10_000;
/** How long a stdin feeder waits for its execution to start on this worker. */
const STDIN_ATTACH_WAIT_MS = 30_000;

export interface StreamLimits {
  /** A terminal with no client attached ends after this long. */
  terminalDetachGraceMs: number;
  maxTerminalsPerVm: number;
  /** A port tunnel with no byte either way for this long is closed. */
  tunnelIdleMs: number;
  maxTunnelsPerVm: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  terminalDetachGraceMs: 10 * 60_000,
  maxTerminalsPerVm: 32,
  tunnelIdleMs: 10 * 60_000,
  maxTunnelsPerVm: 256,
};

/** The data plane of this worker, and what must end with the worker (its terminal sessions). */
export interface LocalDataPlane extends DataPlane {
  close(): void;
}

export function localDataPlane(
  drivers: ReadonlyMap<DriverName, VmDriver>,
  commands: RunningCommands,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  metrics: StreamMetrics = NO_STREAM_METRICS,
): LocalDataPlane {
  const driverOf = (vm: DataPlaneVm): VmDriver => {
    const driver = drivers.get(vm.driver);
    if (!driver) throw new AetherError('ERR_DRIVER_UNKNOWN', `this worker has no ${vm.driver} driver`);
    return driver;
  };
  const filesOf = (vm: DataPlaneVm): GuestFiles => driverOf(vm).files;
  const terminals = new TerminalSessions({
    detachGraceMs: limits.terminalDetachGraceMs,
    maxPerVm: limits.maxTerminalsPerVm,
    onBytes: (direction, bytes) => metrics.bytes('terminal', direction, bytes),
    onOpened: () => metrics.opened('terminal'),
    onClosed: () => metrics.closed('terminal'),
  });
  const tunnelsOpen = new Map<string, number>();

  return {
    async upload(vm, path, body, options: UploadOptions): Promise<UploadResult> {
      const files = filesOf(vm);
      if (options.format === 'tar') return unpackTree(files, vm.id, path, body, { signal: options.signal });
      const written = await files.writeFile(vm.id, path, body, {
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return { bytes: written.size, files: 1 };
    },

    async download(vm, path, options: DownloadOptions = {}): Promise<Download> {
      const files = filesOf(vm);
      const entry = await files.stat(vm.id, path);
      const asTar = options.format === 'tar' || entry.type === 'directory';
      if (asTar) {
        return {
          entry: { ...entry, name: basename(path) || entry.name },
          format: 'tar',
          body: packTree(files, vm.id, path, { signal: options.signal }),
        };
      }
      // A symlink to a file is read through (the guest resolves it inside the VM).
      const download = await files.readFile(vm.id, path, { signal: options.signal });
      return { entry: download.entry, format: 'raw', size: download.entry.size, body: download.body };
    },

    stat: (vm, path) => filesOf(vm).stat(vm.id, path),
    list: (vm, path, options) => filesOf(vm).list(vm.id, path, options),
    mkdir: (vm, path, options) => filesOf(vm).mkdir(vm.id, path, options),
    remove: (vm, path, options) => filesOf(vm).remove(vm.id, path, options),
    rename: (vm, from, to) => filesOf(vm).rename(vm.id, from, to),

    processes: async (vm) => commands.of(vm.id),

    async usage(vm) {
      const driver = drivers.get(vm.driver);
      if (!driver) throw new AetherError('ERR_DRIVER_UNKNOWN', `this worker has no ${vm.driver} driver`);
      return driver.usage ? driver.usage(vm.id) : unknownUsage();
    },

    signal(_vm, executionId, signal: CommandSignal): Promise<void> {
      // The gateway found it pending or running; pending means its task may start any moment.
      return commands.signalWhenRegistered(executionId, signal, { waitMs: SIGNAL_ATTACH_WAIT_MS });
    },

    stdin(_vm, executionId, body): Promise<StdinResult> {
      return commands.feedStdin(executionId, body, { waitMs: STDIN_ATTACH_WAIT_MS });
    },

    async connectPort(vm, port, options = {}) {
      const ports = driverOf(vm).ports;
      if (!ports)
        throw new AetherError('ERR_UNSUPPORTED', `the ${vm.driver} driver cannot carry connections to ports`);
      const open = tunnelsOpen.get(vm.id) ?? 0;
      if (open >= limits.maxTunnelsPerVm) {
        throw new AetherError(
          'ERR_TOO_MANY_STREAMS',
          `VM ${vm.id} already has ${open} port connections open (at most ${limits.maxTunnelsPerVm})`,
        );
      }
      tunnelsOpen.set(vm.id, open + 1);
      let inner: Duplex;
      try {
        inner = await ports.connect(vm.id, port, options);
      } catch (error) {
        release(tunnelsOpen, vm.id);
        throw error;
      }
      metrics.opened('tunnel');
      return new MeteredTunnel(inner, {
        idleMs: limits.tunnelIdleMs,
        onBytes: (direction, bytes) => metrics.bytes('tunnel', direction, bytes),
        onClose: () => {
          release(tunnelsOpen, vm.id);
          metrics.closed('tunnel');
        },
      });
    },

    openTerminal: (vm, spec) => terminals.open(driverOf(vm), vm.id, spec),
    terminals: async (vm) => terminals.of(vm.id),
    terminal: async (vm, id) => terminals.get(vm.id, id),
    resizeTerminal: async (vm, id, size) => terminals.resize(vm.id, id, size),
    closeTerminal: async (vm, id) => terminals.close(vm.id, id),
    attachTerminal: async (vm, id) => terminals.attach(vm.id, id),

    close: () => terminals.closeAll(),
  };
}

function release(counts: Map<string, number>, vmId: string): void {
  const left = (counts.get(vmId) ?? 1) - 1;
  if (left > 0) counts.set(vmId, left);
  else counts.delete(vmId);
}
