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
}

export const USAGE =
  'usage: agent (--listen SOCKET | --serial DEVICE | --serial-name NAME | --serial-fd N) [--home DIR]';

const FLAGS = new Set(['--listen', '--serial', '--serial-name', '--serial-fd', '--home']);

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  const channels: AgentChannel[] = [];
  let home = '/home/user';
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
      case '--serial-fd': {
        const fd = Number(value);
        if (!Number.isInteger(fd) || fd < 3)
          throw new Error(`--serial-fd must be a descriptor >= 3; ${USAGE}`);
        channels.push({ kind: 'serial-fd', fd });
        break;
      }
      case '--home':
        home = value;
        break;
      default:
        throw new Error(`unknown argument ${flag}; ${USAGE}`);
    }
  }
  if (channels.length !== 1) throw new Error(`give exactly one channel; ${USAGE}`);
  return { channel: channels[0]!, home };
}
