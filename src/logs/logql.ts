import { type LogFilter, levelsFrom } from '../core/logs.js';

/**
 * A LogQL double-quoted string literal holding `value` exactly (Go string syntax): backslash and
 * quote escaped, control characters as \n, \r, \t or \u00XX. Every piece of user input enters a
 * query through this, never by concatenation.
 */
export function logqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** How a string value appears inside the JSON line (loki-push.ts), without its quotes. */
function inJson(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * The LogQL query for a filter. Labels select streams (project, level); ids are matched in the
 * JSON line as `"vm_id":"<id>"`, the exact encoding lokiLine writes. `text` is a line filter, so
 * with Loki it matches anywhere in the line (message or fields), not only the message.
 */
export function buildLogQl(filter: LogFilter): string {
  // A selector needs one matcher that cannot match the empty string: every line has a service.
  const matchers = ['service=~".+"'];
  if (filter.project !== undefined) matchers.push(`project=${logqlString(filter.project)}`);
  if (filter.minLevel !== undefined && filter.minLevel !== 'trace') {
    matchers.push(`level=~${logqlString(levelsFrom(filter.minLevel).join('|'))}`);
  }
  const lineFilters: string[] = [];
  const id = (key: string, value: string | undefined) => {
    if (value !== undefined) lineFilters.push(`|= ${logqlString(`"${key}":"${inJson(value)}"`)}`);
  };
  id('vm_id', filter.vmId);
  id('task_id', filter.taskId);
  id('execution_id', filter.executionId);
  if (filter.text) lineFilters.push(`|= ${logqlString(inJson(filter.text))}`);
  return [`{${matchers.join(', ')}}`, ...lineFilters].join(' ');
}
