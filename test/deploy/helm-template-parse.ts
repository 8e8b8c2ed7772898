/**
 * The parsing half of a deliberately small Go text/template engine, enough to render our Helm
 * chart without a helm binary (none is reachable here). It accepts exactly the constructs the
 * chart uses — text, `{{- -}}` trimming, comments, `define`, `if`/`else if`/`else`, `with`,
 * `range` (with `$k, $v :=`), variables (`$x :=`), pipelines, parentheses, string, number and
 * boolean literals, `.Field.Path` and `$var.Path` — and throws on anything else (`template`,
 * `block`, `break`, method calls with arguments, raw strings...), so a chart that starts using
 * a construct this engine does not model fails its test instead of rendering wrong.
 */

export type Arg =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'field'; root: 'dot' | string; path: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };

export interface Pipeline {
  /** Variables the pipeline declares (`$x :=`, `$k, $v :=` in a range). */
  declares: string[];
  commands: Arg[][];
}

export type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'output'; pipe: Pipeline }
  | { type: 'if'; branches: { pipe: Pipeline; body: TemplateNode[] }[]; otherwise: TemplateNode[] }
  | { type: 'with'; pipe: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] }
  | { type: 'range'; pipe: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] };

export interface ParsedFile {
  /** The file's own output. */
  body: TemplateNode[];
  /** Named templates it defines. */
  defines: Map<string, TemplateNode[]>;
}

export class TemplateSyntaxError extends Error {}

interface RawAction {
  text: string;
  trimLeft: boolean;
  trimRight: boolean;
}

type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: RawAction };

/** Splits a template into text and `{{ }}` actions, applying the trim markers to the text. */
function split(source: string, file: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      pieces.push({ kind: 'text', text: source.slice(at) });
      break;
    }
    pieces.push({ kind: 'text', text: source.slice(at, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`${file}: unclosed action at offset ${open}`);
    let inner = source.slice(open + 2, close);
    const trimLeft = /^- /.test(inner) || inner === '-';
    const trimRight = / -$/.test(inner);
    if (trimLeft) inner = inner.slice(1);
    if (trimRight) inner = inner.slice(0, -1);
    pieces.push({ kind: 'action', action: { text: inner.trim(), trimLeft, trimRight } });
    at = close + 2;
  }
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.kind !== 'action') continue;
    const before = pieces[i - 1];
    const after = pieces[i + 1];
    if (piece.action.trimLeft && before?.kind === 'text') before.text = before.text.replace(/\s+$/, '');
    if (piece.action.trimRight && after?.kind === 'text') after.text = after.text.replace(/^\s+/, '');
  }
  return pieces;
}

type Token =
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: 'word'; value: string }
  | { t: 'field'; root: 'dot' | string; path: string[] }
  | { t: '(' | ')' | '|' | ':=' | ',' };

const FIELD = /^\.[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;
const VARIABLE = /^\$[A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const string = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (string) {
      tokens.push({ t: 'string', value: JSON.parse(`"${string[1]}"`) as string });
      rest = rest.slice(string[0].length);
      continue;
    }
    const number = /^-?\d+(\.\d+)?(?![\w.])/.exec(rest);
    if (number) {
      tokens.push({ t: 'number', value: Number(number[0]) });
      rest = rest.slice(number[0].length);
      continue;
    }
    const field = FIELD.exec(rest);
    if (field) {
      tokens.push({ t: 'field', root: 'dot', path: field[0].slice(1).split('.') });
      rest = rest.slice(field[0].length);
      continue;
    }
    if (rest[0] === '.' && !/^\.[\w]/.test(rest)) {
      tokens.push({ t: 'field', root: 'dot', path: [] });
      rest = rest.slice(1);
      continue;
    }
    const variable = VARIABLE.exec(rest);
    if (variable) {
      const [name, ...path] = variable[0].split('.');
      tokens.push({ t: 'field', root: name!, path });
      rest = rest.slice(variable[0].length);
      continue;
    }
    const punctuation = /^(:=|[()|,])/.exec(rest);
    if (punctuation) {
      tokens.push({ t: punctuation[0] as '(' | ')' | '|' | ':=' | ',' });
      rest = rest.slice(punctuation[0].length);
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      tokens.push({ t: 'word', value: word[0] });
      rest = rest.slice(word[0].length);
      continue;
    }
    throw new TemplateSyntaxError(`${where}: unsupported syntax at ${JSON.stringify(rest.slice(0, 20))}`);
  }
  return tokens;
}

/** Parses tokens into a pipeline; `(` ... `)` nest. */
function parsePipeline(tokens: Token[], where: string): Pipeline {
  let at = 0;
  const declares: string[] = [];
  // `$x :=` or `$k, $v :=`
  const assign = tokens.findIndex((token) => token.t === ':=');
  if (assign >= 0) {
    for (const token of tokens.slice(0, assign)) {
      if (token.t === ',') continue;
      if (token.t !== 'field' || token.root === 'dot' || token.path.length > 0) {
        throw new TemplateSyntaxError(`${where}: only variables may be declared`);
      }
      declares.push(token.root);
    }
    at = assign + 1;
  }
  const parseCommands = (): Arg[][] => {
    const commands: Arg[][] = [[]];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      const command = commands[commands.length - 1]!;
      switch (token.t) {
        case 'string':
        case 'number':
          command.push({ kind: token.t, value: token.value } as Arg);
          break;
        case 'word':
          if (token.value === 'true' || token.value === 'false') {
            command.push({ kind: 'bool', value: token.value === 'true' });
          } else {
            command.push({ kind: 'func', name: token.value });
          }
          break;
        case 'field':
          command.push({ kind: 'field', root: token.root, path: token.path });
          break;
        case '|':
          commands.push([]);
          break;
        case '(':
          command.push({ kind: 'pipe', pipe: { declares: [], commands: parseCommands() } });
          break;
        case ')':
          return commands;
        default:
          throw new TemplateSyntaxError(`${where}: unexpected ${token.t}`);
      }
    }
    return commands;
  };
  const commands = parseCommands();
  if (at < tokens.length) throw new TemplateSyntaxError(`${where}: unbalanced parentheses`);
  if (commands.some((command) => command.length === 0)) {
    throw new TemplateSyntaxError(`${where}: empty command in pipeline`);
  }
  return { declares, commands };
}

const UNSUPPORTED_KEYWORDS = new Set(['template', 'block', 'break', 'continue', 'nil']);

interface Frame {
  keyword: 'root' | 'define' | 'if' | 'with' | 'range';
  name?: string;
  /** Where new nodes go now. */
  target: TemplateNode[];
  node?: TemplateNode;
}

/** Parses one template file into its output and the templates it defines. */
export function parseTemplate(source: string, file: string): ParsedFile {
  const body: TemplateNode[] = [];
  const defines = new Map<string, TemplateNode[]>();
  const stack: Frame[] = [{ keyword: 'root', target: body }];
  const top = () => stack[stack.length - 1]!;
  for (const piece of split(source, file)) {
    if (piece.kind === 'text') {
      if (piece.text !== '') top().target.push({ type: 'text', text: piece.text });
      continue;
    }
    const { text } = piece.action;
    const where = `${file}: {{ ${text} }}`;
    if (text.startsWith('/*')) {
      if (!text.endsWith('*/')) throw new TemplateSyntaxError(`${where}: unclosed comment`);
      continue;
    }
    const [keyword, ...rest] = text.split(/\s+/);
    const restText = text.slice(keyword!.length).trim();
    if (UNSUPPORTED_KEYWORDS.has(keyword!)) {
      throw new TemplateSyntaxError(`${where}: "${keyword}" is not supported by this renderer`);
    }
    if (keyword === 'define') {
      const [name, ...extra] = tokenize(restText, where);
      if (name?.t !== 'string' || extra.length > 0) {
        throw new TemplateSyntaxError(`${where}: define takes one string`);
      }
      const target: TemplateNode[] = [];
      defines.set(name.value, target);
      stack.push({ keyword: 'define', target });
    } else if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      const pipe = parsePipeline(tokenize(restText, where), where);
      const body: TemplateNode[] = [];
      const node: TemplateNode =
        keyword === 'if'
          ? { type: 'if', branches: [{ pipe, body }], otherwise: [] }
          : { type: keyword, pipe, body, otherwise: [] };
      top().target.push(node);
      stack.push({ keyword, node, target: body });
    } else if (keyword === 'else') {
      const frame = top();
      const node = frame.node;
      if (!node || node.type === 'text' || node.type === 'output') {
        throw new TemplateSyntaxError(`${where}: else outside if, with or range`);
      }
      if (rest[0] === 'if' && node.type === 'if') {
        const pipe = parsePipeline(tokenize(restText.slice(2), where), where);
        const branch = { pipe, body: [] as TemplateNode[] };
        node.branches.push(branch);
        frame.target = branch.body;
      } else if (rest.length === 0) {
        frame.target = node.otherwise;
      } else {
        throw new TemplateSyntaxError(`${where}: unsupported else form`);
      }
    } else if (keyword === 'end') {
      if (stack.length === 1) throw new TemplateSyntaxError(`${where}: end without a block`);
      stack.pop();
    } else {
      top().target.push({ type: 'output', pipe: parsePipeline(tokenize(text, where), where) });
    }
  }
  if (stack.length !== 1) throw new TemplateSyntaxError(`${file}: ${top().keyword} is never ended`);
  return { body, defines };
}
