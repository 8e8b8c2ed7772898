import type { Command } from 'commander';
import { resolveConfig } from '../../runtime/config-file.js';
import { firecrackerPreflight, type PreflightCheck } from '../../runtime/firecracker.js';
import { printJson } from '../format.js';

interface DoctorFlags {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

/** `✓ title: detail`, or `✗ title: detail — fix: ...`; an optional item that fails says so. */
export function formatCheck(check: PreflightCheck): string {
  if (check.ok) return `✓ ${check.title}: ${check.detail}`;
  return `✗ ${check.title}${check.required ? '' : ' (optional)'}: ${check.detail} — fix: ${check.fix}`;
}

async function doctorCommand(flags: DoctorFlags): Promise<void> {
  const { config } = resolveConfig({
    env: process.env,
    flags: { dataDir: flags.dataDir },
    configPath: flags.config,
  });
  const report = await firecrackerPreflight(config);
  if (flags.json) {
    printJson(report);
  } else {
    for (const check of report.checks) process.stdout.write(`${formatCheck(check)}\n`);
    const failed = report.checks.filter((check) => check.required && !check.ok).length;
    process.stdout.write(
      report.ok
        ? 'this host can run Firecracker VMs\n'
        : `this host cannot run Firecracker VMs yet: ${failed} required item${failed === 1 ? '' : 's'} to fix\n`,
    );
  }
  if (!report.ok) process.exitCode = 1;
}

/** `aether doctor`: what this host needs for Firecracker VMs, item by item (no gateway needed). */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this host for Firecracker VMs: binaries and version, KVM, kernel, image, vsock, TAP permission, jailer, cgroup v2; exits 1 when a required item fails',
    )
    .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG); flags beat it, it beats env')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .option('--json', 'print JSON')
    .action(doctorCommand);
}
