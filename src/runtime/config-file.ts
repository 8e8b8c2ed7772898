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

type Env = Readonly<Record<string, string | undefined>>;

/** The config file's sections, in the order messages list them. */
export const CONFIG_SECTIONS: readonly string[] = configSections(CONFIG_OPTIONS);

/**
 * Parses the text of config file `path` (named as the user gave it, for messages) against the
 * node's options; see core/config/config-file.ts.
 */
export function parseConfigFile(text: string, path: string, env: Env): ConfigFileValues {
  return parseFileFor(CONFIG_OPTIONS, text, path, env);
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
  /** Where the user changes `key`: `--port`, `DATABASE_URL` or `f.yaml:storage.database_url`. */
  settingName(key: ConfigKey): string;
}

const READ_FAILURES: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable (permission denied)',
  EISDIR: 'is a directory',
  ENOTDIR: 'does not exist',
};

/** Reads and parses config file `file` (relative to `cwd`), naming it as given in messages. */
export function readConfigFile(file: string, env: Env, cwd = process.cwd()): ConfigFileValues {
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

/** The node's configuration from flags, the config file, the environment and the defaults. */
export function resolveConfig(options: ResolveConfigOptions): ResolvedConfig {
  const { env, flags = {}, cwd = process.cwd() } = options;
  const configPath = options.configPath || env.AETHER_CONFIG || undefined;
  const file = configPath === undefined ? undefined : readConfigFile(configPath, env, cwd);
  const config = loadConfig(env, flags, cwd, file);
  return {
    config,
    configFile: configPath === undefined ? null : path.resolve(cwd, configPath),
    settingName: (key) => configSettingName(key, configSource(key, env, flags, file), file?.path),
  };
}
