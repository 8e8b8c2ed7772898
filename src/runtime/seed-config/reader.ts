/**
 * Reading the Go version's keys of one config file into our options: each key is found under
 * one canonical path whatever variant of that version's files wrote it (`database.host` and
 * `storage.postgres.host`, `vmm.config.docker` and `vmm.docker`), read once, and leaves one
 * notice. Our own keys in the same file win; two of that version's keys that disagree are a
 * problem; a key no rule reads is an unknown key, as in any file.
 */
import { closest, substituteEnv } from '../../core/config/config-file.js';
import type { ConfigOption } from '../../core/config/option.js';
import { CONFIG_OPTIONS, type ConfigKey } from '../config.js';
import { type ConfigNotice, keyIgnored, keyReplaced, valueReplaced } from './notice.js';
import { maskUrl } from './values.js';
import type { LegacyEntry } from './yaml.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Spellings of the Go version's files, each rewritten to the one its rules read. */
const ALIASES: readonly [string, string][] = [
  ['vmm.config', 'vmm'],
  ['vmm.default_orchestrator', 'vmm.provider'],
  ['vmm.docker.socket_path', 'vmm.docker.socket'],
  ['storage.config', 'storage'],
  ['database', 'storage.postgres'],
  ['storage.postgres.ssl_mode', 'storage.postgres.sslmode'],
  ['storage.postgres.max_connections', 'storage.postgres.max_open_conns'],
  ['storage.postgres.max_idle_connections', 'storage.postgres.max_idle_conns'],
  ['task_queue.config', 'queue'],
  ['task_queue', 'queue'],
  ['redis', 'queue.redis'],
  ['queue.asynq.redis_addr', 'queue.redis.addr'],
  ['queue.asynq.concurrency', 'queue.concurrency'],
  ['queue.asynq.priorities', 'queue.queues'],
  ['event_bus.config', 'event_bus'],
  ['events', 'event_bus'],
  ['logging.config', 'logging'],
  ['logging.loki.batch_wait', 'logging.loki.batch_interval'],
  ['integrations.config', 'integrations'],
  ['integrations.slack.token', 'integrations.slack.bot_token'],
  ['tools.install_timeout', 'tools.timeout'],
];

/** The path the rules know `path` by. */
export function canonicalPath(path: string): string {
  let canonical = path;
  for (const [from, to] of ALIASES) {
    if (canonical === from || canonical.startsWith(`${from}.`)) canonical = to + canonical.slice(from.length);
  }
  return canonical;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export interface LegacyReaderContext {
  /** The file as the user named it. */
  file: string;
  /**
   * The environment options are read from: for `${NAME}` in values, whether a variable sets an
   * option, and the Go version's overrides (DB_HOST, REDIS_ADDR, ...).
   */
  env: Env;
  /** What the file's own keys set, by option: these win over the Go version's. */
  ours: Readonly<Partial<Record<string, unknown>>>;
}

export class LegacyReader {
  readonly values: Partial<Record<ConfigKey, unknown>> = {};
  /** Our option → the Go version's keys its value came from. */
  readonly origins: Partial<Record<ConfigKey, string[]>> = {};
  /** Notices with the line they are about, for telling them in the file's order. */
  private readonly noticesAt: [number, ConfigNotice][] = [];
  readonly problems: string[] = [];
  private readonly read = new Set<LegacyEntry>();
  private readonly canonical = new Map<LegacyEntry, string>();

  constructor(
    private readonly entries: readonly LegacyEntry[],
    readonly context: LegacyReaderContext,
  ) {
    for (const entry of entries) this.canonical.set(entry, canonicalPath(entry.path));
  }

  where(entry: LegacyEntry): string {
    return `${this.context.file}:${entry.line}`;
  }

  /** Unread entries at canonical `path` (not under a block that was read whole). */
  at(path: string): LegacyEntry[] {
    return this.entries.filter(
      (entry) => !this.read.has(entry) && !this.isUnderRead(entry) && this.canonical.get(entry) === path,
    );
  }

  /** The first unread entry at `path`, if any. */
  first(path: string): LegacyEntry | undefined {
    return this.at(path)[0];
  }

  /** Unread keys (not maps) at or under canonical `path`. */
  leavesUnder(path: string): LegacyEntry[] {
    return this.entries.filter((entry) => {
      const canonical = this.canonical.get(entry)!;
      return (
        !entry.isBlock &&
        !this.read.has(entry) &&
        !this.isUnderRead(entry) &&
        (path === '' || canonical === path || canonical.startsWith(`${path}.`))
      );
    });
  }

  private isUnderRead(entry: LegacyEntry): boolean {
    return [...this.read].some((read) => read.isBlock && entry.path.startsWith(`${read.path}.`));
  }

  /** The entry's value as text, `${NAME}` substituted; null (and a problem) when that fails. */
  text(entry: LegacyEntry): string | null {
    const { value } = entry;
    if (value === null || value === undefined) return '';
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') {
      this.problem(entry, 'must be a single value');
      return null;
    }
    return this.substitute(entry, value);
  }

  /** A list (or one comma-separated string) of texts, each substituted. */
  list(entry: LegacyEntry): string[] | null {
    const items = Array.isArray(entry.value) ? entry.value : [entry.value];
    const texts: string[] = [];
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (typeof item === 'object') {
        this.problem(entry, 'must be a list of values');
        return null;
      }
      const text = this.substitute(entry, String(item));
      if (text === null) return null;
      texts.push(...text.split(','));
    }
    return texts.map((text) => text.trim()).filter(Boolean);
  }

  private substitute(entry: LegacyEntry, value: string): string | null {
    try {
      return substituteEnv(value, this.context.env, `${this.where(entry)} (${entry.path})`);
    } catch (error) {
      this.read.add(entry);
      this.problems.push((error as Error).message);
      return null;
    }
  }

  problem(entry: LegacyEntry, message: string): void {
    this.read.add(entry);
    this.problems.push(`${this.where(entry)}: ${entry.path} ${message}`);
  }

  /** Reads `entry` (and all under it) without setting anything, saying why. */
  ignore(entry: LegacyEntry, why: string): void {
    this.read.add(entry);
    this.noticesAt.push([entry.line, keyIgnored(entry.path, this.where(entry), why)]);
  }

  /** Reads `entry`, which sets nothing by itself, and says what replaces it. */
  replaced(entry: LegacyEntry, instead: string): void {
    this.read.add(entry);
    this.noticesAt.push([entry.line, keyReplaced(entry.path, this.where(entry), instead)]);
  }

  /** Reads our key `entry`, whose value was the Go version's form, and says what to write. */
  valueReplaced(entry: LegacyEntry, written: string, instead: string): void {
    this.read.add(entry);
    this.noticesAt.push([entry.line, valueReplaced(entry.path, written, this.where(entry), instead)]);
  }

  /** Adds a notice about `entry`'s line that reading it did not say itself. */
  notice(entry: LegacyEntry, notice: ConfigNotice): void {
    this.noticesAt.push([entry.line, notice]);
  }

  /** Every notice, in the order of the lines they are about. */
  notices(): ConfigNotice[] {
    return [...this.noticesAt].sort(([a], [b]) => a - b).map(([, notice]) => notice);
  }

  /** Whether the file's own keys set `option`. */
  oursSet(option: ConfigKey): boolean {
    return !isUnset(this.context.ours[option]);
  }

  /** Whether anything sets `option`: the Go version's keys, the file's own, or the environment. */
  isSet(option: ConfigKey): boolean {
    return (
      !isUnset(this.values[option]) ||
      this.oursSet(option) ||
      !isUnset(this.context.env[CONFIG_OPTIONS[option].env])
    );
  }

  /** Sets our key `option`, which `entry` gave in the Go version's form `written`. */
  replaceValue(option: ConfigKey, value: string, entry: LegacyEntry, written: string): void {
    this.values[option] = value;
    this.origins[option] = [entry.path];
    this.valueReplaced(entry, written, `${CONFIG_OPTIONS[option].file}: ${value}`);
  }

  /**
   * Sets `option` to `value` from the keys `from` (each then says to write `option` instead),
   * unless the file's own key sets it (each then says it is ignored), or other keys of the Go
   * version set it differently (a problem naming both).
   */
  set(option: ConfigKey, value: unknown, from: readonly LegacyEntry[], note = ''): void {
    const { file: target, secret, maskUrlPassword }: ConfigOption = CONFIG_OPTIONS[option];
    const shown = `${secret ? '***' : maskUrlPassword ? maskUrl(String(value)) : String(value)}${note}`;
    if (this.oursSet(option)) {
      for (const entry of from) this.ignore(entry, `${target} is set in the same file and wins`);
      return;
    }
    const earlier = this.origins[option];
    if (earlier && this.values[option] !== value) {
      for (const entry of from) {
        this.problem(
          entry,
          `sets ${target} to ${shown}, but ${earlier.join(', ')} set it otherwise; keep one`,
        );
      }
      return;
    }
    this.values[option] = value;
    this.origins[option] = [...(earlier ?? []), ...from.map((entry) => entry.path)];
    for (const entry of from) {
      this.read.add(entry);
      this.noticesAt.push([
        entry.line,
        keyReplaced(entry.path, this.where(entry), shown === '' ? target : `${target}: ${shown}`),
      ]);
    }
  }

  /** Every key no rule read: unknown keys, each named with what its block takes. */
  reportUnknown(known: readonly string[]): void {
    for (const entry of this.leavesUnder('')) {
      const canonical = this.canonical.get(entry)!;
      this.read.add(entry);
      // A block written as one value: empty is unset, as for any section; anything else is wrong.
      if (known.some((path) => path.startsWith(`${canonical}.`))) {
        if (entry.value !== null)
          this.problems.push(`${this.where(entry)}: ${entry.path} must be a map of keys (key: value)`);
        continue;
      }
      const parent = canonical.slice(0, canonical.lastIndexOf('.'));
      const siblings = known
        .filter((path) => path.startsWith(`${parent}.`))
        .map((path) => path.slice(parent.length + 1).split('.')[0]!);
      const name = canonical.slice(parent.length + 1);
      const near = closest(name, siblings);
      const hint = near
        ? ` (did you mean ${near}?)`
        : siblings.length > 0
          ? ` (it takes ${[...new Set(siblings)].join(', ')})`
          : '';
      this.problems.push(`${this.where(entry)}: unknown key ${entry.path} of the Go version's config${hint}`);
    }
  }
}
