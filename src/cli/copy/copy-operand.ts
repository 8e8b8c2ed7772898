import { AetherError } from '../../core/errors.js';

/** One side of `aether cp`: a path in a VM, a local path, or `-` (our stdin or stdout). */
export type CopyOperand =
  | { kind: 'vm'; vm: string; path: string }
  | { kind: 'local'; path: string }
  | { kind: 'stdio' };

/**
 * `dev:/etc/hosts` names a path in the VM `dev` (an id or a name), `dev:` its home; anything else
 * is local. A local path with a colon in its first part is written `./a:b`, as with docker cp:
 * a VM's id or name never starts with `.` or `/`.
 */
export function parseCopyOperand(text: string): CopyOperand {
  if (text === '-') return { kind: 'stdio' };
  const match = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(.*)$/s.exec(text);
  if (!match) return { kind: 'local', path: text };
  return { kind: 'vm', vm: match[1]!, path: match[2] === '' ? '.' : match[2]! };
}

/** The two sides of a copy, of which exactly one is in a VM. */
export type CopyPlan =
  | {
      direction: 'to-vm';
      from: Exclude<CopyOperand, { kind: 'vm' }>;
      to: Extract<CopyOperand, { kind: 'vm' }>;
    }
  | {
      direction: 'from-vm';
      from: Extract<CopyOperand, { kind: 'vm' }>;
      to: Exclude<CopyOperand, { kind: 'vm' }>;
    };

export function planCopy(source: string, destination: string): CopyPlan {
  const from = parseCopyOperand(source);
  const to = parseCopyOperand(destination);
  if (from.kind === 'vm' && to.kind !== 'vm') return { direction: 'from-vm', from, to };
  if (to.kind === 'vm' && from.kind !== 'vm') return { direction: 'to-vm', from, to };
  throw new AetherError(
    'ERR_VALIDATION',
    from.kind === 'vm'
      ? 'copy between two VMs is not offered: copy out to a local path, then in'
      : 'name the VM side as VM:PATH (e.g. dev:/home/user), as in `aether cp ./src dev:src`',
  );
}
