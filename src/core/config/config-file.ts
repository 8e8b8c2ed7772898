/**
 * The YAML config file: sections of snake_case keys (`queue.lock_ms`), each mapped to one option
 * of the node's table (core's options, then each module's). `${NAME}` in a string value is replaced by the environment variable NAME,
 * `${NAME:-default}` falls back to `default` when NAME is unset or empty, and `$${` is a literal
 * `${`. Substitution runs on parsed scalars, never on the raw text, so a value cannot inject
 * YAML structure. Reading the file is the caller's job; this module only parses text.
 */
import { type Document, isAlias, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { AetherError } from '../errors.js';
import type { ConfigOptionTable } from './option.js';
import type { ConfigFileValues } from './read-options.js';

type Env = Readonly<Record<string, string | undefined>>;

/** `section.key` → option name. */
function optionsByPath(options: ConfigOptionTable): ReadonlyMap<string, string> {
  return new Map(Object.entries(options).map(([key, option]) => [option.file, key]));
}

/** The table's section names, in the order its options come. */
export function configSections(options: ConfigOptionTable): string[] {
  return [...new Set(Object.values(options).map((option) => option.file.split('.')[0]!))];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in `value` from `env`; `$${` stands for a literal
 * `${`. Throws (with `where` in the message) on an unset variable without default, or on a
 * `${...}` that is not a variable reference.
 */
export function substituteEnv(value: string, env: Env, where: string): string {
  return value.replace(/\$\$\{|\$\{([^}]*)\}|\$\{/g, (match, inner: string | undefined) => {
    if (match === '$${') return '${';
    if (inner === undefined) {
      throw new AetherError(
        'ERR_CONFIG',
        `${where}: "\${" without a closing "}" (write $\${ for a literal \${)`,
      );
    }
    const split = inner.indexOf(':-');
    const name = split === -1 ? inner : inner.slice(0, split);
    if (!NAME.test(name)) {
      throw new AetherError(
        'ERR_CONFIG',
        `${where}: \${${inner}} is not \${NAME} or \${NAME:-default} (write $\${ for a literal \${)`,
      );
    }
    const fromEnv = env[name];
    if (split !== -1) return fromEnv === undefined || fromEnv === '' ? inner.slice(split + 2) : fromEnv;
    if (fromEnv === undefined) {
      throw new AetherError(
        'ERR_CONFIG',
        `${where}: environment variable ${name} is not set; set it, or write \${${name}:-default}`,
      );
    }
    return fromEnv;
  });
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `candidates` to `name`, if close enough to be a typo (or a camelCase spelling). */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const normal = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(normal(name), normal(candidate));
    if (distance <= Math.max(1, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

function suggestKey(byPath: ReadonlyMap<string, string>, section: string, key: string): string {
  const inSection = [...byPath.keys()].filter((p) => p.startsWith(`${section}.`));
  const near = closest(
    key,
    inSection.map((p) => p.slice(section.length + 1)),
  );
  if (near !== undefined) return ` (did you mean ${section}.${near}?)`;
  const elsewhere = [...byPath.keys()].find((p) => p.endsWith(`.${key}`));
  if (elsewhere !== undefined) return ` (did you mean ${elsewhere}?)`;
  return ` (${section} takes ${inSection.map((p) => p.slice(section.length + 1)).join(', ')})`;
}

/**
 * Parses the text of config file `path` (named as the user gave it, for messages) against the
 * table `options`. Unknown sections and keys, YAML errors and unset variables are ERR_CONFIG
 * errors naming the file and line; values are checked later, by `readOptions`, like values
 * from anywhere else. An empty value (`port:` or `""`) leaves the option to the environment and
 * the defaults.
 */
export function parseConfigFile(
  options: ConfigOptionTable,
  text: string,
  path: string,
  env: Env,
): ConfigFileValues {
  const byPath = optionsByPath(options);
  const sections = configSections(options);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? `${path}:${lines.linePos(node.range[0]).line}` : path;
  const yamlProblem = [...doc.errors, ...doc.warnings][0];
  if (yamlProblem) {
    const { line, col } = lines.linePos(yamlProblem.pos[0]);
    throw new AetherError(
      'ERR_CONFIG',
      `config file ${path}:${line}:${col}: ${yamlProblem.message.split('\n')[0]}`,
    );
  }
  const values: ConfigFileValues['values'] = {};
  const problems: string[] = [];
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    problems.push(`${at(root)}: expected sections (${sections.join(', ')}) at the top level`);
  }
  for (const sectionPair of isMap(root) ? root.items : []) {
    const sectionKey = sectionPair.key as Node | null;
    const section = isScalar(sectionKey) ? String(sectionKey.value) : '?';
    if (!sections.includes(section)) {
      const near = closest(section, sections);
      problems.push(
        `${at(sectionKey)}: unknown section ${section}${near ? ` (did you mean ${near}?)` : ''}; sections are ${sections.join(', ')}`,
      );
      continue;
    }
    const body = resolve(doc, sectionPair.value as Node | null);
    if (body === null || (isScalar(body) && body.value === null)) continue;
    if (!isMap(body)) {
      problems.push(`${at(body)}: ${section} must be a map of keys (key: value)`);
      continue;
    }
    for (const pair of body.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '?';
      const option = byPath.get(`${section}.${key}`);
      if (option === undefined) {
        problems.push(`${at(keyNode)}: unknown key ${section}.${key}${suggestKey(byPath, section, key)}`);
        continue;
      }
      const valueNode = resolve(doc, pair.value as Node | null);
      let value: unknown = isScalar(valueNode) ? valueNode.value : valueNode?.toJS(doc);
      if (typeof value === 'string') {
        try {
          value = substituteEnv(value, env, `${at(valueNode ?? keyNode)} (${section}.${key})`);
        } catch (error) {
          problems.push((error as AetherError).message);
          continue;
        }
      }
      values[option] = value;
    }
  }
  if (problems.length > 0) {
    throw new AetherError('ERR_CONFIG', `config file ${problems.join('; ')}`);
  }
  return { path, values };
}

/** Follows an alias (`*name`) to the node it names. */
function resolve(doc: Document, node: Node | null): Node | null {
  if (node === null || !isAlias(node)) return node;
  return (node.resolve(doc) as Node | undefined) ?? null;
}
