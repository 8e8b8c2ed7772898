import { describe, expect, it } from 'vitest';
import { inlineParams, isSingleStatement, toLiteral } from './sql-literals.js';

describe('inlineParams', () => {
  it('replaces placeholders with quoted literals, highest numbers intact', () => {
    const params = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);
    expect(inlineParams('SELECT $1, $10, $11::jsonb', params)).toBe("SELECT 'v1', 'v10', 'v11'::jsonb");
  });

  it('serialises values as node-postgres does', () => {
    expect(toLiteral(null)).toBe('NULL');
    expect(toLiteral(undefined)).toBe('NULL');
    expect(toLiteral(42)).toBe("'42'");
    expect(toLiteral(false)).toBe("'false'");
    expect(toLiteral({ a: "it's" })).toBe(`'{"a":"it''s"}'`);
    expect(toLiteral(['a', 'b c'])).toBe(`'{"a","b c"}'`);
    expect(toLiteral('back\\slash')).toBe(" E'back\\\\slash'");
    expect(toLiteral(Buffer.from([0xde, 0xad]))).toBe("'\\xdead'");
  });

  it('never substitutes inside comments, strings, identifiers or dollar quotes', () => {
    const sql = [
      '-- Params: $1 queue',
      "SELECT $1, '$1', E'\\'$1', \"$1\", $$ $1 $$, $tag$ $1 $tag$ /* $1 /* $1 */ */, x$1",
    ].join('\n');
    expect(inlineParams(sql, ["a'\nb"])).toBe(
      [
        '-- Params: $1 queue',
        "SELECT 'a''\nb', '$1', E'\\'$1', \"$1\", $$ $1 $$, $tag$ $1 $tag$ /* $1 /* $1 */ */, x$1",
      ].join('\n'),
    );
  });

  it('fails when a placeholder has no value', () => {
    expect(() => inlineParams('SELECT $2', ['only one'])).toThrow(RangeError);
  });
});

describe('one statement or several', () => {
  it('counts a semicolon only outside quotes, comments and dollar-quoted bodies', () => {
    expect(isSingleStatement('SELECT 1')).toBe(true);
    expect(isSingleStatement('SELECT 1;  \n')).toBe(true);
    expect(isSingleStatement('SELECT \';\' -- ;\n, $$;$$, "a;b" /* ; */')).toBe(true);
    expect(isSingleStatement('SELECT 1; SELECT 2')).toBe(false);
    expect(isSingleStatement("SELECT 'x'; DROP TABLE t")).toBe(false);
  });
});
