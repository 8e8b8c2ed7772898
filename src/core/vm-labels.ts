import { AetherError } from './errors.js';

/**
 * Labels: short key=value pairs a caller puts on a VM to find it again (`team=a`, `env=ci`).
 * They are kept with the VM, shown with it, and filter lists; unlike `metadata` they are
 * constrained so they can be matched in the store and printed on a command line.
 */
export type VmLabels = Readonly<Record<string, string>>;

/** Lowercase, up to 63 characters, inner `.`, `_`, `/` and `-` (`team`, `app.kubernetes.io/name`). */
export const LABEL_KEY_PATTERN = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;

/** Up to 63 printable characters that need no quoting on a command line; empty is allowed. */
export const LABEL_VALUE_PATTERN = /^[A-Za-z0-9._:/@+-]{0,63}$/;

export const MAX_VM_LABELS = 32;

export const LABEL_KEY_RULE =
  'keys are 1-63 lowercase letters, digits, `.`, `_`, `/` or `-`, starting and ending with a letter or digit';
export const LABEL_VALUE_RULE = 'values are up to 63 letters, digits, `.`, `_`, `:`, `/`, `@`, `+` or `-`';

/** What is wrong with `labels` (naming the label), or null when every key and value is fine. */
export function vmLabelsProblem(labels: Record<string, unknown>): string | null {
  const entries = Object.entries(labels);
  if (entries.length > MAX_VM_LABELS) {
    return `a VM has at most ${MAX_VM_LABELS} labels; ${entries.length} given`;
  }
  for (const [key, value] of entries) {
    if (!LABEL_KEY_PATTERN.test(key)) return `label ${JSON.stringify(key)}: ${LABEL_KEY_RULE}`;
    if (typeof value !== 'string' || !LABEL_VALUE_PATTERN.test(value)) {
      return `label ${JSON.stringify(key)}: ${LABEL_VALUE_RULE}`;
    }
  }
  return null;
}

/** Throws ERR_VALIDATION naming the bad label (see vmLabelsProblem). */
export function checkVmLabels(labels: Record<string, unknown>, field = 'labels'): asserts labels is VmLabels {
  const problem = vmLabelsProblem(labels);
  if (problem === null) return;
  throw new AetherError('ERR_VALIDATION', `${field}: ${problem}`, { details: { field } });
}

/**
 * `key=value` selectors (from `--label` or `?label=`) as one label set, all of which a VM must
 * have. A key named twice with different values can match nothing: that is a caller's mistake.
 */
export function parseLabelSelectors(selectors: readonly string[], field = 'label'): VmLabels {
  const labels: Record<string, string> = {};
  for (const selector of selectors) {
    const eq = selector.indexOf('=');
    if (eq <= 0) {
      throw new AetherError('ERR_VALIDATION', `${field} ${JSON.stringify(selector)}: use key=value`, {
        details: { field },
      });
    }
    const key = selector.slice(0, eq);
    const value = selector.slice(eq + 1);
    // Checked before it becomes a property name (`__proto__` never passes).
    checkVmLabels({ [key]: value }, field);
    if (Object.hasOwn(labels, key) && labels[key] !== value) {
      throw new AetherError(
        'ERR_VALIDATION',
        `${field} ${JSON.stringify(key)} is given twice with different values; a VM has one value per label`,
        { details: { field } },
      );
    }
    labels[key] = value;
  }
  checkVmLabels(labels, field);
  return labels;
}
