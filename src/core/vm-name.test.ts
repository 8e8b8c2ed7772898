import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';
import { checkVmName, vmNameProblem } from './vm.js';

describe('VM names', () => {
  it('takes DNS-label-like names, including ones made of hex and dashes', () => {
    for (const name of ['dev', 'a', 'run-1b2c3d4e', '0123abcd-0123', 'x'.repeat(63)]) {
      expect(vmNameProblem(name), name).toBeNull();
    }
  });

  it('refuses a name in the form of a VM id, saying what to fix', () => {
    const id = newId();
    expect(vmNameProblem(id)).toMatch(/form of a VM id.*choose another name/);
    expect(() => checkVmName(id)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', details: { field: 'name' } }),
    );
    expect(() => checkVmName(id)).toThrow(new RegExp(`^name "${id}": must not have the form of a VM id`));
  });

  it('refuses what is not a name at all', () => {
    for (const name of ['', 'Dev', '-x', 'x-', 'a_b', 'x'.repeat(64), newId().toUpperCase()]) {
      expect(vmNameProblem(name), name).toMatch(/lowercase letters, digits or dashes/);
    }
  });
});
