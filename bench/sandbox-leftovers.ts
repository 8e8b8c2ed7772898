/**
 * Sandboxes of the process driver are detached processes that outlive the node by design (so a
 * restart finds its VMs again). After a bench node stops, none of its VMs' or warm pool's
 * sandboxes may still run: this finds any that do, from the records in the driver's state
 * directory, and kills them.
 */
import { killSandbox, liveSandbox } from '../src/drivers/process/sandbox-pids.js';
import { listPoolIds, listVmIds, VmDir } from '../src/drivers/process/vm-dir.js';

/** Kills every sandbox still alive under `stateDir`; returns a line for each one there was. */
export async function killLeftoverSandboxes(stateDir: string): Promise<string[]> {
  const dirs = [
    ...(await listVmIds(stateDir)).map((id) => new VmDir(stateDir, id, 'vms')),
    ...(await listPoolIds(stateDir)).map((id) => new VmDir(stateDir, id, 'pool')),
  ];
  const found: string[] = [];
  for (const dir of dirs) {
    const live = await liveSandbox(dir);
    if (!live) continue;
    const what = `${dir.area} ${dir.id} (pids ${live.pids.join(', ')})`;
    await killSandbox(dir, 0).then(
      () => found.push(`${what}: killed`),
      (error: unknown) => found.push(`${what}: ${(error as Error).message}`),
    );
  }
  return found;
}
