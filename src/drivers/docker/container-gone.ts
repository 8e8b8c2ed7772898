import type { SandboxGone } from '../shared/agent-probe.js';

/**
 * A container that is not running: killed by the kernel's OOM killer when the engine says so
 * (`status` carries `State.OOMKilled` as `detail.reason`), else exited. Its init (docker's
 * tini) ends with the agent, so an agent that exits shows up here too.
 */
export const containerGone: SandboxGone = (info) => {
  if (info.state === 'missing') return { reason: 'sandbox_exited', detail: 'its container was removed' };
  if (info.detail?.reason === 'oom_killed') {
    return { reason: 'oom_killed', detail: 'the engine reports the container OOM-killed' };
  }
  const exit = info.detail?.exitCode;
  return {
    reason: 'sandbox_exited',
    detail: `its container is ${info.state}${typeof exit === 'number' ? ` (exit code ${exit})` : ''}`,
  };
};
