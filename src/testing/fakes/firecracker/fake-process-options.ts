/**
 * How a test tells the fake Firecracker process what to do (JSON in AETHER_FAKE_FIRECRACKER).
 * Apart from the process's entry point, so a test can import it without running the fake.
 */
import type { FakeFault } from './fake-firecracker.js';

export interface FakeProcessOptions {
  agentBundle?: string;
  bootDelayMs?: number;
  ctrlAltDel?: 'shutdown' | 'ignore';
  whileBooting?: 'close' | 'silent';
  faults?: FakeFault[];
  /** Exit at once with this code, as a Firecracker that cannot start (no KVM, bad arguments). */
  exitAtStart?: number;
  /** A file each VMM appends every request it answered to, one JSON line each (`RecordedRequest`). */
  requestLog?: string;
}

export const FAKE_FIRECRACKER_ENV = 'AETHER_FAKE_FIRECRACKER';
