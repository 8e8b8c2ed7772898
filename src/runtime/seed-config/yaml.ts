/**
 * Which keys of a config file are the Go version's: whole sections only it has (`database`,
 * `redis`, `api`, ...), keys it has inside sections we share (`vmm.provider`, `queue.asynq`,
 * `logging.loki`) and our keys holding a value in its form (`logging.format: text`,
 * `integrations.enabled` as a list). They are taken out of the text line for line, so the
 * parser of our own keys reads the rest and names the same lines as the user's file.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
} from 'yaml';
import { substituteEnv } from '../../core/config/config-file.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Sections only the Go version's config files have. */
export const LEGACY_SECTIONS: readonly string[] = [
  'database',
  'redis',
  'task_queue',
  'events',
  'tools',
  'api',
  'observability',
];

/** Keys the Go version's files have inside sections we share. */
const LEGACY_KEYS: Readonly<Record<string, readonly string[]>> = {
  server: ['mode', 'graceful_shutdown'],
  storage: ['provider', 'postgres', 'config'],
  queue: ['provider', 'concurrency', 'queues', 'asynq'],
  event_bus: ['provider', 'config', 'redis'],
  vmm: ['provider', 'default_orchestrator', 'config', 'firecracker', 'docker', 'qemu', 'kata'],
  network: ['bridge_name', 'bridge_ip', 'subnet_cidr', 'tap_prefix', 'enable_nat', 'proxy'],
  logging: ['output', 'loki', 'config'],
  integrations: ['config'],
};

/** Values of `logging.provider` only the Go version has. */
const LEGACY_LOG_PROVIDERS = ['stdout', 'elasticsearch', 'cloudwatch'];

/** One key of the Go version's found in a file, or a key under one. */
export interface LegacyEntry {
  /** Its path as written: `vmm.config.firecracker.kernel_path`. */
  readonly path: string;
  /** The line of its key, from 1. */
  readonly line: number;
  /** Its value as parsed (YAML scalar, list or map), before `${NAME}` substitution. */
  readonly value: unknown;
  /** A map: its keys are entries of their own. */
  readonly isBlock: boolean;
}

export interface LegacySplit {
  /** Every key of the Go version's, and each key under them, in the file's order. */
  entries: LegacyEntry[];
  /** The file's text with those keys blanked out, so every other line keeps its number. */
  ownText: string;
}

function keyText(node: unknown): string {
  return isScalar(node) ? String(node.value) : '?';
}

function resolve(doc: Document, node: unknown): Node | null {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return node as Node;
}

/** A scalar's text after substitution; '' when it is not a string or cannot be substituted. */
function substitutedText(node: Node | null, env: Env): string {
  if (!isScalar(node) || typeof node.value !== 'string') return '';
  try {
    return substituteEnv(node.value, env, '');
  } catch {
    return '';
  }
}

function isLegacyKey(section: string, key: string, value: Node | null, env: Env): boolean {
  if (LEGACY_KEYS[section]?.includes(key)) return true;
  if (section === 'logging' && key === 'format') return substitutedText(value, env) === 'text';
  if (section === 'logging' && key === 'provider') {
    return LEGACY_LOG_PROVIDERS.includes(substitutedText(value, env));
  }
  // `integrations.enabled` as a list, and a block of settings per integration.
  if (section === 'integrations') return (key === 'enabled' && isSeq(value)) || isMap(value);
  return false;
}

/** Where a pair of `map` starts and ends in the text, commas of a flow map included. */
function pairSpan(text: string, map: YAMLMap, index: number): [number, number] {
  const pair = map.items[index]!;
  const key = pair.key as Node;
  const value = pair.value as Node | null;
  let start = key.range![0];
  let end = (value?.range ?? key.range)![1];
  if (map.flow) {
    const next = map.items[index + 1];
    const previous = map.items[index - 1];
    if (next) end = (next.key as Node).range![0];
    else if (previous) start = ((previous.value ?? previous.key) as Node).range![1];
  } else {
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    if (text.slice(lineStart, start).trim() === '') start = lineStart;
  }
  return [start, end];
}

/** `text` with every character of `spans` but line breaks turned into spaces. */
function blank(text: string, spans: readonly [number, number][]): string {
  const chars = text.split('');
  for (const [start, end] of spans) {
    for (let i = start; i < end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  }
  return chars.join('');
}

/**
 * Finds the Go version's keys in config file `text`. Null when the text is not valid YAML or
 * not a map of sections: the parser of our keys then reports that, as for any file.
 */
export function splitLegacyKeys(text: string, env: Env): LegacySplit | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents)) return null;
  const lineOf = (node: unknown) => {
    const range = (node as Node | null)?.range;
    return range ? lines.linePos(range[0]).line : 0;
  };
  const entries: LegacyEntry[] = [];
  const collect = (path: string, keyNode: unknown, valueNode: unknown) => {
    const value = resolve(doc, valueNode);
    entries.push({
      path,
      line: lineOf(keyNode),
      value: value === null ? null : isScalar(value) ? value.value : value.toJS(doc),
      isBlock: isMap(value),
    });
    for (const pair of isMap(value) ? value.items : []) {
      collect(`${path}.${keyText(pair.key)}`, pair.key, pair.value);
    }
  };
  const spans: [number, number][] = [];
  const root = doc.contents;
  root.items.forEach((sectionPair, sectionIndex) => {
    const section = keyText(sectionPair.key);
    if (LEGACY_SECTIONS.includes(section)) {
      collect(section, sectionPair.key, sectionPair.value);
      spans.push(pairSpan(text, root, sectionIndex));
      return;
    }
    const body = sectionPair.value;
    if (!isMap(body)) return;
    body.items.forEach((pair, index) => {
      const key = keyText(pair.key);
      if (!isLegacyKey(section, key, resolve(doc, pair.value), env)) return;
      collect(`${section}.${key}`, pair.key, pair.value);
      spans.push(pairSpan(text, body, index));
    });
  });
  return { entries, ownText: spans.length === 0 ? text : blank(text, spans) };
}
