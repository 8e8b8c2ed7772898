/** The agent's command line: where the host reaches it, and the home of the VM's user. */

export type AgentChannel =
  /** A Unix socket the agent listens on; one session per connection. */
  | { kind: 'listen'; path: string }
  /** A serial character device (virtio-serial port); one session for the agent's lifetime. */
  | { kind: 'serial'; path: string }
  /** The virtio-serial port with this name, found through /sys/class/virtio-ports. */
  | { kind: 'serial-name'; name: string }
  /** An already open descriptor used like a serial device (tests: one end of a socket pair). */
  | { kind: 'serial-fd'; fd: number };

export interface AgentArgs {
  channel: AgentChannel;
  home: string;
  /**
   * A descriptor whose other end only the host process that booted this VM holds (see
   * lifeline.ts): the agent shuts down when it reads EOF there. Null: the agent lives on its own.
   */
  lifelineFd: number | null;
}

export const USAGE =
  'usage: agent (--listen SOCKET | --serial DEVICE | --serial-name NAME | --serial-fd N) [--home DIR] [--lifeline-fd N]';

const FLAGS = new Set(['--listen', '--serial', '--serial-name', '--serial-fd', '--home', '--lifeline-fd']);

function descriptor(flag: string, value: string, min: number): number {
  const fd = Number(value);
  if (!Number.isInteger(fd) || fd < min) throw new Error(`${flag} must be a descriptor >= ${min}; ${USAGE}`);
  return fd;
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  const channels: AgentChannel[] = [];
  let home = '/home/user';
  let lifelineFd: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!FLAGS.has(flag)) throw new Error(`unknown argument ${flag}; ${USAGE}`);
    if (value === undefined || value.length === 0) throw new Error(`${flag} needs a value; ${USAGE}`);
    i++;
    switch (flag) {
      case '--listen':
        channels.push({ kind: 'listen', path: value });
        break;
      case '--serial':
        channels.push({ kind: 'serial', path: value });
        break;
      case '--serial-name':
        channels.push({ kind: 'serial-name', name: value });
        break;
      case '--serial-fd':
        channels.push({ kind: 'serial-fd', fd: descriptor(flag, value, 3) });
        break;
      case '--home':
        home = value;
        break;
      case '--lifeline-fd':
        lifelineFd = descriptor(flag, value, 0);
        break;
      default:
        throw new Error(`unknown argument ${flag}; ${USAGE}`);
    }
  }
  if (channels.length !== 1) throw new Error(`give exactly one channel; ${USAGE}`);
  return { channel: channels[0]!, home, lifelineFd };
}
