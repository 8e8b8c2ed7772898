import type { SandboxGone } from '../shared/agent-probe.js';

/**
 * A process sandbox that is not running: its namespace's init is gone. The agent is that init's
 * only child, so an agent that exits ends the whole sandbox too; the host cannot tell which went
 * first, and reports what it sees.
 */
export const processSandboxGone: SandboxGone = (info) => {
  if (info.detail?.oomKilled === true) {
    return {
      reason: 'oom_killed',
      detail:
        "the kernel's OOM killer ended a process the sandbox cannot live without, at the VM's memory limit",
    };
  }
  return {
    reason: 'sandbox_exited',
    detail:
      info.state === 'missing'
        ? 'its state directory is gone'
        : "the sandbox's host processes are gone (its init ends with the guest agent)",
  };
};
