/**
 * Guest TAP devices: persistent (they outlive the VMM that opens them, so a restarted worker
 * finds them again), owned by the uid the VMM runs as (which may then open them without
 * CAP_NET_ADMIN), and isolated ports of the bridge.
 */
import type { CommandRunner } from './host-commands.js';
import { deleteLink, getLink, joinBridge, type LinkInfo, listLinks } from './links.js';
import { isPoolTapName, isVmTapName, poolTapIndex } from './tap-names.js';

export interface TapSpec {
  name: string;
  /** Uid allowed to open the TAP. */
  owner: number;
  /**
   * Gid whose members may open it too: jailed Firecracker VMMs each run as their own uid but
   * share one group, so a TAP made before the VM's uid is known is opened through the group.
   */
  group?: number;
  bridge: string;
}

/** Creates the TAP if missing and puts it on the bridge; true when anything changed. */
export async function createTap(run: CommandRunner, spec: TapSpec): Promise<boolean> {
  let created = false;
  if (!(await getLink(run, spec.name))) {
    const group = spec.group === undefined ? [] : ['group', String(spec.group)];
    await run(['ip', 'tuntap', 'add', 'dev', spec.name, 'mode', 'tap', 'user', String(spec.owner), ...group]);
    created = true;
  }
  return (await joinBridge(run, spec.bridge, spec.name)) || created;
}

export async function deleteTap(run: CommandRunner, name: string): Promise<void> {
  await deleteLink(run, name);
}

function isTap(link: LinkInfo): boolean {
  return link.kind === 'tun' && link.tunType === 'tap';
}

/** Our TAPs on the host: per-VM ones and pool ones (pool in index order). */
export async function listGuestTaps(run: CommandRunner): Promise<{ vm: LinkInfo[]; pool: LinkInfo[] }> {
  const taps = (await listLinks(run)).filter(isTap);
  return {
    vm: taps.filter((link) => isVmTapName(link.name)),
    pool: taps
      .filter((link) => isPoolTapName(link.name))
      .sort((a, b) => poolTapIndex(a.name) - poolTapIndex(b.name)),
  };
}
