/**
 * Reading a table of options from its layers: flags > config file > environment > defaults.
 * Pure: the caller passes the environment, the flags and the parsed file; nothing here reads
 * `process.env`. Every problem is collected, then thrown as one ERR_CONFIG naming, for each
 * option, the flag, `file:section.key` or variable that set it.
 */
import { z } from 'zod';
import { AetherError } from '../errors.js';
import type { ConfigOptionTable, ConfigValues } from './option.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Command-line values by option; `undefined` means the flag was not given. */
export type ConfigFlags<K extends string = string> = Partial<Record<K, string | number | undefined>>;

/** What a config file sets, by option, before validation (see `parseConfigFile`). */
export interface ConfigFileValues {
  /** The file as the user named it; messages name it so. */
  path: string;
  values: Partial<Record<string, unknown>>;
}

/** Where an option's value came from. */
export type ConfigSource = 'flag' | 'file' | 'env' | 'default';

/** The layers a configuration is read from. */
export interface ConfigLayers {
  env: Env;
  flags?: ConfigFlags;
  file?: ConfigFileValues | undefined;
}

/** Names an option with where it was set and its value: `port (AETHER_PORT="x")`. */
export type OptionLabel = (key: string) => string;

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Which layer sets `key`: flags > config file > env > defaults. Empty values do not count. */
export function configSource(options: ConfigOptionTable, key: string, layers: ConfigLayers): ConfigSource {
  const { env, flags = {}, file } = layers;
  if (!isUnset(flags[key])) return 'flag';
  if (file && !isUnset(file.values[key])) return 'file';
  const option = options[key];
  if (option && !isUnset(env[option.env])) return 'env';
  return 'default';
}

/**
 * Where a user changes `key`, given where its value came from: `--port`, `DATABASE_URL` or
 * `f.yaml:storage.database_url`. Error messages and start-up hints use it.
 */
export function configSettingName(
  options: ConfigOptionTable,
  key: string,
  source: ConfigSource,
  filePath?: string,
): string {
  const option = options[key];
  if (source === 'flag' || option === undefined) return flagName(key);
  if (source === 'file' && filePath !== undefined) return `${filePath}:${option.file}`;
  return option.env;
}

/** A value for an error message: a secret as `"***"`, a password in a URL masked. */
function shown(options: ConfigOptionTable, key: string, value: unknown): string {
  const option = options[key];
  if (option?.secret && value) return '"***"';
  const text = JSON.stringify(value) ?? String(value);
  return option?.maskUrlPassword ? text.replace(/(\/\/[^/:@]*:)[^/@]*@/, '$1***@') : text;
}

function expectedType(value: string | number | boolean): string {
  return typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'string';
}

export interface ReadOptions<T extends ConfigOptionTable> {
  values: ConfigValues<T>;
  sources: Record<keyof T, ConfigSource>;
}

/**
 * Reads and checks every option of `options` from `layers`. `relations` adds the problems of
 * options taken together (run only when each option is valid on its own). Throws one
 * ERR_CONFIG listing every problem.
 */
export function readOptions<T extends ConfigOptionTable>(
  options: T,
  layers: ConfigLayers,
  relations: (values: ConfigValues<T>, label: OptionLabel) => string[] = () => [],
): ReadOptions<T> {
  const { env, flags = {}, file } = layers;
  const raw: Record<string, unknown> = {};
  const sources = {} as Record<string, ConfigSource>;
  const problems: string[] = [];
  const wrongType = new Set<string>();
  const label: OptionLabel = (key) =>
    `${key} (${configSettingName(options, key, sources[key] ?? 'default', file?.path)}=${shown(options, key, raw[key])})`;
  for (const [key, option] of Object.entries(options)) {
    const source = configSource(options, key, layers);
    sources[key] = source;
    let value: unknown =
      source === 'flag'
        ? flags[key]
        : source === 'file'
          ? file?.values[key]
          : source === 'env'
            ? env[option.env]
            : option.default;
    // YAML gives numbers, strings, booleans, lists and maps; a string option takes a number as
    // its text (`id: 7`), and nothing else is coerced (`true` must not become port 1).
    if (source === 'file' && typeof value === 'number' && typeof option.default === 'string') {
      value = String(value);
    }
    raw[key] = value;
    // A boolean option takes YAML's true/false as they are, and the env's text 'true'/'false'.
    const isBooleanOption = typeof option.default === 'boolean';
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      !(isBooleanOption && typeof value === 'boolean')
    ) {
      wrongType.add(key);
      problems.push(`${label(key)}: expected a ${expectedType(option.default)}`);
    }
    if (option.fillDefault && value === option.default) raw[key] = option.fillDefault();
  }
  const schema = z.object(Object.fromEntries(Object.entries(options).map(([key, o]) => [key, o.schema])));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      if (!(key in options)) problems.push(`${key}: ${issue.message}`);
      else if (!wrongType.has(key)) problems.push(`${label(key)}: ${issue.message}`);
    }
  }
  if (problems.length === 0 && parsed.success) {
    problems.push(...relations(parsed.data as ConfigValues<T>, label));
  }
  if (problems.length > 0 || !parsed.success) {
    throw new AetherError('ERR_CONFIG', `invalid configuration: ${problems.join('; ')}`);
  }
  return { values: parsed.data as ConfigValues<T>, sources: sources as Record<keyof T, ConfigSource> };
}
