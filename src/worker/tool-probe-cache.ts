/**
 * What a fresh VM of an image has, remembered for a while by the worker. Probing the tools
 * (`git --version`, `node --version`, ...) starts a handful of programs in every new VM, several
 * of them Node.js programs that take tens of milliseconds of CPU each; every fresh VM of the same
 * driver and image answers the same, so one probe serves the creates that follow. Entries expire,
 * so an image changed in place (a host package upgraded under the process driver) is seen again
 * within `ttlMs`. Only a fresh VM's answers are stored: installs happen after the probe, per VM.
 */
export interface ProbedImage {
  /** Tool name → version found, or null when the tool is absent. */
  tools: ReadonlyMap<string, string | null>;
  installers: { npm: boolean; mise: boolean };
}

/** How long a probe's answers are trusted. */
export const TOOL_PROBE_TTL_MS = 5 * 60_000;

export class ToolProbeCache {
  private readonly entries = new Map<string, { probed: ProbedImage; at: number }>();

  constructor(
    private readonly ttlMs = TOOL_PROBE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The image's answers for every one of `toolNames`, or null when any is missing or stale. */
  get(image: string, toolNames: readonly string[]): ProbedImage | null {
    const entry = this.entries.get(image);
    if (!entry) return null;
    if (this.now() - entry.at > this.ttlMs) {
      this.entries.delete(image);
      return null;
    }
    return toolNames.every((name) => entry.probed.tools.has(name)) ? entry.probed : null;
  }

  /** Adds what a probe of a fresh VM of `image` found to what is known of it. */
  remember(image: string, probed: ProbedImage): void {
    const known = this.get(image, []);
    const tools = new Map(known?.tools ?? []);
    for (const [name, version] of probed.tools) tools.set(name, version);
    this.entries.set(image, { probed: { tools, installers: probed.installers }, at: this.now() });
  }
}
