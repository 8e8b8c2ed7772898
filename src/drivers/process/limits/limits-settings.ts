/** How the process driver is told to limit VMs (see sandbox-limits.ts); plain data, no imports. */
export type LimitsMode = 'on' | 'off';

export interface LimitsSettings {
  mode: LimitsMode;
  /** Tasks (processes and threads) per VM, the agent's included. */
  pids: number;
  tmpSizeMiB: number;
  homeSizeMiB: number;
}
