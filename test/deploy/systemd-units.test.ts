/**
 * The systemd units: `systemd-analyze verify` finds nothing to say about any of them (with the
 * process-driver drop-in too), stops give the drain its time, the network setup runs before the
 * worker, every hardening option a unit loosens says why, and the example environment file is
 * made of options Aetherium accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_OPTIONS, loadConfig } from '../../src/runtime/config.js';
import {
  hasSystemdAnalyze,
  parseUnit,
  settingValue,
  type UnitSetting,
  verifyUnits,
} from './systemd-unit-file.js';

const DIR = 'deploy/systemd';
const UNITS = ['aether-gateway.service', 'aether-worker.service', 'aether-network-setup.service'];
const DROP_IN = `${DIR}/aether-worker-process-driver.conf`;
const unit = (name: string) => parseUnit(readFileSync(`${DIR}/${name}`, 'utf8'));
const DEFAULT_DRAIN_MS = loadConfig({}).drainTimeoutMs;

/** Hardening options with their strict value: a unit that sets another must say why above it. */
const STRICT: Record<string, string> = {
  NoNewPrivileges: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectClock: 'yes',
  ProtectHostname: 'yes',
  RestrictNamespaces: 'yes',
  RestrictRealtime: 'yes',
  RestrictSUIDSGID: 'yes',
  LockPersonality: 'yes',
  MemoryDenyWriteExecute: 'yes',
  SystemCallArchitectures: 'native',
};

function unexplainedLoosening(settings: UnitSetting[]): string[] {
  const problems: string[] = [];
  for (const [key, strict] of Object.entries(STRICT)) {
    const setting = settings.filter((s) => s.key === key).at(-1);
    if (!setting) problems.push(`${key} is not set`);
    else if (setting.value !== strict && setting.comment === '')
      problems.push(`${key}=${setting.value} without a reason`);
  }
  return problems;
}

function seconds(value: string | undefined): number {
  const match = /^(\d+)(s?)$/.exec(value ?? '');
  if (!match) throw new Error(`not a plain number of seconds: ${value}`);
  return Number(match[1]);
}

describe.skipIf(!hasSystemdAnalyze())('systemd units (skipped only without systemd-analyze)', () => {
  it('systemd-analyze verify has nothing to say about any unit, or the worker with its drop-in', () => {
    const plain = verifyUnits(UNITS.map((name) => `${DIR}/${name}`));
    const withDropIn = verifyUnits([`${DIR}/aether-worker.service`], {
      'aether-worker.service': [{ name: 'process-driver.conf', text: readFileSync(DROP_IN, 'utf8') }],
    });
    for (const [name, result] of [
      ...plain,
      ...[...withDropIn].map(([n, r]) => [`${n} + drop-in`, r] as const),
    ]) {
      expect({ name, ...result }).toEqual({ name, status: 0, output: '' });
    }
  });

  it('verify does speak up about a misspelt setting (so its silence means something)', () => {
    const results = verifyUnits([`${DIR}/aether-worker.service`], {
      'aether-worker.service': [{ name: 'misspelt.conf', text: '[Service]\nProtectSystm=no\n' }],
    });
    expect(results.get('aether-worker.service')!.output).toMatch(/Unknown key 'ProtectSystm'/);
  });
});

describe('systemd units', () => {
  it('each role runs the right command from the shared environment file', () => {
    for (const [name, command] of [
      ['aether-gateway.service', 'gateway --data-dir /var/lib/aether-gateway'],
      ['aether-worker.service', 'worker --data-dir /var/lib/aether'],
      ['aether-network-setup.service', 'network setup'],
    ] as const) {
      const settings = unit(name);
      expect(settingValue(settings, 'ExecStart'), name).toBe(
        `/usr/bin/node /opt/aetherium/bin/aether.js ${command}`,
      );
      expect(settingValue(settings, 'EnvironmentFile'), name).toBe('/etc/aetherium/aether.env');
    }
  });

  it('the gateway runs as its own user and stops within its timeout after one SIGTERM', () => {
    const gateway = unit('aether-gateway.service');
    expect(settingValue(gateway, 'User')).toBe('aether');
    expect(settingValue(gateway, 'KillSignal')).toBe('SIGTERM');
    expect(settingValue(gateway, 'KillMode')).toBe('mixed');
    expect(settingValue(gateway, 'Restart')).toBe('on-failure');
    expect(settingValue(gateway, 'CapabilityBoundingSet')).toBe('');
    expect(readFileSync(`${DIR}/aether.sysusers.conf`, 'utf8')).toMatch(/^u aether - /m);
  });

  it('the worker drains before it is killed, and its VMs outlive a restart', () => {
    const worker = unit('aether-worker.service');
    expect(settingValue(worker, 'KillSignal')).toBe('SIGTERM');
    expect(settingValue(worker, 'KillMode')).toBe('process');
    expect(settingValue(worker, 'Restart')).toBe('on-failure');
    expect(seconds(settingValue(worker, 'TimeoutStopSec')) * 1000).toBeGreaterThanOrEqual(
      DEFAULT_DRAIN_MS + 15_000,
    );
  });

  it('network setup is a oneshot ordered before the worker, which wants it', () => {
    const setup = unit('aether-network-setup.service');
    const worker = unit('aether-worker.service');
    expect(settingValue(setup, 'Type')).toBe('oneshot');
    expect(settingValue(setup, 'RemainAfterExit')).toBe('yes');
    expect(settingValue(setup, 'Before')).toContain('aether-worker.service');
    expect(settingValue(setup, 'After')).toContain('nftables.service');
    expect(settingValue(worker, 'After')).toContain('aether-network-setup.service');
    expect(settingValue(worker, 'Wants')).toContain('aether-network-setup.service');
  });

  it('every hardening option is set, and each one loosened says why', () => {
    for (const name of UNITS) expect(unexplainedLoosening(unit(name)), name).toEqual([]);
    const dropIn = parseUnit(readFileSync(DROP_IN, 'utf8'));
    // The drop-in's reason is its header: one comment for the whole set.
    expect(readFileSync(DROP_IN, 'utf8')).toMatch(/mount namespace/);
    expect(settingValue(dropIn, 'ProtectSystem')).toBe('no');
  });

  it('the example environment file holds real options that Aetherium accepts', () => {
    const env: Record<string, string> = {};
    for (const line of readFileSync(`${DIR}/aether.env.example`, 'utf8').split('\n')) {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (match) env[match[1]!] = match[2]!;
    }
    const known = new Set<string>(Object.values(CONFIG_OPTIONS).map((option) => option.env));
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect(env.AETHER_DATA_DIR).toBeUndefined();
    expect(() => loadConfig(env, {}, '/')).not.toThrow();
  });
});
