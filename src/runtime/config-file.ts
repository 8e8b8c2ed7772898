import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSections, parseConfigFile as parseFileFor } from '../core/config/config-file.js';
import { AetherError } from '../core/errors.js';
import {
  type AetherConfig,
  CONFIG_OPTIONS,
  type ConfigFileValues,
  type ConfigFlags,
  type ConfigKey,
  configSettingName,
  configSource,
  loadConfig,
} from './config.js';
import { translateLegacyEnv } from './seed-config/env.js';
import { translateLegacyKeys } from './seed-config/keys.js';
import type { ConfigNotice } from './seed-config/notice.js';
import { splitLegacyKeys } from './seed-config/yaml.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The config file's sections, in the order messages list them. */
export const CONFIG_SECTIONS: readonly string[] = configSections(CONFIG_OPTIONS);

/** A parsed config file, with what its keys of the Go version's dialect became. */
export interface ParsedConfigFile extends ConfigFileValues {
  /** One per key of the Go version's: what to write instead, or why it is ignored. */
  notices: readonly ConfigNotice[];
  /** Our option → the Go version's keys its value came from, for messages. */
  origins: Partial<Record<ConfigKey, string[]>>;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Parses the text of config file `path` (named as the user gave it, for messages) against the
 * node's options; see core/config/config-file.ts. Keys of the Go version's files are read too
 * (seed-config/keys.ts): our own keys win over them, and each leaves a notice.
 */
export function parseConfigFile(text: string, path: string, env: Env): ParsedConfigFile {
  const split = splitLegacyKeys(text, env);
  if (split === null || split.entries.length === 0) {
    return { ...parseFileFor(CONFIG_OPTIONS, text, path, env), notices: [], origins: {} };
  }
  let own: ConfigFileValues = { path, values: {} };
  const problems: string[] = [];
  try {
    own = parseFileFor(CONFIG_OPTIONS, split.ownText, path, env);
  } catch (error) {
    if (!(error instanceof AetherError) || error.code !== 'ERR_CONFIG') throw error;
    problems.push(error.message.replace(/^config file /, ''));
  }
  const legacy = translateLegacyKeys(split.entries, { file: path, env, ours: own.values });
  problems.push(...legacy.problems);
  if (problems.length > 0) throw new AetherError('ERR_CONFIG', `config file ${problems.join('; ')}`);
  const values = { ...own.values };
  for (const [option, value] of Object.entries(legacy.values)) {
    if (isUnset(values[option])) values[option] = value;
  }
  return { path, values, notices: legacy.notices, origins: legacy.origins };
}

export interface ResolveConfigOptions {
  env: Env;
  flags?: ConfigFlags;
  /** `--config`; when absent, `AETHER_CONFIG` from `env`; neither means no file. */
  configPath?: string | undefined;
  cwd?: string;
}

export interface ResolvedConfig {
  config: AetherConfig;
  /** Absolute path of the config file that was read, or null. */
  configFile: string | null;
  /**
   * Where the user changes `key`: `--port`, `DATABASE_URL` or `f.yaml:storage.database_url`;
   * for a value read from the Go version's keys or variables, those (`POSTGRES_HOST, ...`).
   */
  settingName(key: ConfigKey): string;
  /** One warning per key or variable of the Go version's that was read; log them at start. */
  notices: readonly ConfigNotice[];
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable (permission denied)',
  EISDIR: 'is a directory',
  ENOTDIR: 'does not exist',
};

/** Reads and parses config file `file` (relative to `cwd`), naming it as given in messages. */
export function readConfigFile(file: string, env: Env, cwd = process.cwd()): ParsedConfigFile {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = READ_FAILURES[code] ?? `cannot be read (${(error as Error).message})`;
    throw new AetherError('ERR_CONFIG', `config file ${file} ${why}; check --config or AETHER_CONFIG`, {
      cause: error,
    });
  }
  return parseConfigFile(text, file, env);
}

/**
 * An ERR_CONFIG about an option whose value came from the Go version's keys or variables,
 * with those named: the message otherwise names only our key, which the user never wrote.
 */
function withOrigins(error: unknown, origins: readonly [string, readonly string[]][]): unknown {
  if (!(error instanceof AetherError) || error.code !== 'ERR_CONFIG') return error;
  const read = origins
    .filter(([setting]) => error.message.includes(`(${setting}=`))
    .map(([setting, from]) => `${setting} was read from ${from.join(', ')}`);
  if (read.length === 0) return error;
  return new AetherError('ERR_CONFIG', `${error.message} (${read.join('; ')})`, { cause: error });
}

/** Each notice once, in order (REDIS_ADDR can be read for the environment and for a file). */
function distinct(notices: readonly ConfigNotice[]): ConfigNotice[] {
  const seen = new Set<string>();
  return notices.filter((notice) => !seen.has(notice.subject) && seen.add(notice.subject));
}

/**
 * The node's configuration from flags, the config file, the environment and the defaults. The
 * Go version's variables count as the environment (ours win over them; `${DATABASE_URL}` in the
 * file sees what POSTGRES_HOST and its siblings make of it); its config keys count as the file
 * (the file's own keys win over them).
 */
export function resolveConfig(options: ResolveConfigOptions): ResolvedConfig {
  const { env: given, flags = {}, cwd = process.cwd() } = options;
  const legacyEnv = translateLegacyEnv(given);
  const env = legacyEnv.env;
  const configPath = options.configPath || given.AETHER_CONFIG || undefined;
  const file = configPath === undefined ? undefined : readConfigFile(configPath, env, cwd);
  const origins: [string, readonly string[]][] = [
    ...Object.entries(file?.origins ?? {}).map(([key, from]): [string, string[]] => [
      configSettingName(key as ConfigKey, 'file', file?.path),
      from ?? [],
    ]),
    ...Object.entries(legacyEnv.origins),
  ];
  let config: AetherConfig;
  try {
    config = loadConfig(env, flags, cwd, file);
  } catch (error) {
    throw withOrigins(error, origins);
  }
  return {
    config,
    configFile: configPath === undefined ? null : path.resolve(cwd, configPath),
    settingName: (key) => {
      const source = configSource(key, env, flags, file);
      const fromFile = source === 'file' ? file?.origins[key] : undefined;
      if (fromFile && file) return `${file.path}:${fromFile.join(', ')}`;
      const fromEnv = source === 'env' ? legacyEnv.origins[CONFIG_OPTIONS[key].env] : undefined;
      return fromEnv ? fromEnv.join(', ') : configSettingName(key, source, file?.path);
    },
    notices: distinct([...legacyEnv.notices, ...(file?.notices ?? [])]),
  };
}
