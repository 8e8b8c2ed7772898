/**
 * The node's configuration: core's options, each driver module's, the options integrations
 * share and each integration module's, joined into one table. Read once, at the edge (flags >
 * config file > env > defaults); the frozen result is passed down, and each module gets its own
 * part of it.
 */
import { coreOptions, loadConfigWith } from '../core/config/core-config.js';
import type { ConfigOption, ConfigOptionTable, ConfigValues, JoinedTables } from '../core/config/option.js';
import {
  type ConfigFileValues,
  type ConfigSource,
  configSettingName as settingNameIn,
  configSource as sourceIn,
} from '../core/config/read-options.js';
import { DRIVER_MODULES } from '../drivers/modules.js';
import { INTEGRATION_MODULES } from '../integrations/modules.js';
import { integrationsOptions } from '../integrations/options.js';

export type { ConfigFileValues, ConfigSource } from '../core/config/read-options.js';

type ModuleOptions<M extends readonly { options: ConfigOptionTable }[]> = JoinedTables<M[number]['options']>;

/** The names of the drivers of this build, in the order of the list. */
export const DRIVER_NAMES = DRIVER_MODULES.map((module) => module.name) as [string, ...string[]];

/**
 * Sections in the order the config file's sections have always been listed (messages name them
 * so, and docs/configuration.md follows it). A module's new section comes after these.
 */
const SECTION_ORDER = [
  'server',
  'storage',
  'queue',
  'event_bus',
  'vmm',
  'process',
  'docker',
  'qemu',
  'network',
  'firecracker',
  'worker',
  'cluster',
  'metrics',
  'logging',
  'auth',
  'integrations',
  'github',
  'slack',
  'webhooks',
];

function sectionRank(option: ConfigOption): number {
  const rank = SECTION_ORDER.indexOf(option.file.split('.')[0]!);
  return rank === -1 ? SECTION_ORDER.length : rank;
}

/**
 * One table from several, ordered by section. An option name, env var or file key defined twice
 * is a mistake in a module: it stops the process at once, naming both.
 */
export function joinOptions(tables: readonly ConfigOptionTable[]): ConfigOptionTable {
  const joined = new Map<string, ConfigOption>();
  const owner = new Map<string, string>();
  for (const table of tables) {
    for (const [key, option] of Object.entries(table)) {
      for (const id of [`option ${key}`, `env var ${option.env}`, `file key ${option.file}`]) {
        const first = owner.get(id);
        if (first !== undefined) throw new Error(`${id} is defined twice (by ${first} and ${key})`);
        owner.set(id, key);
      }
      joined.set(key, option);
    }
  }
  // A stable sort: options of a section keep the order their tables give them.
  return Object.fromEntries([...joined].sort(([, a], [, b]) => sectionRank(a) - sectionRank(b)));
}

/** Every option of the node, by name. */
export const CONFIG_OPTIONS = joinOptions([
  coreOptions(DRIVER_NAMES),
  ...DRIVER_MODULES.map((module) => module.options),
  integrationsOptions(INTEGRATION_MODULES.map((module) => module.name)),
  ...INTEGRATION_MODULES.map((module) => module.options),
]) as ReturnType<typeof coreOptions> &
  ModuleOptions<typeof DRIVER_MODULES> &
  ReturnType<typeof integrationsOptions> &
  ModuleOptions<typeof INTEGRATION_MODULES>;

export type ConfigKey = keyof typeof CONFIG_OPTIONS & string;

/** A node's whole configuration, frozen. */
export type AetherConfig = ConfigValues<typeof CONFIG_OPTIONS>;

/** Command-line values by option; `undefined` means the flag was not given. */
export type ConfigFlags = Partial<Record<ConfigKey, string | number | undefined>>;

/**
 * Parse the configuration once, at the edge: flags > config file > env > defaults. Pure apart
 * from reading the hostname. A relative data dir is resolved against `cwd`, or against the
 * config file's folder when the file sets it.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
  cwd = process.cwd(),
  file?: ConfigFileValues,
): AetherConfig {
  return loadConfigWith(CONFIG_OPTIONS, env, flags, cwd, file);
}

/** Which layer sets `key`: flags > config file > env > defaults. Empty values do not count. */
export function configSource(
  key: ConfigKey,
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
  file?: ConfigFileValues,
): ConfigSource {
  return sourceIn(CONFIG_OPTIONS, key, { env, flags, file });
}

/**
 * Where a user changes `key`, given where its value came from: `--port`, `DATABASE_URL` or
 * `f.yaml:storage.database_url`. Error messages and start-up hints use it.
 */
export function configSettingName(key: ConfigKey, source: ConfigSource, filePath?: string): string {
  return settingNameIn(CONFIG_OPTIONS, key, source, filePath);
}
