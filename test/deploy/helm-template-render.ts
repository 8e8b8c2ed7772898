/**
 * The executing half of the small text/template engine (helm-template-parse.ts), with Go's
 * semantics where the chart relies on them: truthiness (false, 0, nil, "" and empty lists and
 * maps are false), map keys ranged in sorted order, `$` bound to the data a template runs on,
 * variables scoped to their block, a missing map key read as nil and printed as "" (Helm's
 * `missingkey=zero` and its `<no value>` clean-up), a field of nil an error, and numbers
 * printed as Go prints a float64 (`1e+06`, as Helm famously does). Functions are the few Helm
 * and Sprig ones the chart calls (helm-functions.ts); any other name fails.
 */
import { callFunction, type FunctionContext, formatValue } from './helm-functions.js';
import type { Arg, Pipeline, TemplateNode } from './helm-template-parse.js';

export class TemplateExecError extends Error {}

type Scope = Map<string, unknown>;

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export interface Templates {
  /** Named templates (`define`) of the whole chart. */
  named: Map<string, TemplateNode[]>;
}

export class Renderer {
  constructor(private readonly templates: Templates) {}

  /** Runs `nodes` with `data` as both `.` and `$`. */
  render(nodes: TemplateNode[], data: unknown): string {
    return this.run(nodes, data, [new Map([['$', data]])]);
  }

  /** `include NAME DATA`. */
  include(name: string, data: unknown): string {
    const nodes = this.templates.named.get(name);
    if (!nodes) throw new TemplateExecError(`no template named ${JSON.stringify(name)}`);
    return this.render(nodes, data);
  }

  private run(nodes: TemplateNode[], dot: unknown, scopes: Scope[]): string {
    let out = '';
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          out += node.text;
          break;
        case 'output': {
          const value = this.pipeline(node.pipe, dot, scopes);
          if (node.pipe.declares.length === 0) out += formatValue(value);
          break;
        }
        case 'if': {
          const inner: Scope[] = [...scopes, new Map()];
          const branch = node.branches.find((b) => isTruthy(this.pipeline(b.pipe, dot, inner)));
          out += this.run(branch ? branch.body : node.otherwise, dot, inner);
          break;
        }
        case 'with': {
          const inner: Scope[] = [...scopes, new Map()];
          const value = this.pipeline(node.pipe, dot, inner);
          out += isTruthy(value) ? this.run(node.body, value, inner) : this.run(node.otherwise, dot, inner);
          break;
        }
        case 'range':
          out += this.range(node, dot, scopes);
          break;
      }
    }
    return out;
  }

  private range(node: Extract<TemplateNode, { type: 'range' }>, dot: unknown, scopes: Scope[]): string {
    const { declares } = node.pipe;
    const value = this.pipeline({ ...node.pipe, declares: [] }, dot, scopes);
    let entries: [unknown, unknown][];
    if (Array.isArray(value)) entries = value.map((item, index) => [index, item]);
    else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      entries = Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]);
    } else if (value === null || value === undefined) entries = [];
    else throw new TemplateExecError(`range over ${typeof value} is not supported`);
    if (entries.length === 0) return this.run(node.otherwise, dot, [...scopes, new Map()]);
    let out = '';
    for (const [key, item] of entries) {
      const scope: Scope = new Map();
      if (declares.length === 1) scope.set(declares[0]!, item);
      if (declares.length === 2) {
        scope.set(declares[0]!, key);
        scope.set(declares[1]!, item);
      }
      out += this.run(node.body, item, [...scopes, scope]);
    }
    return out;
  }

  private pipeline(pipe: Pipeline, dot: unknown, scopes: Scope[]): unknown {
    let value: unknown;
    pipe.commands.forEach((command, index) => {
      value = this.command(command, dot, scopes, index === 0 ? [] : [value]);
    });
    if (pipe.declares.length > 1) throw new TemplateExecError('only range declares two variables');
    if (pipe.declares.length === 1) scopes[scopes.length - 1]!.set(pipe.declares[0]!, value);
    return value;
  }

  private command(command: Arg[], dot: unknown, scopes: Scope[], piped: unknown[]): unknown {
    const [head, ...rest] = command;
    if (head?.kind === 'func') {
      const args = [...rest.map((arg) => this.arg(arg, dot, scopes)), ...piped];
      const context: FunctionContext = { include: (name, data) => this.include(name, data) };
      return callFunction(head.name, args, context);
    }
    if (rest.length > 0 || piped.length > 0) {
      throw new TemplateExecError('only a function can take arguments or a piped value');
    }
    return this.arg(head!, dot, scopes);
  }

  private arg(arg: Arg, dot: unknown, scopes: Scope[]): unknown {
    switch (arg.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return arg.value;
      case 'pipe':
        return this.pipeline(arg.pipe, dot, scopes);
      case 'func':
        return callFunction(arg.name, [], { include: (name, data) => this.include(name, data) });
      case 'field': {
        const base = arg.root === 'dot' ? dot : lookupVariable(arg.root, scopes);
        return fieldOf(base, arg.path, arg.root);
      }
    }
  }
}

function lookupVariable(name: string, scopes: Scope[]): unknown {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (scopes[i]!.has(name)) return scopes[i]!.get(name);
  }
  throw new TemplateExecError(`undefined variable ${name}`);
}

/** `.a.b.c`: a missing key is nil; a field of nil is an error, as in Go. */
function fieldOf(base: unknown, path: string[], root: string): unknown {
  let value = base;
  const walked: string[] = [];
  for (const key of path) {
    if (value === null || value === undefined) {
      throw new TemplateExecError(
        `nil pointer evaluating ${root === 'dot' ? '' : root}.${[...walked, key].join('.')}`,
      );
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new TemplateExecError(`can't evaluate field ${key} in ${typeof value}`);
    }
    value = (value as Record<string, unknown>)[key];
    walked.push(key);
  }
  return value ?? null;
}
