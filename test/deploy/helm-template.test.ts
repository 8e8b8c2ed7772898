/**
 * The small template engine the chart test renders with: Go's text/template behaviour on the
 * constructs the chart uses (expected outputs are what Go and Helm produce for them), and a
 * failure, never a guess, on anything else.
 */
import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateSyntaxError } from './helm-template-parse.js';
import { Renderer, TemplateExecError } from './helm-template-render.js';

function render(source: string, data: unknown, helpers = ''): string {
  const parsedHelpers = parseTemplate(helpers, '_helpers.tpl');
  const file = parseTemplate(source, 'test.yaml');
  const named = new Map([...parsedHelpers.defines, ...file.defines]);
  return new Renderer({ named }).render(file.body, data);
}

describe('template engine', () => {
  it('trims whitespace at {{- and -}}, newlines included', () => {
    expect(render('a  \n  {{- "b" -}}  \n  c', {})).toBe('abc');
    expect(render('a\n{{ "b" }}\nc', {})).toBe('a\nb\nc');
    expect(render('x:\n  {{- /* a comment */}}\n  y', {})).toBe('x:\n  y');
  });

  it('reads fields, prints a missing key as nothing and fails on a field of nil', () => {
    expect(render('{{ .a.b }}|{{ .a.missing }}|{{ .none }}', { a: { b: 'B' } })).toBe('B||');
    expect(() => render('{{ .none.deeper }}', {})).toThrow(TemplateExecError);
  });

  it('prints numbers as Go prints a float64', () => {
    expect(render('{{ .a }} {{ .b }} {{ .c }} {{ .d }}', { a: 8091, b: 1000000, c: 0.5, d: 123456 })).toBe(
      '8091 1e+06 0.5 123456',
    );
  });

  it('follows Go truth in if, with and range', () => {
    const data = { empty: '', zero: 0, list: [], map: {}, yes: 'y', items: ['p', 'q'] };
    expect(render('{{ if .empty }}1{{ else if .zero }}2{{ else if .list }}3{{ else }}4{{ end }}', data)).toBe(
      '4',
    );
    expect(render('{{ with .map }}x{{ else }}none{{ end }}{{ with .yes }}{{ . }}{{ end }}', data)).toBe(
      'noney',
    );
    expect(render('{{ range $i, $v := .items }}{{ $i }}={{ $v }};{{ end }}', data)).toBe('0=p;1=q;');
    expect(render('{{ range .list }}x{{ else }}empty{{ end }}', data)).toBe('empty');
  });

  it('ranges over a map in sorted key order', () => {
    expect(render('{{ range $k, $v := . }}{{ $k }}:{{ $v }} {{ end }}', { b: 2, a: 1, c: 3 })).toBe(
      'a:1 b:2 c:3 ',
    );
  });

  it('binds $ to the data a template runs on, and scopes variables to their block', () => {
    const helpers = '{{- define "t" -}}{{ $.name }}-{{ .name }}{{- end -}}';
    expect(render('{{ include "t" .inner }}', { name: 'outer', inner: { name: 'in' } }, helpers)).toBe(
      'in-in',
    );
    expect(render('{{ $x := "a" }}{{ if true }}{{ $x := "b" }}{{ $x }}{{ end }}{{ $x }}', {})).toBe('ba');
  });

  it('has Helm and Sprig semantics for the functions the chart calls', () => {
    expect(render('{{ toYaml . | nindent 2 }}', { b: [1, 'two'], a: { c: true } })).toBe(
      '\n  a:\n    c: true\n  b:\n    - 1\n    - two',
    );
    expect(render('{{ "x" | quote }} {{ 8 | quote }} {{ .none | quote }}', {})).toBe('"x" "8" ');
    expect(
      render('{{ default "d" .none }} {{ default "d" "given" }} {{ .v | default "d" }}', { v: '' }),
    ).toBe('d given d');
    expect(render('{{ printf "%s-%v" "a" 9 | trunc 3 | trimSuffix "-" }}', {})).toBe('a-9'.slice(0, 3));
    expect(render('{{ "abc-" | trimSuffix "-" }} {{ contains "b" "abc" }} {{ not "" }}', {})).toBe(
      'abc true true',
    );
    expect(render('{{ "1.0+b" | replace "+" "_" }}', {})).toBe('1.0_b');
  });

  it('refuses what it does not model', () => {
    expect(() => render('{{ sha256sum "x" }}', {})).toThrow(/function "sha256sum" is not supported/);
    expect(() => render('{{ template "t" . }}', {})).toThrow(TemplateSyntaxError);
    expect(() => render('{{ range . }}{{ break }}{{ end }}', [])).toThrow(TemplateSyntaxError);
    expect(() => render('{{ `raw` }}', {})).toThrow(TemplateSyntaxError);
    expect(() => render('{{ if true }}open', {})).toThrow(/never ended/);
    expect(() => render('{{ . }}', { a: 1 })).toThrow(/use toYaml/);
  });
});
