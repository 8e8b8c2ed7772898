/**
 * Type parsing across the thread. Callers pass `parsers` keyed by type OID (drizzle keeps
 * timestamps as text, the queue keeps int8 as text); functions cannot cross, so the thread
 * hands back those types as PostgreSQL's text and the caller's parsers run here, on the values
 * they would have had in process. Every other type is parsed on the thread by PGlite's own
 * parsers (json, bytea as Uint8Array, dates), and structured cloning carries the results as they
 * are.
 */
import type { ParserOptions, Results } from '@electric-sql/pglite';

const rawTypesByParsers = new WeakMap<ParserOptions, number[]>();

/** The OIDs `parsers` covers, as sent to the thread (cached: callers reuse their objects). */
export function rawTypesOf(parsers: ParserOptions): number[] {
  let types = rawTypesByParsers.get(parsers);
  if (!types) {
    types = Object.keys(parsers).map(Number);
    rawTypesByParsers.set(parsers, types);
  }
  return types;
}

/** Runs the caller's `parsers` on the columns of their types, in place, as PGlite would have. */
export function applyParsers(result: Results, parsers: ParserOptions): void {
  const columns: Array<{
    key: number | string;
    parse: (value: string, typeId: number) => unknown;
    typeId: number;
  }> = [];
  const arrays = result.rows.length > 0 && Array.isArray(result.rows[0]);
  result.fields.forEach((field, index) => {
    const parse = parsers[field.dataTypeID];
    if (!parse) return;
    // In object rows a later column of the same name is the one kept.
    if (!arrays && result.fields.findLastIndex((other) => other.name === field.name) !== index) return;
    columns.push({ key: arrays ? index : field.name, parse, typeId: field.dataTypeID });
  });
  if (columns.length === 0) return;
  for (const row of result.rows as Array<Record<string | number, unknown>>) {
    for (const { key, parse, typeId } of columns) {
      const value = row[key];
      if (value !== null) row[key] = parse(value as string, typeId);
    }
  }
}
