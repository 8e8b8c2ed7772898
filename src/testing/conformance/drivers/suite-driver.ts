/**
 * The driver a conformance describe block runs its cases on: made once in a fresh state
 * directory, closed at the end, with VM fixtures destroyed after every case. Case files take the
 * `DriverSuiteContext` it returns, so one case body serves every block that registers it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { VmDriver } from '../../../core/driver.js';
import { VmFixtures } from './fixtures.js';

export interface DriverConformanceContext {
  /** A fresh directory the driver may keep its state in; the same one for a "restarted" driver. */
  stateDir: string;
}

/** Makes the driver under test; called again with the same `stateDir` to "restart" it. */
export type MakeConformanceDriver = (context: DriverConformanceContext) => VmDriver | Promise<VmDriver>;

/** What a case sees: read through getters, since the driver exists only once `beforeAll` ran. */
export interface DriverSuiteContext {
  driver(): VmDriver;
  stateDir(): string;
  readonly vms: VmFixtures;
  readonly makeDriver: MakeConformanceDriver;
}

/** Registers the hooks of a describe block's driver; call it inside that block. */
export function useSuiteDriver(name: string, makeDriver: MakeConformanceDriver): DriverSuiteContext {
  let stateDir = '';
  let driver: VmDriver | undefined;
  const current = (): VmDriver => {
    if (!driver) throw new Error(`[${name}] the driver is not made yet (beforeAll failed?)`);
    return driver;
  };
  const vms = new VmFixtures(name, current, () => stateDir);

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), `aether-${name}-`));
    chmodSync(stateDir, 0o711); // a sandbox may run as another uid and must pass through
    driver = await makeDriver({ stateDir });
  });
  afterEach(() => vms.cleanup());
  afterAll(async () => {
    await driver?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  return { driver: current, stateDir: () => stateDir, vms, makeDriver };
}
