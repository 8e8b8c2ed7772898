import type { TerminalExit } from './terminal-socket';

export type TerminalPhase = 'loading' | 'connecting' | 'connected' | 'exited' | 'disconnected' | 'failed';

function exitText(exit: TerminalExit): string {
  if (exit.error) return `The session ended: ${exit.error}`;
  if (exit.signal) return `The shell was ended by ${exit.signal}.`;
  return `The shell exited with code ${exit.exit_code ?? 'unknown'}.`;
}

/** One line saying what the terminal is doing, announced when it changes. */
export function TerminalStatus({ phase, exit }: { phase: TerminalPhase; exit: TerminalExit | null }) {
  const text = {
    loading: 'Loading the terminal…',
    connecting: 'Connecting…',
    connected: 'Connected.',
    exited: exit ? exitText(exit) : 'The shell exited.',
    disconnected: 'Disconnected from the terminal; the shell may still run.',
    failed: 'The terminal could not be opened.',
  }[phase];
  return (
    <p class={phase === 'connected' ? 'terminal-status' : 'terminal-status muted'} role="status">
      {text}
    </p>
  );
}
