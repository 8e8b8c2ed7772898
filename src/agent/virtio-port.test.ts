import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findVirtioPort } from './virtio-port.js';

/** A fake /sys/class/virtio-ports and /dev: device nodes are links to /dev/null (a character device). */
describe('findVirtioPort', () => {
  let root: string;
  let sysDir: string;
  let devDir: string;
  const addPort = (port: string, name: string, withDevice = true) => {
    mkdirSync(join(sysDir, port), { recursive: true });
    writeFileSync(join(sysDir, port, 'name'), `${name}\n`);
    if (withDevice) symlinkSync('/dev/null', join(devDir, port));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'aether-vport-'));
    sysDir = join(root, 'sys');
    devDir = join(root, 'dev');
    mkdirSync(sysDir);
    mkdirSync(devDir);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('maps a port name to its device', async () => {
    addPort('vport0p0', 'console');
    addPort('vport0p1', 'aether.agent');
    await expect(findVirtioPort('aether.agent', { sysDir, devDir, timeoutMs: 0 })).resolves.toBe(
      join(devDir, 'vport0p1'),
    );
  });

  it('waits for a port that appears late', async () => {
    setTimeout(() => addPort('vport1p2', 'late'), 150);
    const started = Date.now();
    await expect(findVirtioPort('late', { sysDir, devDir, timeoutMs: 3000, pollMs: 20 })).resolves.toBe(
      join(devDir, 'vport1p2'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('gives up with the name in the message, and ignores a port whose device is missing', async () => {
    addPort('vport0p1', 'aether.agent', false);
    await expect(
      findVirtioPort('aether.agent', { sysDir, devDir, timeoutMs: 100, pollMs: 20 }),
    ).rejects.toThrow(/no virtio-serial port named "aether.agent"/);
    await expect(findVirtioPort('../etc', { sysDir, devDir })).rejects.toThrow(/invalid/);
  });
});
