/**
 * Core's options, which every node has whatever drivers and integrations it runs, and the
 * loader that reads them together with the modules' options (the runtime joins the table, see
 * src/runtime/config.ts).
 */
import path from 'node:path';
import { AUTH_OPTIONS } from './auth-options.js';
import { LOGGING_OPTIONS } from './logging-options.js';
import { NETWORK_OPTIONS } from './network-options.js';
import type { ConfigValues } from './option.js';
import { type ConfigFileValues, type ConfigFlags, type OptionLabel, readOptions } from './read-options.js';
import { SERVER_OPTIONS } from './server-options.js';
import { STORAGE_OPTIONS } from './storage-options.js';
import { vmmOptions } from './vmm-options.js';
import { WEBHOOK_OPTIONS } from './webhook-options.js';
import { WORKER_OPTIONS } from './worker-options.js';

/** Core's table, given the names of the drivers this build has (the `driver` option takes one). */
export function coreOptions(driverNames: readonly [string, ...string[]]) {
  return {
    ...SERVER_OPTIONS,
    ...STORAGE_OPTIONS,
    ...vmmOptions(driverNames),
    ...NETWORK_OPTIONS,
    ...WORKER_OPTIONS,
    ...LOGGING_OPTIONS,
    ...AUTH_OPTIONS,
    ...WEBHOOK_OPTIONS,
  };
}

export type CoreOptions = ReturnType<typeof coreOptions>;

/** Core's part of a node's configuration, as the layers below the runtime read it. */
export type CoreConfig = ConfigValues<CoreOptions>;

type NumericKey = { [K in keyof CoreConfig]: CoreConfig[K] extends number ? K : never }[keyof CoreConfig];

/** Options whose `a < b` relation keeps workers and their observers consistent. */
const ORDERED_OPTIONS: readonly [NumericKey, NumericKey, string][] = [
  ['heartbeatIntervalMs', 'workerLeaseMs', 'a worker must renew its registration before its lease runs out'],
  ['workerLeaseMs', 'workerGraceMs', 'a worker must give up its VMs before other nodes declare it dead'],
];

function coreRelations(config: CoreConfig, label: OptionLabel): string[] {
  const problems: string[] = [];
  for (const [lower, higher, why] of ORDERED_OPTIONS) {
    if (config[lower] >= config[higher]) {
      problems.push(`${label(lower)} must be less than ${label(higher)}: ${why}`);
    }
  }
  if (config.logProvider === 'loki' && config.lokiUrl === '') {
    problems.push(`${label('lokiUrl')}: must be set when ${label('logProvider')} is loki`);
  }
  return problems;
}

/**
 * Parse the configuration once, at the edge: flags > config file > env > defaults, for every
 * option of `options` (core's and the modules'). Pure apart from reading the hostname; the
 * frozen result is passed down and nothing below reads `process.env`. A relative data dir is
 * resolved against `cwd`, or against the config file's folder when the file sets it.
 */
export function loadConfigWith<T extends CoreOptions>(
  options: T,
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
  cwd = process.cwd(),
  file?: ConfigFileValues,
): ConfigValues<T> {
  const { values, sources } = readOptions(options, { env, flags, file }, (parsed, label) =>
    coreRelations(parsed as unknown as CoreConfig, label),
  );
  const core = values as unknown as CoreConfig;
  const base = (key: 'dataDir' | 'imageDir') =>
    sources[key] === 'file' && file ? path.resolve(cwd, path.dirname(file.path)) : path.resolve(cwd);
  const dataDir = path.resolve(base('dataDir'), core.dataDir);
  const imageDir = core.imageDir ? path.resolve(base('imageDir'), core.imageDir) : dataDir;
  return Object.freeze({ ...values, dataDir, imageDir }) as ConfigValues<T>;
}
