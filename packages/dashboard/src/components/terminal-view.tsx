// A shell in a VM: xterm.js on the terminal session's WebSocket. Typing goes in, output comes
// out, the size follows the box, and when the connection or the shell ends, "Reconnect".
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from './states';
import { binaryStringBytes, createTerminalScreen, type TerminalScreen } from './vm/terminal-screen';
import { attachTerminal, sessionFor, type TerminalConnection, type TerminalExit } from './vm/terminal-socket';
import { type TerminalPhase, TerminalStatus } from './vm/terminal-status';
import '../vms.css';

export function TerminalView({ vmId }: { vmId: string }) {
  const host = useRef<HTMLElement>(null);
  const screen = useRef<TerminalScreen | null>(null);
  const [ready, setReady] = useState(false);
  const [phase, setPhase] = useState<TerminalPhase>('loading');
  const [exit, setExit] = useState<TerminalExit | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [generation, setGeneration] = useState(0);
  // Set when the last session is gone (exited, or its socket never opened): open a new one.
  const fresh = useRef(false);

  useEffect(() => {
    let disposed = false;
    const element = host.current;
    if (!element) return;
    createTerminalScreen(element)
      .then((created) => {
        if (disposed) created.term.dispose();
        else {
          screen.current = created;
          setReady(true);
        }
      })
      .catch((cause: unknown) => {
        setError(cause instanceof Error ? cause : new Error(String(cause)));
        setPhase('failed');
      });
    // The box changes size with the window (and the menu): the terminal follows, and the shell is told.
    const observer = new ResizeObserver(() => screen.current?.fit.fit());
    observer.observe(element);
    return () => {
      disposed = true;
      observer.disconnect();
      screen.current?.term.dispose();
      screen.current = null;
    };
  }, []);

  useEffect(() => {
    const current = screen.current;
    if (!ready || !current) return;
    const { term } = current;
    let connection: TerminalConnection | null = null;
    let cancelled = false;
    setPhase('connecting');
    setExit(null);
    setError(undefined);
    sessionFor(vmId, { cols: term.cols, rows: term.rows }, fresh.current)
      .then((terminalId) => {
        if (cancelled) return;
        fresh.current = false;
        term.reset(); // the session replays its recent output on attach
        const opened = attachTerminal(vmId, terminalId, {
          onOpen: () => {
            setPhase('connected');
            opened.resize({ cols: term.cols, rows: term.rows });
            term.focus();
          },
          onOutput: (bytes) => term.write(bytes),
          onExit: (ended) => {
            fresh.current = true;
            setExit(ended);
            setPhase('exited');
          },
          onDrop: (wasOpen) => {
            if (!wasOpen) fresh.current = true;
            setPhase('disconnected');
          },
        });
        connection = opened;
      })
      .catch((cause: unknown) => {
        if (cancelled) return;
        setError(cause instanceof Error ? cause : new Error(String(cause)));
        setPhase('failed');
      });
    const typed = term.onData((data) => connection?.send(data));
    const binary = term.onBinary((data) => connection?.send(binaryStringBytes(data)));
    const resized = term.onResize((size) => connection?.resize(size));
    return () => {
      cancelled = true;
      typed.dispose();
      binary.dispose();
      resized.dispose();
      connection?.detach();
    };
  }, [ready, vmId, generation]);

  const canReconnect = phase === 'exited' || phase === 'disconnected' || (phase === 'failed' && ready);
  return (
    <div class="terminal-view">
      <section ref={host} class="terminal-host" aria-label="Terminal" />
      <div class="terminal-bar">
        <TerminalStatus phase={phase} exit={exit} />
        {canReconnect ? (
          <button type="button" class="button" onClick={() => setGeneration((n) => n + 1)}>
            Reconnect
          </button>
        ) : null}
      </div>
      <ErrorNotice error={error} />
      <p class="hint">To leave the terminal with the keyboard, press Escape, then Tab.</p>
    </div>
  );
}
