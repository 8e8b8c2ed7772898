/**
 * Progress of a build as typed events. debootstrap reports what it does as `I: <Verb> <what>`
 * lines; those become events, numbered per phase so a caller can show "configure 42 nodejs".
 * Lines that say nothing about progress (signature checks, warnings) yield no event; they still
 * reach the error message through the runner's tail.
 */

export type BuildPhase =
  /** Fetching or checking the archive's index files (InRelease, Packages). */
  | 'index'
  | 'resolve'
  | 'retrieve'
  | 'validate'
  | 'extract'
  | 'install'
  | 'unpack'
  | 'configure'
  /** debootstrap finished: "Base system installed successfully." */
  | 'installed'
  /** Our steps after debootstrap: dropping caches and host identity, then the tarball. */
  | 'trim'
  | 'archive'
  /** microVM files (`--vm`): apt-get download of the kernel and busybox, one event per package. */
  | 'download'
  /** Unpacking the kernel and busybox packages, taking vmlinuz. */
  | 'kernel'
  /** Resolving the kernel modules and writing initrd.img. */
  | 'initramfs'
  /** Unpacking rootfs.tar and adding the agent and /sbin/aether-init. */
  | 'populate'
  /** mke2fs making rootfs.ext4. */
  | 'ext4'
  /** `--tools`: npm installing tools into a layer over the rootfs, one event per tool. */
  | 'tools';

export interface BuildProgress {
  phase: BuildPhase;
  /** The package (architecture suffix removed) or index file the line is about, if any. */
  package?: string;
  /** The package version, on retrieve and validate lines. */
  version?: string;
  /** Packages seen in this phase so far, this one included; 0 on lines about no package. */
  count: number;
  /** The line as debootstrap printed it, without `I: `. */
  message: string;
}

export type ProgressListener = (event: BuildProgress) => void;

const PACKAGE_VERBS: Record<string, BuildPhase> = {
  Retrieving: 'retrieve',
  Validating: 'validate',
  Extracting: 'extract',
  Unpacking: 'unpack',
  Configuring: 'configure',
};

/** Lines about a whole stage rather than one package. */
const STAGE_LINES: [RegExp, BuildPhase][] = [
  [/^Resolving dependencies/, 'resolve'],
  [/^Installing core packages/, 'install'],
  [/^Unpacking (required packages|the base system)/, 'unpack'],
  [/^Configuring (required packages|the base system)/, 'configure'],
  [/^Base system installed successfully/, 'installed'],
];

const INDEX_FILES = new Set(['InRelease', 'Release', 'Release.gpg', 'Packages']);

/**
 * A parser with its own per-phase counters; feed it every output line of one debootstrap run.
 * Returns the event for `line`, or null when the line is not progress.
 */
export function createDebootstrapProgressParser(): (line: string) => BuildProgress | null {
  const seen = new Map<BuildPhase, Set<string>>();
  const count = (phase: BuildPhase, pkg: string): number => {
    const names = seen.get(phase) ?? new Set<string>();
    seen.set(phase, names);
    names.add(pkg);
    return names.size;
  };
  return (line) => {
    const info = /^I: (.*?)\s*$/.exec(line);
    if (!info) return null;
    const message = info[1]!;
    for (const [pattern, phase] of STAGE_LINES) {
      if (pattern.test(message)) return { phase, count: 0, message };
    }
    const match = /^(\w+) (\S+?)(?:\.\.\.| (\S+))?$/.exec(message);
    const phase = match ? PACKAGE_VERBS[match[1]!] : undefined;
    if (!match || !phase) return null;
    const name = match[2]!;
    const version = match[3];
    if (INDEX_FILES.has(name) && version === undefined) {
      return { phase: 'index', package: name, count: 0, message };
    }
    const pkg = name.replace(/:[a-z0-9-]+$/, '');
    return { phase, package: pkg, ...(version ? { version } : {}), count: count(phase, pkg), message };
  };
}

/** One line for people: `retrieve 12 nodejs 18.19.0+dfsg-6~deb12u2`. */
export function formatProgress(event: BuildProgress): string {
  if (!event.package) return event.message;
  const version = event.version ? ` ${event.version}` : '';
  return event.count > 0
    ? `${event.phase} ${event.count} ${event.package}${version}`
    : `${event.phase} ${event.package}`;
}
