/**
 * The data plane of this worker: file calls go to the VM's driver (its guest agent), directory
 * trees are turned into file calls through tar (tree-archive.ts), and signals and stdin go to the
 * commands running here. The caller (the gateway) has checked who may touch the VM.
 */
import { basename } from 'node:path';
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
import type { RunningCommands } from '../running-commands.js';
import { packTree, unpackTree } from './tree-archive.js';

/** How long a signal waits for a queued execution to start on this worker. */
const SIGNAL_ATTACH_WAIT_MS = 10_000;
/** How long a stdin feeder waits for its execution to start on this worker. */
const STDIN_ATTACH_WAIT_MS = 30_000;

export function localDataPlane(
  drivers: ReadonlyMap<DriverName, VmDriver>,
  commands: RunningCommands,
): DataPlane {
  const filesOf = (vm: DataPlaneVm): GuestFiles => {
    const driver = drivers.get(vm.driver);
    if (!driver) throw new AetherError('ERR_DRIVER_UNKNOWN', `this worker has no ${vm.driver} driver`);
    return driver.files;
  };

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
  };
}
