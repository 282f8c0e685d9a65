// Formatting benchmark: indentation accuracy per language, and speed beside
// prettier on the same files in the same run.
//
// Accuracy: real code already formatted by its own formatter (JavaScript and
// TypeScript sources in node_modules that prettier leaves unchanged under one
// of a few common option sets; .d.ts files of the typescript package, which
// its emitter lays out; JSON files equal to JSON.stringify(JSON.parse(x), null,
// indent); Rust sources on this machine run through rustfmt when it is
// installed; Go sources that are gofmt-clean are assumed for the few on this
// machine). Every line's leading whitespace outside multi-line tokens is
// stripped, the file is formatted with the file's indentation unit, and the
// lines whose indentation comes back exactly are counted (goal: 98%).
//
// Speed: formatDocument (the query, the walk and the edits; the parse is
// timed separately, as the server has the tree already) on lib.dom.d.ts and a
// mid-size file, beside prettier.format of the same text, p50 of a few runs.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry, initTreeSitter, type LoadedGrammar } from '../../server/src/syntax/grammars.js';
import { formatDocument, type FormatOptions } from '../../server/src/features/formatting.js';
import { indentationAccuracy } from '../../server/src/features/formatCheck.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'formatting';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nm = path.join(root, 'node_modules');

function findFiles(dir: string, match: RegExp, cap: number, skip = /^(\.git|__pycache__)$/): string[] {
  const out: string[] = [];
  const stack = [dir];
  let seen = 0;
  while (stack.length && seen < cap) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      if (skip.test(e.name)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && match.test(e.name)) out.push(p);
    }
  }
  return out.sort();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

type Prettier = { format(src: string, opts: Record<string, unknown>): Promise<string> };

async function loadPrettier(): Promise<Prettier | undefined> {
  try {
    return (await import('prettier')) as unknown as Prettier;
  } catch {
    return undefined;
  }
}

const PRETTIER_SETS: Record<string, unknown>[] = [
  {},
  { singleQuote: true },
  { printWidth: 100 },
  { printWidth: 100, singleQuote: true },
  { printWidth: 120 },
  { printWidth: 120, singleQuote: true },
  { trailingComma: 'es5' },
  { singleQuote: true, trailingComma: 'es5' },
  { semi: false, singleQuote: true },
  { tabWidth: 4 },
  { tabWidth: 4, singleQuote: true },
  { tabWidth: 4, printWidth: 120 },
];

/** Files prettier leaves unchanged under one of the option sets, with their tab width. */
async function prettierClean(prettier: Prettier, files: string[], budgetMs: number): Promise<{ file: string; tabWidth: number }[]> {
  const out: { file: string; tabWidth: number }[] = [];
  const t0 = performance.now();
  for (const file of files) {
    if (performance.now() - t0 > budgetMs) break;
    const src = fs.readFileSync(file, 'utf8');
    for (const set of PRETTIER_SETS) {
      try {
        if ((await prettier.format(src, { ...set, filepath: file })) === src) {
          out.push({ file, tabWidth: (set.tabWidth as number | undefined) ?? 2 });
          break;
        }
      } catch {
        break;
      }
    }
  }
  return out;
}

interface LangAccuracy {
  lang: string;
  source: string;
  files: number;
  lines: number;
  exact: number;
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  await initTreeSitter();
  const registry = GrammarRegistry.fromDisk(path.join(root, 'grammars'));
  const parser = new Parser();
  const grammar = async (id: string): Promise<LoadedGrammar> => (await registry.load(id))!;
  const prettier = await loadPrettier();
  const notes: string[] = [];
  const figures: Record<string, number> = {};
  const raw: Record<string, number[]> = {};

  // ---------------------------------------------------------------- accuracy
  const results: LangAccuracy[] = [];
  const measure = async (lang: string, source: string, items: { file: string; options: FormatOptions }[]): Promise<void> => {
    const g = await grammar(lang);
    const acc: LangAccuracy = { lang, source, files: 0, lines: 0, exact: 0 };
    for (const { file, options } of items) {
      const text = fs.readFileSync(file, 'utf8');
      const r = indentationAccuracy(parser, g, registry, text, options, 0);
      acc.files++;
      acc.lines += r.lines;
      acc.exact += r.exact;
    }
    if (acc.files) results.push(acc);
    ctx.log(`accuracy ${lang}: ${acc.exact}/${acc.lines} lines in ${acc.files} files`);
  };

  if (prettier) {
    const candidates = findFiles(nm, /\.(ts|tsx|js|mjs|cjs|jsx)$/, 400_000, /^(\.git|typescript|\.cache|dist|umd|min)$/).filter((f) => !f.endsWith('.d.ts') && !/\.min\./.test(f) && fs.statSync(f).size < 60_000 && fs.statSync(f).size > 1_000);
    const step = Math.max(1, Math.floor(candidates.length / (ctx.quick ? 60 : 400)));
    const picked = candidates.filter((_, i) => i % step === 0);
    ctx.log(`checking ${picked.length} of ${candidates.length} JS/TS files for prettier-clean ones`);
    const clean = await prettierClean(prettier, picked, ctx.quick ? 30_000 : 180_000);
    const byLang = (re: RegExp): { file: string; options: FormatOptions }[] => clean.filter((c) => re.test(c.file)).map((c) => ({ file: c.file, options: { tabSize: c.tabWidth, insertSpaces: true } }));
    await measure('typescript', 'prettier-clean .ts in node_modules', byLang(/\.ts$/));
    await measure('tsx', 'prettier-clean .tsx in node_modules', byLang(/\.tsx$/));
    await measure('javascript', 'prettier-clean .js/.mjs/.cjs/.jsx in node_modules', byLang(/\.(js|mjs|cjs|jsx)$/));
    notes.push(`prettier-clean sources: ${clean.length} of ${picked.length} sampled files (${[...new Set(clean.map((c) => path.relative(nm, c.file).split(path.sep)[0]))].join(', ')})`);
  } else notes.push('prettier is not installed: no prettier-clean JS/TS corpus and no speed comparison');

  const dts = findFiles(path.join(nm, 'typescript/lib'), /^lib\..*\.d\.ts$/, 10_000);
  await measure('typescript', 'typescript/lib/lib.*.d.ts (emitter layout)', (ctx.quick ? dts.slice(0, 10) : dts).map((file) => ({ file, options: { tabSize: 4, insertSpaces: true } })));

  const jsonFiles = findFiles(nm, /\.json$/, 200_000).filter((f) => fs.statSync(f).size < 200_000);
  const jsonClean: { file: string; options: FormatOptions }[] = [];
  for (const file of jsonFiles) {
    if (jsonClean.length >= (ctx.quick ? 40 : 400)) break;
    const s = fs.readFileSync(file, 'utf8');
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      continue;
    }
    for (const indent of [2, 4, '\t'] as const) {
      const out = JSON.stringify(v, null, indent);
      if (s === out || s === out + '\n') {
        jsonClean.push({ file, options: indent === '\t' ? { tabSize: 4, insertSpaces: false } : { tabSize: indent, insertSpaces: true } });
        break;
      }
    }
  }
  await measure('json', 'node_modules JSON equal to JSON.stringify(v, null, indent)', jsonClean);

  // Rust: sources on this machine, formatted by rustfmt into a temporary folder.
  const rustSources = [...findFiles(path.join(os.homedir(), '.rustup'), /\.rs$/, 50_000), ...findFiles(path.join(root, 'test/fixtures'), /\.rs$/, 10_000)];
  if (rustSources.length) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-fmt-rs-'));
    const copies = rustSources.map((f, i) => {
      const p = path.join(tmp, `f${i}.rs`);
      fs.copyFileSync(f, p);
      return p;
    });
    try {
      execFileSync('rustfmt', ['--edition', '2021', ...copies], { stdio: 'ignore' });
      await measure('rust', `rustfmt output of ${copies.length} .rs files on this machine`, copies.map((file) => ({ file, options: { tabSize: 4, insertSpaces: true } })));
    } catch {
      notes.push('rustfmt unavailable or failed: no Rust accuracy');
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const goFiles = [...findFiles('/usr/share/doc', /\.go$/, 100_000), ...findFiles('/usr/lib/go', /\.go$/, 100_000)];
  if (goFiles.length) await measure('go', `${goFiles.length} .go files on this machine (assumed gofmt-clean)`, goFiles.map((file) => ({ file, options: { tabSize: 4, insertSpaces: false } })));

  const merged = new Map<string, LangAccuracy>();
  for (const r of results) {
    const m = merged.get(r.lang) ?? { lang: r.lang, source: '', files: 0, lines: 0, exact: 0 };
    m.files += r.files;
    m.lines += r.lines;
    m.exact += r.exact;
    m.source = m.source ? `${m.source}; ${r.source}` : r.source;
    merged.set(r.lang, m);
  }
  const accTable = [
    '| language | files | lines | indentation exact | corpus |',
    '|---|---:|---:|---:|---|',
    ...[...merged.values()].map((r) => {
      const pct = (100 * r.exact) / Math.max(1, r.lines);
      figures[`accuracy.${r.lang}.percent`] = Number(pct.toFixed(2));
      figures[`accuracy.${r.lang}.lines`] = r.lines;
      return `| ${r.lang} | ${r.files} | ${r.lines} | ${pct.toFixed(2)}% | ${r.source} |`;
    }),
  ].join('\n');

  // ---------------------------------------------------------------- speed
  const ts = await grammar('typescript');
  const speedFiles = [
    { label: 'lib.dom.d.ts', file: path.join(nm, 'typescript/lib/lib.dom.d.ts'), lang: ts, tab: 4 },
    { label: 'mid-size (lib.es5.d.ts)', file: path.join(nm, 'typescript/lib/lib.es5.d.ts'), lang: ts, tab: 4 },
  ];
  const zodFile = path.join(nm, 'zod/src/v4/core/schemas.ts');
  if (fs.existsSync(zodFile)) speedFiles.push({ label: 'mid-size (zod schemas.ts)', file: zodFile, lang: ts, tab: 2 });
  const runs = ctx.quick ? 2 : 5;
  const speedRows: string[] = [];
  for (const s of speedFiles) {
    if (!fs.existsSync(s.file)) continue;
    const text = fs.readFileSync(s.file, 'utf8');
    parser.setLanguage(s.lang.language);
    const options: FormatOptions = { tabSize: s.tab, insertSpaces: true };
    const ours: number[] = [];
    const parses: number[] = [];
    for (let i = 0; i < runs; i++) {
      const p0 = performance.now();
      const tree = parser.parse(text)!;
      parses.push(performance.now() - p0);
      const doc = TextDocument.create('file:///b.ts', 'typescript', 0, text);
      const t0 = performance.now();
      formatDocument(tree, doc, s.lang, registry, options);
      ours.push(performance.now() - t0);
      tree.delete();
    }
    const theirs: number[] = [];
    if (prettier) {
      for (let i = 0; i < Math.max(1, runs - 2); i++) {
        const t0 = performance.now();
        await prettier.format(text, { filepath: s.file, tabWidth: s.tab });
        theirs.push(performance.now() - t0);
      }
    }
    const key = path.basename(s.file);
    const o = median(ours);
    const pr = median(theirs);
    figures[`speed.${key}.formatDocument.p50`] = Number(o.toFixed(1));
    figures[`speed.${key}.parse.p50`] = Number(median(parses).toFixed(1));
    if (theirs.length) {
      figures[`speed.${key}.prettier.p50`] = Number(pr.toFixed(1));
      figures[`speed.${key}.ratio`] = Number((pr / o).toFixed(1));
    }
    raw[`speed.${key}.formatDocument`] = ours;
    raw[`speed.${key}.prettier`] = theirs;
    speedRows.push(`| ${s.label} | ${(text.length / 1024).toFixed(0)} KiB | ${o.toFixed(1)} ms | ${median(parses).toFixed(1)} ms | ${theirs.length ? `${pr.toFixed(0)} ms` : 'n/a'} | ${theirs.length ? `${(pr / o).toFixed(1)}x faster (${(pr / (o + median(parses))).toFixed(1)}x with the parse)` : 'n/a'} |`);
    ctx.log(`speed ${s.label}: ours ${o.toFixed(1)} ms, prettier ${theirs.length ? pr.toFixed(0) : 'n/a'} ms`);
  }
  const speedTable = ['| file | size | formatDocument p50 | parse p50 | prettier p50 | ratio |', '|---|---:|---:|---:|---:|---|', ...speedRows].join('\n');
  notes.push(
    'accuracy: leading whitespace of every line outside multi-line tokens stripped, formatted with the file\'s indentation unit; a line counts when its indentation comes back exactly',
    'lines inside or next to syntax errors are left as they are by design and count as misses',
    `speed: ${runs} runs each (prettier ${Math.max(1, runs - 2)}), p50; formatDocument is what a save costs the server, which holds the tree already`,
  );
  return { title: 'Formatting', table: `${accTable}\n\n${speedTable}`, notes, figures, raw };
}
