/** How drivers report on their VMs and on themselves (`status`, `list`, `health`). */
import type { DriverHealth, DriverVmInfo } from '../../core/driver.js';

/**
 * The status of a VM whose driver records each boot beside its files (qemu, firecracker):
 * missing without its files; running while its process provably is the VM's (`pid`); otherwise
 * stopped once it booted, created before its first boot.
 */
export async function bootRecordStatus<Boot>(
  id: string,
  vm: {
    exists(): Promise<boolean>;
    readBoot(): Promise<Boot | null>;
    livePid(): Promise<number | null>;
  },
  detail: (pid: number, boot: Boot | null) => Record<string, unknown>,
): Promise<DriverVmInfo> {
  if (!(await vm.exists())) return { id, state: 'missing' };
  const boot = await vm.readBoot();
  const pid = await vm.livePid();
  if (pid !== null) return { id, state: 'running', detail: detail(pid, boot) };
  return { id, state: boot ? 'stopped' : 'created' };
}

/** `list()` of a driver that keeps one directory per VM: the status of each, the missing left out. */
export async function statusesOf(
  ids: readonly string[],
  status: (id: string) => Promise<DriverVmInfo>,
): Promise<DriverVmInfo[]> {
  const infos = await Promise.all(ids.map((id) => status(id)));
  return infos.filter((info) => info.state !== 'missing');
}

/** `health()` from a check that throws what is wrong, or returns what is right. */
export async function healthOf(check: () => Promise<string>): Promise<DriverHealth> {
  try {
    return { ok: true, message: await check() };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
