/**
 * Reading and changing host links with iproute2: `ip -j -d link show` for what is there, plain
 * `ip link` verbs to change it. Every name passed here was validated (INTERFACE_NAME or one of
 * our own generated names).
 */
import type { CommandRunner } from './host-commands.js';

/** What we read of one link from `ip -j -d link show`. */
export interface LinkInfo {
  name: string;
  /** `bridge`, `tun`, `veth`, ... (linkinfo.info_kind); null for a plain device. */
  kind: string | null;
  /** The bridge it is a port of. */
  master: string | null;
  /** Administratively up. */
  up: boolean;
  /** For a bridge port: isolated from the other isolated ports. */
  isolated: boolean;
  /** For a TUN/TAP device: its owner as iproute2 prints it (a user name or a uid). */
  tunUser: string | null;
  /** For a TUN/TAP device: `tap` or `tun`. */
  tunType: string | null;
}

interface RawLink {
  ifname?: string;
  flags?: string[];
  master?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: { type?: string; user?: string | number };
    info_slave_data?: { isolated?: boolean };
  };
}

function toLinkInfo(raw: RawLink): LinkInfo {
  const data = raw.linkinfo?.info_data;
  return {
    name: raw.ifname ?? '',
    kind: raw.linkinfo?.info_kind ?? null,
    master: raw.master ?? null,
    up: raw.flags?.includes('UP') ?? false,
    isolated: raw.linkinfo?.info_slave_data?.isolated === true,
    tunUser: data?.user === undefined ? null : String(data.user),
    tunType: data?.type ?? null,
  };
}

const NO_DEVICE = /does not exist|Cannot find device/;

/** Every link of the host (or of the runner's namespace). */
export async function listLinks(run: CommandRunner): Promise<LinkInfo[]> {
  const { stdout } = await run(['ip', '-j', '-d', 'link', 'show']);
  return (JSON.parse(stdout || '[]') as RawLink[]).map(toLinkInfo);
}

/** One link, or null when there is none of that name. */
export async function getLink(run: CommandRunner, name: string): Promise<LinkInfo | null> {
  const { stdout } = await run(['ip', '-j', '-d', 'link', 'show', 'dev', name], { okIf: NO_DEVICE });
  const [raw] = JSON.parse(stdout || '[]') as RawLink[];
  return raw ? toLinkInfo(raw) : null;
}

/** Removes a link; absent already is fine. */
export async function deleteLink(run: CommandRunner, name: string): Promise<void> {
  await run(['ip', 'link', 'del', 'dev', name], { okIf: NO_DEVICE });
}

/**
 * Makes `port` an isolated, running port of `bridge`: isolated ports exchange no frames with
 * each other, only with the bridge itself, so one guest never sees another. Changes only what
 * differs, so a second call runs no `ip link set` at all.
 */
export async function joinBridge(run: CommandRunner, bridge: string, port: string): Promise<boolean> {
  let link = await getLink(run, port);
  let changed = false;
  if (link?.master !== bridge) {
    await run(['ip', 'link', 'set', 'dev', port, 'master', bridge]);
    link = await getLink(run, port);
    changed = true;
  }
  if (!link?.isolated) {
    await run(['ip', 'link', 'set', 'dev', port, 'type', 'bridge_slave', 'isolated', 'on']);
    changed = true;
  }
  if (!link?.up) {
    await run(['ip', 'link', 'set', 'dev', port, 'up']);
    changed = true;
  }
  return changed;
}
