/** Labels on the command line: `--label team=a` (repeatable) in, `team=a, env=ci` out. */
import type { Vm } from '@aetherium/sdk';
import { parseLabelSelectors, type VmLabels } from '../core/vm-labels.js';

/** A commander collector: every `--label` given, in order. */
export function collectLabel(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--label` values as a label set; ERR_VALIDATION naming the bad one (as the server would). */
export function labelsFromArgs(selectors: readonly string[]): VmLabels {
  return parseLabelSelectors(selectors, '--label');
}

/** The `labels` line of `vm get`: `env=ci, team=a`, or null when it has none. */
export function labelsLine(vm: Pick<Vm, 'labels'>): string | null {
  const entries = Object.entries(vm.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? null : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}
