/**
 * Finding a virtio-serial port by the name the host gave it (`-device virtserialport,name=N`):
 * the guest kernel shows it as /sys/class/virtio-ports/vportNpM/name, the device being
 * /dev/vportNpM (udev, when there is one, adds the /dev/virtio-ports/N link). Early in boot
 * the port may not be probed yet, so we wait for it a little.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FindVirtioPortOptions {
  /** How long to wait for the port to appear. Default 5 000 ms. */
  timeoutMs?: number;
  /** Default /sys/class/virtio-ports (tests point this at a fake tree). */
  sysDir?: string;
  /** Default /dev. */
  devDir?: string;
  pollMs?: number;
}

/** Resolves the device path of the port named `name`; rejects when none appears in time. */
export async function findVirtioPort(name: string, options: FindVirtioPortOptions = {}): Promise<string> {
  if (name.length === 0 || name.includes('/') || name.includes('\0')) {
    throw new Error(`invalid virtio-serial port name "${name}"`);
  }
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sysDir = options.sysDir ?? '/sys/class/virtio-ports';
  const devDir = options.devDir ?? '/dev';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const device = await lookOnce(name, sysDir, devDir);
    if (device) return device;
    if (Date.now() >= deadline) {
      throw new Error(`no virtio-serial port named "${name}" in ${sysDir} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
}

async function lookOnce(name: string, sysDir: string, devDir: string): Promise<string | null> {
  const ports = await readdir(sysDir).catch(() => [] as string[]);
  for (const port of ports.sort()) {
    const portName = await readFile(join(sysDir, port, 'name'), 'utf8').catch(() => '');
    if (portName.trim() !== name) continue;
    const device = join(devDir, port);
    // The device node may lag the sysfs entry by a moment (devtmpfs, udev).
    if (
      await stat(device).then(
        (s) => s.isCharacterDevice(),
        () => false,
      )
    )
      return device;
  }
  return null;
}
