/**
 * docs/configuration.md, written from the option definitions themselves: core's, each driver
 * module's and each integration module's. `npm run docs:config` writes it; a test fails when
 * the committed file differs from what this renders.
 */
import { coreOptions } from '../core/config/core-config.js';
import type { ConfigOption, ConfigOptionTable } from '../core/config/option.js';
import type { DriverModule } from '../core/driver-module.js';
import { VM_FEATURES } from '../core/vm.js';
import { DRIVER_MODULES } from '../drivers/modules.js';
import type { IntegrationModule } from '../integrations/contract.js';
import { INTEGRATION_MODULES } from '../integrations/modules.js';
import { integrationsOptions } from '../integrations/options.js';
import { CONFIG_OPTIONS, DRIVER_NAMES } from './config.js';

/** Where the reference is committed, from the package root. */
export const CONFIG_REFERENCE_PATH = 'docs/configuration.md';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function shownDefault(option: ConfigOption): string {
  return option.default === '' ? 'empty' : `\`${String(option.default)}\``;
}

/** One table row per option: file key, env var, default and what it does. */
function optionTable(options: ConfigOptionTable): string[] {
  return [
    '| file key | env var | default | meaning |',
    '|---|---|---|---|',
    ...Object.values(options).map(
      (option) =>
        `| \`${option.file}\` | \`${option.env}\` | ${shownDefault(option)} | ${cell(option.doc)}${option.secret ? ' (secret: never shown in messages)' : ''} |`,
    ),
  ];
}

/** Core's options, one table per section, in the order of the node's table. */
function coreSections(): string[] {
  const core = coreOptions(DRIVER_NAMES);
  const bySection = new Map<string, Record<string, ConfigOption>>();
  for (const [key, option] of Object.entries(CONFIG_OPTIONS)) {
    if (!(key in core)) continue;
    const section = option.file.split('.')[0]!;
    bySection.set(section, { ...bySection.get(section), [key]: option });
  }
  return [...bySection].flatMap(([section, options]) => [
    `### \`${section}\``,
    '',
    ...optionTable(options),
    '',
  ]);
}

function driverSection(module: DriverModule): string[] {
  return [
    `### \`${module.name}\``,
    '',
    `${module.summary}.`,
    '',
    ...(Object.keys(module.options).length > 0 ? optionTable(module.options) : ['No options of its own.']),
    '',
  ];
}

function integrationSection(module: IntegrationModule): string[] {
  return [`### \`${module.name}\``, '', `${module.summary}.`, '', ...optionTable(module.options), ''];
}

/** The whole reference, as committed in docs/configuration.md. */
export function renderConfigReference(): string {
  const drivers: readonly DriverModule[] = DRIVER_MODULES;
  const integrations: readonly IntegrationModule[] = INTEGRATION_MODULES;
  const yes = (module: DriverModule, feature: (typeof VM_FEATURES)[number]) =>
    module.features.includes(feature) ? 'yes' : 'no';
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Written by `npm run docs:config` from the option definitions; edit those, not this file. -->',
    '',
    'Every option has a key in the YAML config file (`--config`, or `AETHER_CONFIG`; see',
    '[aether.example.yaml](../aether.example.yaml)) and an environment variable. Flags beat the',
    'config file, which beats environment variables, which beat the defaults; an empty value leaves',
    'an option to the next layer. Values are checked once, at start-up: a bad one stops the process',
    'with a message naming the flag, `file:section.key` or variable that set it. Durations are in',
    'ms and sizes in bytes unless the name says otherwise.',
    '',
    'Options come from core (every node has them), from each driver module and from each',
    'integration module; [extending.md](extending.md) shows how a module declares its own.',
    '',
    '## Core',
    '',
    ...coreSections(),
    '## Drivers',
    '',
    `A worker runs the drivers \`vmm.drivers\` names (default: \`vmm.driver\` plus \`process\`); each`,
    'VM names its driver, or gets `vmm.driver`. What each driver offers:',
    '',
    `| driver | ${VM_FEATURES.join(' | ')} |`,
    `|---|${VM_FEATURES.map(() => '---').join('|')}|`,
    ...drivers.map(
      (module) => `| \`${module.name}\` | ${VM_FEATURES.map((f) => yes(module, f)).join(' | ')} |`,
    ),
    '',
    ...drivers.flatMap(driverSection),
    '## Integrations',
    '',
    'Options all integrations share:',
    '',
    ...optionTable(integrationsOptions(integrations.map((module) => module.name))),
    '',
    ...integrations.flatMap(integrationSection),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
