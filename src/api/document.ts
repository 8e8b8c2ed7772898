import { API_TAGS, type ApiTag } from './routes.js';

/** The parts of the OpenAPI document that no route carries: info, tags and security. */

export const API_TITLE = 'Aetherium API';

export const API_DESCRIPTION =
  'Run untrusted workloads in isolated VMs. Writes answer `202 {task_id, status}` at once, or with `?wait=true` when the task ends. Errors are always `{"error": {"code", "message", "retryable"}}` with a stable code.';

const TAG_DESCRIPTIONS: Record<ApiTag, string> = {
  vms: 'Create, list, inspect and delete VMs',
  snapshots: 'Save a running VM and start new VMs from the save',
  executions: 'Run commands in a VM and read what they did',
  files: 'Files in and out of a VM: single files, directory trees as tar, listings',
  tasks: 'The queued work behind every write',
  jobs: 'Named steps run in order in one VM',
  workers: 'The processes that own VMs',
  keys: 'API keys: made, listed and revoked per project',
  sessions: 'Browser sign-in (the dashboard): a session cookie made from an API key or JWT',
  logs: "The platform's logs and command output: search and follow",
  events: 'Live changes of VMs, tasks and workers, for dashboards and watchers',
  integrations: 'Webhooks from GitHub and Slack, verified by their signatures',
  webhooks: 'Outbound webhooks: signed POSTs of your events to your URLs, with a delivery log',
  terminals:
    'Terminals: commands on a pseudo-terminal in a VM, attached to over a WebSocket, surviving dropped connections',
  previews:
    'Preview URLs: links that reach a web app on a port inside a VM, until they expire or are revoked',
  system: 'Health, readiness, metrics and this document',
};

export const API_TAG_LIST = API_TAGS.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] }));

/** The name of the one security scheme; every operation but the public ones requires it. */
export const BEARER_SCHEME = 'bearer';

export const API_SECURITY_SCHEMES = {
  [BEARER_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`aether key create`; shown once) or a JWT from a configured issuer, sent as `Authorization: Bearer <token>`',
  },
} as const;

/** Applies to every operation; a public operation overrides it with `security: []`. */
export const API_SECURITY = [{ [BEARER_SCHEME]: [] as string[] }];
