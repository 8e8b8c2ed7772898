/** The errors every driver answers with about a VM, worded the same whichever driver it is. */
import { AetherError } from '../../core/errors.js';

export function vmNotFound(id: string): AetherError {
  return new AetherError('ERR_VM_NOT_FOUND', `VM ${id} not found`, { details: { id } });
}

/** `why`, when given, follows the id: "VM x is not running: <why>". */
export function vmNotRunning(id: string, why?: string): AetherError {
  return new AetherError('ERR_VM_NOT_RUNNING', `VM ${id} is not running${why ? `: ${why}` : ''}`, {
    details: { id },
  });
}
