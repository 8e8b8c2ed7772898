import type { Command } from 'commander';
import type { HostCheck } from '../../core/driver-module.js';
import { silentLogger } from '../../core/logger.js';
import type { AetherConfig } from '../../runtime/config.js';
import type { DoctorRole } from '../../runtime/doctor/role-checks.js';
import { printJson } from '../format.js';

interface DoctorFlags {
  config?: string;
  dataDir?: string;
  role?: string;
  json?: boolean;
}

/** `✓ title: detail`, or `✗ title: detail — fix: ...`; an optional item that fails says so. */
export function formatCheck(check: HostCheck): string {
  if (check.ok) return `✓ ${check.title}: ${check.detail}`;
  return `✗ ${check.title}${check.required ? '' : ' (optional)'}: ${check.detail} — fix: ${check.fix}`;
}

/**
 * Runs the host check of every driver module that has one (src/drivers/modules.ts): one line
 * per item, then one verdict per driver. The runtime loads only when the command runs.
 */
async function doctorCommand(flags: DoctorFlags): Promise<void> {
  const [{ resolveConfig }, { checkDriverHosts }] = await Promise.all([
    import('../../runtime/config-file.js'),
    import('../../runtime/drivers.js'),
  ]);
  const { config } = resolveConfig({
    env: process.env,
    flags: { dataDir: flags.dataDir },
    configPath: flags.config,
  });
  if (flags.role !== undefined) return doctorRole(flags.role, config, flags.json === true);
  const results = await checkDriverHosts(config, silentLogger);
  const report = {
    ok: results.every((result) => result.report.ok),
    checks: results.flatMap((result) => result.report.checks),
  };
  if (flags.json) {
    printJson(report);
  } else {
    for (const check of report.checks) process.stdout.write(`${formatCheck(check)}\n`);
    for (const { subject, report: own } of results) {
      const failed = own.checks.filter((check) => check.required && !check.ok).length;
      process.stdout.write(
        own.ok
          ? `this host can run ${subject}\n`
          : `this host cannot run ${subject} yet: ${failed} required item${failed === 1 ? '' : 's'} to fix\n`,
      );
    }
  }
  if (!report.ok) process.exitCode = 1;
}

/** `aether doctor --role R`: the role's own needs (backends, schema, data plane), then its drivers'. */
async function doctorRole(role: string, config: AetherConfig, json: boolean): Promise<void> {
  const { checkRole, DOCTOR_ROLES } = await import('../../runtime/doctor/role-checks.js');
  if (!(DOCTOR_ROLES as readonly string[]).includes(role)) {
    throw new Error(`unknown role "${role}"; use one of ${DOCTOR_ROLES.join(', ')}`);
  }
  const report = await checkRole(role as DoctorRole, config, silentLogger);
  const checks = [...report.checks, ...report.drivers.flatMap((result) => result.report.checks)];
  if (json) {
    printJson({ role, ok: report.ok, checks });
  } else {
    for (const check of checks) process.stdout.write(`${formatCheck(check)}\n`);
    const failed = checks.filter((check) => check.required && !check.ok).length;
    process.stdout.write(
      report.ok
        ? `this host can run aether ${role}\n`
        : `this host cannot run aether ${role} yet: ${failed} required item${failed === 1 ? '' : 's'} to fix\n`,
    );
  }
  if (!report.ok) process.exitCode = 1;
}

/** `aether doctor`: what this host needs for the drivers that check it, item by item (no gateway needed). */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'check this host against what each driver needs (Firecracker VMs: binaries and version, KVM, kernel, image, vsock, TAP permission, jailer, cgroup v2); exits 1 when a required item fails',
    )
    .option('-c, --config <file>', 'YAML config file (env AETHER_CONFIG); flags beat it, it beats env')
    .option('-d, --data-dir <dir>', 'state directory (env AETHER_DATA_DIR, default ./.aether)')
    .option(
      '--role <role>',
      'check what a node of this role needs instead: up, gateway, worker or migrate (PostgreSQL and its migrations, Redis and its eviction and persistence settings, the data plane, the dashboard, then the drivers)',
    )
    .option('--json', 'print JSON')
    .action(doctorCommand);
}
