// The create form's text fields turned into a CreateVmRequest, or the field-by-field reasons
// they cannot be. The API checks everything again; this catches what a person can fix before
// sending (a label without `=`, letters in a number) and says which field.
import { parseDuration } from './duration-text';
import type { CreateVmRequest } from './vm-types';

export interface CreateVmFields {
  name: string;
  driver: string;
  vcpus: string;
  memoryMiB: string;
  tools: string;
  labels: string;
  ttl: string;
  idleTimeout: string;
  onExpiry: string;
}

export type CreateVmField = keyof CreateVmFields;

export const EMPTY_CREATE_VM_FIELDS: CreateVmFields = {
  name: '',
  driver: '',
  vcpus: '',
  memoryMiB: '',
  tools: '',
  labels: '',
  ttl: '',
  idleTimeout: '',
  onExpiry: '',
};

export type CreateVmInput =
  | { ok: true; body: CreateVmRequest }
  | { ok: false; problems: Partial<Record<CreateVmField, string>> };

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A name for a VM created without one, as `aether run` makes them. */
export function madeUpName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `vm-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

function parseLabels(text: string): Record<string, string> | string {
  const labels: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return `"${line}" is not key=value`;
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return labels;
}

/** `git, node=20` → tools and the versions asked for. */
function parseTools(text: string): { tools: string[]; versions: Record<string, string> } | string {
  const tools: string[] = [];
  const versions: Record<string, string> = {};
  for (const entry of text.split(',').map((t) => t.trim())) {
    if (entry === '') continue;
    const [name = '', version] = entry.split('=').map((part) => part.trim());
    if (!/^[a-z][a-z0-9-]*$/.test(name)) return `"${entry}" is not a tool name, or name=version`;
    tools.push(name);
    if (version !== undefined) {
      if (version === '') return `"${entry}" has no version after =`;
      versions[name] = version;
    }
  }
  return { tools, versions };
}

export function createVmInput(fields: CreateVmFields, nameIfEmpty: () => string = madeUpName): CreateVmInput {
  const problems: Partial<Record<CreateVmField, string>> = {};
  const body: CreateVmRequest = { name: fields.name.trim() || nameIfEmpty() };
  if (!NAME.test(body.name)) {
    problems.name =
      'use 1-63 lowercase letters, digits or dashes, starting and ending with a letter or digit';
  }
  if (fields.driver.trim()) body.driver = fields.driver.trim();
  for (const [field, key] of [
    ['vcpus', 'vcpus'],
    ['memoryMiB', 'memory_mib'],
  ] as const) {
    if (!fields[field].trim()) continue;
    const value = wholeNumber(fields[field]);
    if (value === null) problems[field] = 'must be a whole number';
    else body[key] = value;
  }
  const tools = parseTools(fields.tools);
  if (typeof tools === 'string') problems.tools = tools;
  else if (tools.tools.length > 0) {
    body.additional_tools = tools.tools;
    if (Object.keys(tools.versions).length > 0) body.tool_versions = tools.versions;
  }
  const labels = parseLabels(fields.labels);
  if (typeof labels === 'string') problems.labels = labels;
  else if (Object.keys(labels).length > 0) body.labels = labels;
  for (const [field, key] of [
    ['ttl', 'ttl_seconds'],
    ['idleTimeout', 'idle_timeout_seconds'],
  ] as const) {
    if (!fields[field].trim()) continue;
    const seconds = parseDuration(fields[field]);
    if (seconds === null) problems[field] = 'use seconds, or a duration such as 30m, 2h or 1d';
    else body[key] = seconds;
  }
  if (fields.onExpiry === 'stop' || fields.onExpiry === 'delete') body.on_expiry = fields.onExpiry;
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, body };
}
