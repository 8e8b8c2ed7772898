/**
 * The Helm and Sprig template functions our chart calls, with their Helm semantics, and the
 * way Go prints a value. A name not listed here fails the render: extending the chart with a
 * new function means adding it here, with its semantics read from Helm's and Sprig's sources.
 */
import { stringify } from 'yaml';

export interface FunctionContext {
  include(name: string, data: unknown): string;
}

export class UnsupportedFunctionError extends Error {}

/** Go's `%v` of a float64 (every JSON number is one): shortest form, exponent from 1e21 down to 1e6. */
function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude >= 1e6 || magnitude < 1e-4)) {
    // Go writes the exponent with a sign and at least two digits: 1e+06.
    return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(value);
}

/** What `{{ value }}` prints: nil prints nothing (Helm removes Go's `<no value>`). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  throw new UnsupportedFunctionError(
    `printing a ${Array.isArray(value) ? 'list' : 'map'} directly is not supported; use toYaml`,
  );
}

/** Sprig's `empty`, which `default` uses. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function text(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return formatValue(value);
  if (value === null || value === undefined) return '';
  throw new UnsupportedFunctionError(`${fn}: expected a string, got ${typeof value}`);
}

function integer(value: unknown, fn: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new UnsupportedFunctionError(`${fn}: expected an integer`);
  }
  return value;
}

/** Go's fmt for the verbs the chart uses: %s, %v and %d. */
function printf(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(/%([svd%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) throw new UnsupportedFunctionError(`printf: missing argument for %${verb}`);
    const arg = args[next++];
    if (verb === 'd') return String(integer(arg, 'printf %d'));
    return text(arg, `printf %${verb}`);
  });
}

/** Helm's toYaml: sigs.k8s.io/yaml marshals through JSON, so map keys come out sorted; no final newline. */
function toYaml(value: unknown): string {
  return stringify(value ?? null, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '');
}

function indent(spaces: number, value: string): string {
  const pad = ' '.repeat(spaces);
  return pad + value.replaceAll('\n', `\n${pad}`);
}

type TemplateFunction = (args: unknown[], context: FunctionContext) => unknown;

function arity(name: string, count: number, fn: (args: unknown[], context: FunctionContext) => unknown) {
  return (args: unknown[], context: FunctionContext) => {
    if (args.length !== count) {
      throw new UnsupportedFunctionError(`${name} takes ${count} arguments, got ${args.length}`);
    }
    return fn(args, context);
  };
}

const FUNCTIONS: Record<string, TemplateFunction> = {
  include: arity('include', 2, ([name, data], context) => context.include(text(name, 'include'), data)),
  toYaml: arity('toYaml', 1, ([value]) => toYaml(value)),
  indent: arity('indent', 2, ([spaces, value]) => indent(integer(spaces, 'indent'), text(value, 'indent'))),
  nindent: arity(
    'nindent',
    2,
    ([spaces, value]) => `\n${indent(integer(spaces, 'nindent'), text(value, 'nindent'))}`,
  ),
  // Sprig's quote: each non-nil argument as Go's %q of its string form, joined by spaces.
  quote: (args) =>
    args
      .filter((arg) => arg !== null && arg !== undefined)
      .map((arg) => JSON.stringify(text(arg, 'quote')))
      .join(' '),
  default: (args) => {
    if (args.length < 1 || args.length > 2)
      throw new UnsupportedFunctionError('default takes 1 or 2 arguments');
    const [fallback, given] = args;
    return args.length === 1 || isEmpty(given) ? fallback : given;
  },
  printf: ([format, ...args]) => printf(text(format, 'printf'), args),
  trunc: arity('trunc', 2, ([length, value]) => {
    const n = integer(length, 'trunc');
    const s = text(value, 'trunc');
    if (n < 0) return s.length + n < 0 ? s : s.slice(s.length + n);
    return s.length > n ? s.slice(0, n) : s;
  }),
  trimSuffix: arity('trimSuffix', 2, ([suffix, value]) => {
    const s = text(value, 'trimSuffix');
    const end = text(suffix, 'trimSuffix');
    return end !== '' && s.endsWith(end) ? s.slice(0, -end.length) : s;
  }),
  contains: arity('contains', 2, ([needle, value]) =>
    text(value, 'contains').includes(text(needle, 'contains')),
  ),
  replace: arity('replace', 3, ([from, to, value]) =>
    text(value, 'replace').replaceAll(text(from, 'replace'), text(to, 'replace')),
  ),
  not: arity('not', 1, ([value]) => isEmpty(value)),
};

export function callFunction(name: string, args: unknown[], context: FunctionContext): unknown {
  const fn = FUNCTIONS[name];
  if (!fn) throw new UnsupportedFunctionError(`function "${name}" is not supported by this renderer`);
  return fn(args, context);
}

export const SUPPORTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);
