import { z } from 'zod';
import { commaList, defineOptions } from '../core/config/option.js';
import { PROJECT_PATTERN } from '../core/principal.js';
import { NOTIFIABLE_EVENTS } from './contract.js';

/**
 * The options all integrations share (section `integrations`), given the names of the
 * integrations this build has: which to load, where their VMs go, which events they are sent.
 */
export function integrationsOptions(names: readonly string[]) {
  const subscription = new RegExp(
    `^(${NOTIFIABLE_EVENTS.map((e) => e.replaceAll('.', '\\.')).join('|')})=(${names.join('|')})$`,
  );
  return defineOptions({
    integrationsEnabled: {
      env: 'AETHER_INTEGRATIONS',
      file: 'integrations.enabled',
      default: '',
      doc: `Integrations to load, comma-separated (${names.join(', ')}); one whose secrets are set loads without it`,
      schema: z
        .string()
        .refine(
          (v) => commaList(v).every((n) => names.includes(n)),
          `must list integrations among ${names.join(', ')}, comma-separated`,
        ),
    },
    integrationsProject: {
      env: 'AETHER_INTEGRATIONS_PROJECT',
      file: 'integrations.project',
      default: 'integrations',
      doc: 'Project that VMs started by integrations (webhooks, slash commands) belong to',
      schema: z
        .string()
        .regex(PROJECT_PATTERN, 'must be a project name (lowercase letters, digits, - and _)'),
    },
    integrationsSubscriptions: {
      env: 'AETHER_INTEGRATIONS_SUBSCRIPTIONS',
      file: 'integrations.subscriptions',
      default: 'task.failed=slack,vm.lost=slack',
      doc: `Platform events sent as notifications, \`event=integration\` comma-separated (${NOTIFIABLE_EVENTS.join(', ')})`,
      schema: z
        .string()
        .refine(
          (v) => commaList(v).every((entry) => subscription.test(entry)),
          'use event=integration, comma-separated (task.failed=slack)',
        ),
    },
  });
}

export type IntegrationsOptions = ReturnType<typeof integrationsOptions>;
