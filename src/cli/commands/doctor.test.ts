/**
 * `aether doctor` as an operator runs it: the real CLI in its own process, configured through
 * the environment, with a stand-in firecracker that prints a version and a kernel file that is
 * an ELF; what this machine lacks (KVM, an image) shows up as ✗ lines with their fixes.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandResult, runCommand } from '../../../test/support/run-command.js';
import type { HostCheckReport as PreflightReport } from '../../core/driver-module.js';
import { formatCheck } from './doctor.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const ENTRY = join(ROOT, 'test/support/cli-entry.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aether-doctor-'));
  writeFileSync(join(dir, 'firecracker'), "#!/bin/sh\necho 'Firecracker v1.16.1'\n");
  chmodSync(join(dir, 'firecracker'), 0o755);
  writeFileSync(join(dir, 'vmlinux'), Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(64)]));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function doctor(args: string[]): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AETHER_')) env[key] = value;
  return runCommand([process.execPath, '--import', TSX, ENTRY, 'doctor', ...args], {
    cwd: dir,
    env: {
      ...env,
      AETHER_FIRECRACKER_BIN: join(dir, 'firecracker'),
      AETHER_KERNEL: join(dir, 'vmlinux'),
      AETHER_FIRECRACKER_JAILER: 'false',
      AETHER_DATA_DIR: join(dir, 'data'),
    },
  });
}

describe('aether doctor', () => {
  it('prints one line per item, ✓ or ✗ with its fix, and exits 1 while a required item fails', async () => {
    const json = await doctor(['--json']);
    const report = JSON.parse(json.stdout) as PreflightReport;
    const byItem = Object.fromEntries(report.checks.map((c) => [c.item, c]));
    expect(byItem.firecracker).toMatchObject({ ok: true, detail: `${join(dir, 'firecracker')}, v1.16.1` });
    expect(byItem.kernel?.ok).toBe(true);
    // No image was built in this data dir: a required item fails, whatever this host's KVM.
    expect(byItem.image).toMatchObject({ ok: false, required: true });
    expect(report.ok).toBe(false);
    expect(json.code).toBe(1);

    const text = await doctor([]);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(report.checks.length + 1);
    expect(lines[0]).toBe(`✓ firecracker binary: ${join(dir, 'firecracker')}, v1.16.1`);
    expect(lines).toContain(
      `✗ guest root file system: ${byItem.image!.detail} — fix: build it with \`aether image build --vm\` (as root)`,
    );
    expect(lines.at(-1)).toMatch(/^this host cannot run Firecracker VMs yet: \d+ required items? to fix$/);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('');
  }, 120_000);

  it('marks an optional item that fails as optional', () => {
    expect(
      formatCheck({
        item: 'jailer',
        title: 'jailer',
        ok: false,
        required: false,
        detail: 'off',
        fix: 'turn it on',
      }),
    ).toBe('✗ jailer (optional): off — fix: turn it on');
    expect(
      formatCheck({ item: 'kvm', title: 'KVM', ok: true, required: true, detail: '/dev/kvm', fix: null }),
    ).toBe('✓ KVM: /dev/kvm');
  });
});
