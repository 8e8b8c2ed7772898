/**
 * Progress of a guest kernel build as typed events. The compile prints one kbuild line per step
 * (`  CC      kernel/fork.o`); thousands of them, so the build reports a compile event only every
 * so many files or every few seconds, whichever comes first, and each stage once.
 */

export type KernelBuildStage =
  /** Asking apt which linux-source package and version to build. */
  | 'source'
  /** The build was in the cache: nothing else runs. */
  | 'cached'
  /** apt-get download of linux-source-<version>. */
  | 'download'
  /** Unpacking the .deb and the source tarball inside it. */
  | 'extract'
  /** tinyconfig, merging the fragment, olddefconfig, checking the result. */
  | 'configure'
  /** make vmlinux: one event every so many compiled files. */
  | 'compile'
  /** The built kernel's .config checked against the fragment again; the vmlinux checked. */
  | 'verify'
  /** Moving vmlinux and its .config into the cache. */
  | 'install';

export interface KernelBuildProgress {
  stage: KernelBuildStage;
  /** Files compiled so far (compile events); 0 otherwise. */
  count: number;
  /** The last file compiled, on compile events. */
  file?: string;
  message: string;
}

export type KernelProgressListener = (event: KernelBuildProgress) => void;

/** kbuild's short-form verbs that compile one file. */
const COMPILE_VERBS = new Set(['CC', 'AS', 'HOSTCC', 'HOSTCXX', 'HOSTLD', 'CPP']);

/** One kbuild line (`  CC      kernel/fork.o`) → its verb and target, or null for any other line. */
export function parseKbuildLine(line: string): { verb: string; target: string } | null {
  const match = /^ {2}([A-Z][A-Z0-9_]*)(?: \[M\])?\s+(\S.*?)\s*$/.exec(line);
  return match ? { verb: match[1]!, target: match[2]! } : null;
}

/** True when the kbuild line compiles a file (counted for progress), not links or generates. */
export function isCompileLine(line: string): boolean {
  const parsed = parseKbuildLine(line);
  return parsed !== null && COMPILE_VERBS.has(parsed.verb);
}

export interface CompileProgressOptions {
  /** Report after this many more files; default 200. */
  everyFiles?: number;
  /** ... or when this long has passed since the last report with at least one new file; default 5000. */
  everyMs?: number;
  now?: () => number;
}

/**
 * Feed it every output line of `make vmlinux`; it returns a compile event when one is due
 * (every `everyFiles` compiled files or `everyMs`, whichever first), else null.
 */
export function createCompileProgress(
  options: CompileProgressOptions = {},
): (line: string) => KernelBuildProgress | null {
  const everyFiles = options.everyFiles ?? 200;
  const everyMs = options.everyMs ?? 5000;
  const now = options.now ?? Date.now;
  let count = 0;
  let reportedCount = 0;
  let reportedAt = now();
  return (line) => {
    const parsed = parseKbuildLine(line);
    if (!parsed || !COMPILE_VERBS.has(parsed.verb)) return null;
    count++;
    const at = now();
    if (count - reportedCount < everyFiles && at - reportedAt < everyMs) return null;
    reportedCount = count;
    reportedAt = at;
    return {
      stage: 'compile',
      count,
      file: parsed.target,
      message: `compiled ${count} files (${parsed.target})`,
    };
  };
}

/** One line for people: the stage, then what it says. */
export function formatKernelProgress(event: KernelBuildProgress): string {
  return `${event.stage.padEnd(9)} ${event.message}`;
}
