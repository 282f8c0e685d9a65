// The formatter (server/src/features/formatting.ts) with real grammars and
// real files:
// - golden input/expected files per language under test/fixtures/formatting/
//   (options, ranges, on-type); UPDATE_GOLDEN=1 rewrites the expected files.
//   reference.expected.* are the output of the language's own formatter
//   (clang-format --style=LLVM, google-java-format, rubocop --only Layout,
//   rustfmt, shfmt, prettier, black) on tricky constructs (aligned arguments,
//   continuation lines, chained calls, `x = if`, macros, prettier's HTML `>`),
//   and reference.input.* the same code with its leading whitespace scrambled:
//   the formatter must give back the formatter's layout exactly;
// - the FormattingOptions fields, minimal edits, syntax errors left alone;
// - safety (the leaf tokens, type and text, are identical before and after;
//   JSDoc comments compared after their continuation lines' leading
//   whitespace) and idempotence on a real corpus per language found on this
//   machine, sampled with a fixed seed (CST_FORMAT_CORPUS=full: every file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Parser } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FormattingOptions, Position, Range } from 'vscode-languageserver';
import { GrammarRegistry, initTreeSitter, type LoadedGrammar } from '../../server/src/syntax/grammars.js';
import { formatDocument, formatOnType, formatRange, hasFormatter, onTypeTriggers, type FormatOptions } from '../../server/src/features/formatting.js';
import { applyEdits, checkFormat } from '../../server/src/features/formatCheck.js';
import { editorconfigOptions } from '../../server/src/features/editorconfig.js';
import { pythonStdlib, filesUnder } from '../helpers/corpus.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.join(here, '../fixtures/formatting');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FULL = process.env.CST_FORMAT_CORPUS === 'full';

let registry: GrammarRegistry;
let parser: Parser;
const grammars = new Map<string, LoadedGrammar>();

beforeAll(async () => {
  await initTreeSitter();
  registry = GrammarRegistry.fromDisk(path.join(root, 'grammars'));
  for (const spec of registry.languages) {
    const g = await registry.load(spec.id);
    if (g) grammars.set(spec.id, g);
  }
  parser = new Parser();
});

function grammar(id: string): LoadedGrammar {
  const g = grammars.get(id);
  if (!g) throw new Error(`grammar ${id} not loaded`);
  return g;
}

const SPACES2: FormatOptions = { tabSize: 2, insertSpaces: true };

type Op = 'document' | 'range' | 'onType';

function run(lang: string, text: string, options: FormatOptions, op: Op = 'document', extra?: { range?: Range; position?: Position; ch?: string }): { output: string; edits: number } {
  const g = grammar(lang);
  parser.setLanguage(g.language);
  const tree = parser.parse(text)!;
  try {
    const doc = TextDocument.create('file:///t', lang, 0, text);
    const edits =
      op === 'document'
        ? formatDocument(tree, doc, g, registry, options)
        : op === 'range'
          ? formatRange(tree, doc, g, registry, extra!.range!, options)
          : formatOnType(tree, doc, g, registry, extra!.position!, extra!.ch!, options);
    return { output: applyEdits(text, edits), edits: edits.length };
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------
// Golden files

interface CaseSpec {
  language?: string;
  options?: FormatOptions;
  range?: Range;
  onType?: { position: Position; ch: string };
}

describe('golden files', () => {
  const cases: { lang: string; name: string; input: string; expected: string; spec: string }[] = [];
  if (fs.existsSync(fixtures)) {
    for (const lang of fs.readdirSync(fixtures).sort()) {
      const dir = path.join(fixtures, lang);
      for (const f of fs.readdirSync(dir).sort()) {
        const m = /^(.*)\.input(\.[^.]+)$/.exec(f);
        if (!m) continue;
        cases.push({ lang, name: m[1]!, input: path.join(dir, f), expected: path.join(dir, `${m[1]}.expected${m[2]}`), spec: path.join(dir, `${m[1]}.json`) });
      }
    }
  }
  it('has fixtures for every language', () => {
    expect([...new Set(cases.map((c) => c.lang))].sort()).toEqual(registry.languages.map((l) => l.id).sort());
  });
  for (const c of cases) {
    it(`${c.lang}/${c.name}`, () => {
      const spec: CaseSpec = fs.existsSync(c.spec) ? JSON.parse(fs.readFileSync(c.spec, 'utf8')) : {};
      const options = spec.options ?? SPACES2;
      const input = fs.readFileSync(c.input, 'utf8');
      const lang = spec.language ?? c.lang;
      const op: Op = spec.range ? 'range' : spec.onType ? 'onType' : 'document';
      const { output } = run(lang, input, options, op, { range: spec.range, position: spec.onType?.position, ch: spec.onType?.ch });
      if (UPDATE || !fs.existsSync(c.expected)) fs.writeFileSync(c.expected, output);
      expect(output).toBe(fs.readFileSync(c.expected, 'utf8'));
      // Whole-document results are safe and idempotent.
      if (op === 'document') {
        const r = checkFormat(parser, grammar(lang), registry, input, options);
        expect(r.difference).toBeUndefined();
        expect(r.second).toBeUndefined();
      }
    });
  }
});

// ---------------------------------------------------------------------------
// Options, edits, errors

describe('options', () => {
  const src = 'function f() {\n        if (x) {   \n  return 1;\n}\n\n\n\n\n}\n\n\n';
  it('indents with spaces of tabSize', () => {
    expect(run('typescript', src, { tabSize: 4, insertSpaces: true }).output).toBe('function f() {\n    if (x) {\n        return 1;\n    }\n\n\n}\n');
  });
  it('indents with tabs', () => {
    expect(run('typescript', src, { tabSize: 8, insertSpaces: false }).output).toBe('function f() {\n\tif (x) {\n\t\treturn 1;\n\t}\n\n\n}\n');
  });
  it('keeps trailing whitespace when trimTrailingWhitespace is false', () => {
    expect(run('typescript', src, { ...SPACES2, trimTrailingWhitespace: false }).output).toBe('function f() {\n  if (x) {   \n    return 1;\n  }\n\n\n}\n');
  });
  it('caps blank-line runs at maxBlankLines', () => {
    expect(run('typescript', src, { ...SPACES2, maxBlankLines: 0 }).output).toBe('function f() {\n  if (x) {\n    return 1;\n  }\n}\n');
    expect(run('typescript', src, { ...SPACES2, maxBlankLines: 1 }).output).toBe('function f() {\n  if (x) {\n    return 1;\n  }\n\n}\n');
  });
  it('honours insertFinalNewline and trimFinalNewlines', () => {
    expect(run('typescript', 'let a = 1;', { ...SPACES2, insertFinalNewline: true }).output).toBe('let a = 1;\n');
    expect(run('typescript', 'let a = 1;', { ...SPACES2, insertFinalNewline: false }).output).toBe('let a = 1;');
    expect(run('typescript', 'let a = 1;\n\n\n', { ...SPACES2, trimFinalNewlines: false, maxBlankLines: 5 }).output).toBe('let a = 1;\n\n\n');
    expect(run('typescript', 'let a = 1;\n\n\n', { ...SPACES2, trimFinalNewlines: true }).output).toBe('let a = 1;\n');
    expect(run('typescript', 'let a = 1;\r\nlet b;', SPACES2).output).toBe('let a = 1;\r\nlet b;\r\n');
  });
  it('keeps CRLF line breaks and counts UTF-16 positions', () => {
    const text = 'const s = "😀";\r\nif (a) {\r\nb();\r\n}\r\n';
    expect(run('typescript', text, SPACES2).output).toBe('const s = "😀";\r\nif (a) {\r\n  b();\r\n}\r\n');
  });
});

describe('edits', () => {
  it('are minimal: one per changed line, only whitespace, never the whole document', () => {
    const text = 'class A {\nm() {\nreturn 1;   \n}\n}\n';
    const g = grammar('typescript');
    parser.setLanguage(g.language);
    const tree = parser.parse(text)!;
    const edits = formatDocument(tree, TextDocument.create('file:///t', 'typescript', 0, text), g, registry, SPACES2);
    tree.delete();
    expect(edits).toHaveLength(4);
    for (const e of edits) {
      expect(e.range.start.line).toBe(e.range.end.line);
      expect(e.newText.trim()).toBe('');
    }
    expect(applyEdits(text, edits)).toBe('class A {\n  m() {\n    return 1;\n  }\n}\n');
    expect(run('typescript', applyEdits(text, edits), SPACES2).edits).toBe(0);
  });
  it('leave regions around syntax errors as they are', () => {
    const text = 'function ok() {\nreturn 1;\n}\nfunction bad() {\n    let = = ;\n      foo(\n}\nfunction after() {\nreturn 2;\n}\n';
    const out = run('typescript', text, SPACES2).output;
    expect(out.startsWith('function ok() {\n  return 1;\n}\n')).toBe(true);
    expect(out).toContain('    let = = ;\n      foo(\n');
  });
  it('never change the inside of a token', () => {
    const text = 'const t = `\n    keep   \n  this`;\nconst s = "a\\\n   b";\n/* not\n      jsdoc */\n';
    expect(run('javascript', text, SPACES2).output).toBe(text);
  });
  it('move JSDoc-style comments with their first line', () => {
    const text = 'class A {\n        /**\n           * Doc.\n     */\n  m() {}\n}\n';
    expect(run('typescript', text, SPACES2).output).toBe('class A {\n  /**\n   * Doc.\n   */\n  m() {}\n}\n');
  });
  it('do not change the indentation of a Python line that starts a statement, only whitespace that cannot change meaning', () => {
    // Statement lines keep their (odd) indentation; continuation lines inside brackets are
    // aligned with the first item, or indented once after a bracket that ends its line.
    const text = 'def f(x):   \n   if x:\n         return [1,\n     2]\n\n\n\n\n   y = g(\n  a,\n        )\n   return 0\n';
    expect(run('python', text, { tabSize: 4, insertSpaces: true }).output).toBe('def f(x):\n   if x:\n         return [1,\n                 2]\n\n\n   y = g(\n       a,\n   )\n   return 0\n');
  });
  it('format JSON completely', () => {
    const text = '{"a":1,"b":[1,2,{"c":null}],"d":{},  "e":[ ]}';
    expect(run('json', text, SPACES2).output).toBe('{\n  "a": 1,\n  "b": [\n    1,\n    2,\n    {\n      "c": null\n    }\n  ],\n  "d": {},\n  "e": []\n}\n');
  });
});

describe('range and on-type', () => {
  const text = 'function f() {\nif (a) {\nb();\n}\n}\n';
  it('formats only the lines of the range', () => {
    const out = run('typescript', text, SPACES2, 'range', { range: { start: { line: 2, character: 0 }, end: { line: 3, character: 1 } } }).output;
    expect(out).toBe('function f() {\nif (a) {\n    b();\n  }\n}\n');
  });
  it('re-indents the line of a typed closing brace', () => {
    const t = 'function f() {\n  if (a) {\n    b();\n    }\n}\n';
    expect(run('typescript', t, SPACES2, 'onType', { position: { line: 3, character: 5 }, ch: '}' }).output).toBe('function f() {\n  if (a) {\n    b();\n  }\n}\n');
  });
  it('indents a new blank line after Enter', () => {
    const t = 'function f() {   \n\n}\n';
    expect(run('typescript', t, SPACES2, 'onType', { position: { line: 1, character: 0 }, ch: '\n' }).output).toBe('function f() {\n  \n}\n');
  });
  it('reports triggers and which languages have a formatter', () => {
    const t = onTypeTriggers(registry);
    expect([t.first, ...t.more]).toEqual(expect.arrayContaining(['}', ']', ')', '\n']));
    expect(hasFormatter(grammar('typescript'), registry)).toBe(true);
    for (const spec of registry.languages) expect(hasFormatter(grammar(spec.id), registry), spec.id).toBe(true);
  });
});

describe('editorconfig', () => {
  it('maps .editorconfig properties to FormattingOptions', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'cst-ec-'));
    fs.writeFileSync(path.join(dir, '.editorconfig'), 'root = true\n[*]\nindent_style = tab\ntab_width = 8\ntrim_trailing_whitespace = false\ninsert_final_newline = true\n[*.json]\nindent_style = space\nindent_size = 2\nmax_blank_lines = 1\n');
    const opts: Partial<FormattingOptions> & { maxBlankLines?: number } = await editorconfigOptions(path.join(dir, 'a.ts'));
    expect(opts).toEqual({ insertSpaces: false, tabSize: 8, trimTrailingWhitespace: false, insertFinalNewline: true, trimFinalNewlines: true });
    expect(await editorconfigOptions(path.join(dir, 'b.json'))).toMatchObject({ insertSpaces: true, tabSize: 2, maxBlankLines: 1 });
    fs.rmSync(dir, { recursive: true });
  });
});

// ---------------------------------------------------------------------------
// Corpus: safety and idempotence on real files

/** Files under dir whose names match (test/helpers/corpus.ts), site-packages left out. */
function findFiles(dir: string, match: RegExp, cap = 50_000): string[] {
  return filesUnder(dir, match, cap, /^(site-packages|__pycache__|\.git)$/);
}

/** A fixed-seed sample (mulberry32), so a failure reproduces. */
function sample<T>(items: T[], n: number, seed = 20240611): T[] {
  if (FULL || items.length <= n) return items;
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

const nm = path.join(root, 'node_modules');
const MAX_BYTES = 400_000;
/** Each language's golden fixtures: the floor of every corpus, so that none is empty. */
const fixtureFiles = (lang: string): string[] => findFiles(path.join(fixtures, lang), /\.input\./);
/** Debian's versioned source folders (/usr/share/go-1.19/src, /usr/lib/llvm-14/include/llvm). */
const versioned = (dir: string, prefix: string, sub: string): string[] => {
  try {
    return fs.readdirSync(dir).filter((n) => n.startsWith(prefix)).map((n) => path.join(dir, n, sub));
  } catch {
    return [];
  }
};
const corpora: { lang: string; files: () => string[]; n: number; options: FormatOptions }[] = [
  { lang: 'typescript', files: () => [...findFiles(path.join(nm, 'typescript/lib'), /\.d\.ts$/), ...findFiles(path.join(nm, 'zod'), /\.ts$/)], n: 12, options: { tabSize: 4, insertSpaces: true } },
  { lang: 'javascript', files: () => findFiles(nm, /\.(m|c)?js$/, 200_000).filter((f) => !f.includes('/typescript/')), n: 25, options: SPACES2 },
  { lang: 'python', files: () => findFiles(pythonStdlib(), /\.py$/), n: 25, options: { tabSize: 4, insertSpaces: true } },
  { lang: 'c', files: () => [...findFiles('/usr/include', /\.h$/, 100_000), ...findFiles('/usr/src/libxcrypt', /\.[ch]$/), ...findFiles('/usr/src/uwsgi', /\.[ch]$/)], n: 25, options: { tabSize: 4, insertSpaces: false } },
  { lang: 'json', files: () => findFiles(nm, /\.json$/, 200_000), n: 25, options: SPACES2 },
  { lang: 'cpp', files: () => [...findFiles('/usr/include', /\.(hpp|hh|cc|cpp)$/, 100_000), ...versioned('/usr/lib', 'llvm-', 'include/llvm').flatMap((d) => findFiles(d, /\.h$/))], n: 10, options: SPACES2 },
  { lang: 'css', files: () => [...findFiles(nm, /\.css$/, 200_000), ...findFiles('/usr/share/javascript', /\.css$/)], n: 10, options: SPACES2 },
  { lang: 'html', files: () => findFiles('/usr/share/doc', /\.html?$/, 50_000), n: 10, options: SPACES2 },
  { lang: 'bash', files: () => [...findFiles('/usr/share', /\.(sh|bash)$/, 50_000), ...findFiles('/etc', /\.(sh|bash)$/, 5_000)], n: 10, options: { tabSize: 4, insertSpaces: false } },
  { lang: 'go', files: () => [...findFiles('/usr/share/doc', /\.go$/, 50_000), ...versioned('/usr/share', 'go-', 'src').flatMap((d) => findFiles(d, /\.go$/))], n: 10, options: { tabSize: 4, insertSpaces: false } },
  { lang: 'rust', files: () => [...findFiles(path.join(process.env.HOME ?? '/root', '.rustup'), /\.rs$/, 50_000), ...findFiles('/usr/lib/rustlib/src', /\.rs$/)], n: 10, options: { tabSize: 4, insertSpaces: true } },
  { lang: 'java', files: () => findFiles('/usr/share', /\.java$/, 50_000), n: 10, options: { tabSize: 2, insertSpaces: true } },
  { lang: 'ruby', files: () => findFiles('/usr/lib/ruby', /\.rb$/, 50_000), n: 10, options: SPACES2 },
];

describe('corpus: safety and idempotence', () => {
  for (const c of corpora) {
    it(`${c.lang}`, () => {
      const files = sample(
        [...c.files(), ...fixtureFiles(c.lang)].filter((f) => {
          try {
            return fs.statSync(f).size <= MAX_BYTES;
          } catch {
            return false;
          }
        }),
        c.n,
      );
      const problems: string[] = [];
      let checked = 0;
      for (const f of files) {
        const text = fs.readFileSync(f, 'utf8');
        if (text.includes('\u0000')) continue;
        const r = checkFormat(parser, grammar(c.lang), registry, text, c.options);
        checked++;
        if (r.difference) problems.push(`${f}: token ${r.difference.index} ${JSON.stringify(r.difference.before)} -> ${JSON.stringify(r.difference.after)}`);
        if (r.second !== undefined) problems.push(`${f}: not idempotent`);
      }
      expect(problems).toEqual([]);
      if (files.length <= fixtureFiles(c.lang).length) console.warn(`formatting corpus: no ${c.lang} files on this machine but the golden fixtures`);
      expect(checked).toBe(files.length);
    });
  }
});
