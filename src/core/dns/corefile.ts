// The Corefile's syntax (CoreDNS uses Caddy's Caddyfile lexer): server blocks named by one or more
// addresses (`.:53`, `cluster.local:53 example.org`), each holding directives, one per line, with
// optional `{ ... }` blocks of sub-directives. `#` starts a comment, "double quotes" group words,
// {$VAR} and {%VAR%} are replaced from the environment, `(name) { ... }` defines a snippet that
// `import name` pastes in. A file with a single server block may leave out its braces.
// This module only reads the syntax; config.ts gives the directives their meaning.

export class CorefileError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line !== undefined ? `Corefile:${line} - ${message}` : message);
    this.name = 'CorefileError';
  }
}

export interface Directive {
  name: string;
  args: string[];
  line: number;
  /** Sub-directives of a `{ ... }` block after the arguments. */
  block?: Directive[];
}

export interface ServerBlock {
  /** The addresses in front of the block, as written: `.:53`, `cluster.local`, `dns://10.0.0.0/8:1053`. */
  keys: string[];
  line: number;
  directives: Directive[];
}

interface Token { text: string; line: number; quoted: boolean }

function substituteEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\{\$([A-Za-z_][A-Za-z0-9_]*)\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g, (_m, a, b) => env[a ?? b] ?? '');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '"') {
      const start = line;
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new CorefileError('unterminated quoted string: close it with "', start);
        const d = text[i];
        if (d === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) { s += text[i + 1]; i += 2; continue; }
        if (d === '"') { i++; break; }
        if (d === '\n') line++;
        s += d;
        i++;
      }
      tokens.push({ text: s, line: start, quoted: true });
      continue;
    }
    let s = '';
    while (i < text.length && !/[\s]/.test(text[i])) {
      // A backslash at the end of a line continues the line.
      if (text[i] === '\\' && text[i + 1] === '\n') break;
      s += text[i];
      i++;
    }
    if (s) tokens.push({ text: s, line, quoted: false });
    if (text[i] === '\\' && text[i + 1] === '\n') { i += 2; line++; }
  }
  return tokens;
}

const isOpen = (t: Token | undefined) => !!t && !t.quoted && t.text === '{';
const isClose = (t: Token | undefined) => !!t && !t.quoted && t.text === '}';

class Parser {
  pos = 0;
  imports = 0;
  readonly snippets = new Map<string, Token[]>();
  constructor(public tokens: Token[]) {}

  peek(): Token | undefined { return this.tokens[this.pos]; }

  /** Directives until the closing brace (consumed) or, at top level, the end of the tokens. */
  directives(closing: boolean, depth: number): Directive[] {
    const out: Directive[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (closing) throw new CorefileError('unexpected end of file: a block is missing its closing }', this.tokens[this.tokens.length - 1]?.line);
        return out;
      }
      if (isClose(t)) {
        if (!closing) throw new CorefileError('unexpected }: there is no block to close', t.line);
        this.pos++;
        return out;
      }
      if (isOpen(t)) throw new CorefileError('unexpected {: a block must follow a directive or an address', t.line);
      this.pos++;
      if (t.text === 'import' && !t.quoted) { this.importSnippet(t); continue; }
      const d: Directive = { name: t.text, args: [], line: t.line };
      // Arguments are the rest of the line; a '{' ending the line opens the directive's block.
      while (this.peek() && this.peek()!.line === t.line && !isOpen(this.peek()) && !isClose(this.peek())) d.args.push(this.tokens[this.pos++].text);
      if (isOpen(this.peek()) && this.peek()!.line === this.tokens[this.pos - 1].line) {
        this.pos++;
        if (depth > 8) throw new CorefileError('blocks nested too deeply', t.line);
        d.block = this.directives(true, depth + 1);
      }
      out.push(d);
    }
  }

  importSnippet(t: Token): void {
    const name = this.peek();
    if (!name || name.line !== t.line) throw new CorefileError('import needs the name of a snippet, e.g. import common', t.line);
    this.pos++;
    if (++this.imports > 100) throw new CorefileError('more than 100 imports: does a snippet import itself?', t.line);
    const body = this.snippets.get(name.text);
    if (!body) throw new CorefileError(`import ${name.text}: no snippet (${name.text}) { ... } is defined above it (podnet imports snippets, not files)`, t.line);
    // Pasted tokens keep the snippet's own lines: they group into directives as they were written, and
    // snippets come before their imports, so those lines never run into the lines around the import.
    const pasted = body;
    this.tokens = [...this.tokens.slice(0, this.pos), ...pasted, ...this.tokens.slice(this.pos)];
  }

  /** A snippet body: its raw tokens up to the matching brace. */
  snippetBody(open: Token): Token[] {
    const body: Token[] = [];
    let depth = 1;
    for (;;) {
      const t = this.tokens[this.pos++];
      if (!t) throw new CorefileError('unexpected end of file: a snippet is missing its closing }', open.line);
      if (isOpen(t)) depth++;
      if (isClose(t) && --depth === 0) return body;
      body.push(t);
    }
  }

  serverBlocks(): ServerBlock[] {
    const blocks: ServerBlock[] = [];
    while (this.peek()) {
      const first = this.peek()!;
      const m = /^\((.+)\)$/.exec(first.text);
      if (m && !first.quoted) {
        this.pos++;
        const open = this.tokens[this.pos++];
        if (!isOpen(open)) throw new CorefileError(`snippet ${first.text} must be followed by {`, first.line);
        this.snippets.set(m[1], this.snippetBody(open));
        continue;
      }
      const keys: string[] = [];
      while (this.peek() && !isOpen(this.peek()) && (keys.length === 0 || this.peek()!.line === first.line || this.tokens[this.pos - 1].text.endsWith(','))) {
        for (const k of this.tokens[this.pos++].text.split(',')) if (k) keys.push(k);
      }
      if (isOpen(this.peek())) {
        this.pos++;
        blocks.push({ keys, line: first.line, directives: this.directives(true, 0) });
        continue;
      }
      // No brace: the rest of the file is this one block's directives (allowed only for a single block).
      if (blocks.length > 0) throw new CorefileError(`server block ${keys.join(' ')} needs { } around its directives`, first.line);
      blocks.push({ keys, line: first.line, directives: this.directives(false, 0) });
      if (this.peek()) throw new CorefileError('when a Corefile has several server blocks, each needs { }', this.peek()!.line);
    }
    return blocks;
  }
}

/** Parses a Corefile's syntax. Throws CorefileError with the line and what to fix. */
export function parseCorefile(text: string, env: Record<string, string | undefined> = process.env): ServerBlock[] {
  const parser = new Parser(tokenize(substituteEnv(text, env)));
  const blocks = parser.serverBlocks();
  if (blocks.length === 0) throw new CorefileError('the Corefile has no server block: start with e.g. `.:53 {`');
  for (const b of blocks) {
    if (b.keys.length === 0) throw new CorefileError('a server block needs an address in front of {, e.g. `.:53 {`', b.line);
  }
  return blocks;
}
