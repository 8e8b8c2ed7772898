import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreOptions } from '../core/config/core-config.js';
import type { ConfigOption, ConfigOptionTable } from '../core/config/option.js';
import { DRIVER_MODULES } from '../drivers/modules.js';
import { INTEGRATION_MODULES } from '../integrations/modules.js';
import { integrationsOptions } from '../integrations/options.js';
import { CONFIG_OPTIONS, DRIVER_NAMES, joinOptions } from './config.js';
import { CONFIG_REFERENCE_PATH, renderConfigReference } from './config-reference.js';

const committed = readFileSync(new URL(`../../${CONFIG_REFERENCE_PATH}`, import.meta.url), 'utf8');

/** Every table of options there is, by who defines it. */
const TABLES: [string, ConfigOptionTable][] = [
  ['core', coreOptions(DRIVER_NAMES)],
  ...DRIVER_MODULES.map((m): [string, ConfigOptionTable] => [`driver ${m.name}`, m.options]),
  ['integrations', integrationsOptions(INTEGRATION_MODULES.map((m) => m.name))],
  ...INTEGRATION_MODULES.map((m): [string, ConfigOptionTable] => [`integration ${m.name}`, m.options]),
];

describe('the configuration reference (docs/configuration.md)', () => {
  it('is what the option definitions render; after changing one, run `npm run docs:config`', () => {
    expect(committed, `${CONFIG_REFERENCE_PATH} is stale: run \`npm run docs:config\``).toBe(
      renderConfigReference(),
    );
  });

  it('lists every option of core and of every module, with its env var and default', () => {
    let count = 0;
    for (const [owner, table] of TABLES) {
      for (const [key, option] of Object.entries(table)) {
        count++;
        expect(CONFIG_OPTIONS, `${owner}: ${key} in the node's table`).toHaveProperty(key);
        const shown = option.default === '' ? 'empty' : `\`${String(option.default)}\``;
        expect(committed, `${owner}: ${key}`).toContain(
          `| \`${option.file}\` | \`${option.env}\` | ${shown} |`,
        );
      }
    }
    expect(count).toBe(Object.keys(CONFIG_OPTIONS).length);
  });
});

describe('joining the tables', () => {
  const option = (env: string, file: string): ConfigOption => ({
    env,
    file,
    default: '',
    doc: 'x',
    schema: coreOptions(DRIVER_NAMES).host.schema,
  });

  it('refuses an option name, env var or file key defined twice, naming both', () => {
    expect(() => joinOptions([{ a: option('A', 'x.a') }, { a: option('B', 'x.b') }])).toThrow(
      'option a is defined twice (by a and a)',
    );
    expect(() => joinOptions([{ a: option('A', 'x.a') }, { b: option('A', 'x.b') }])).toThrow(
      'env var A is defined twice (by a and b)',
    );
    expect(() => joinOptions([{ a: option('A', 'x.a') }, { b: option('B', 'x.a') }])).toThrow(
      'file key x.a is defined twice (by a and b)',
    );
  });

  it('orders options by section, keeping each section in the order its tables give', () => {
    const joined = joinOptions([
      { a: option('A', 'new.a'), b: option('B', 'server.b') },
      { c: option('C', 'storage.c'), d: option('D', 'server.d') },
    ]);
    expect(Object.keys(joined)).toEqual(['b', 'd', 'c', 'a']);
  });
});
