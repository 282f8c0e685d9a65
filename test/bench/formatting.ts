// Formatting benchmark: per language, on real code already laid out by its
// own formatter (test/bench/formatCorpora.ts locates, installs or makes the
// corpora and says which it skipped):
//
// - accuracy: every line's leading whitespace outside multi-line tokens is
//   stripped, the file is formatted with the reference's indentation unit,
//   and the lines whose indentation comes back exactly are counted (goal:
//   98%). Lines in or next to a syntax error of the reference are left as they
//   are by design and not counted (their number is reported).
// - safety: the leaf tokens (type and text, and any text between them) are
//   identical before and after formatting, on each reference file and on a
//   copy whose leading whitespace is scrambled (a fixed pseudo-random amount
//   per line; not for Python, where indentation is meaning).
// - idempotence: formatting the output again changes nothing (same files).
//
// Speed: formatDocument (the query, the walk and the edits; the parse is
// timed separately, as the server has the tree already) on lib.dom.d.ts and a
// mid-size file, beside prettier.format of the same text, p50 of a few runs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry, initTreeSitter, type LoadedGrammar } from '../../server/src/syntax/grammars.js';
import { formatDocument, type FormatOptions } from '../../server/src/features/formatting.js';
import { checkFormat, indentationAccuracy } from '../../server/src/features/formatCheck.js';
import { formattingCorpora, type Corpus } from './formatCorpora.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'formatting';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nm = path.join(root, 'node_modules');

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

/** The text with each line's leading whitespace replaced by a pseudo-random run of spaces and tabs (lines inside tokens are left alone by the formatter anyway). */
function scramble(text: string, seed: number): string {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return text
    .split('\n')
    .map((line) => {
      const body = line.replace(/^[ \t]+/, '');
      if (body === '' || body === '\r') return line;
      const n = Math.floor(rand() * 9);
      return (rand() < 0.3 ? '\t'.repeat(n % 3) : ' '.repeat(n)) + body;
    })
    .join('\n');
}

interface LangResult {
  lang: string;
  sources: string[];
  files: number;
  lines: number;
  exact: number;
  nearErrors: number;
  measured: boolean;
  checked: number;
  unsafe: string[];
  notIdempotent: string[];
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

  // ---------------------------------------------------------------- corpora
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-fmt-corpora-'));
  const skipped: string[] = [];
  const results = new Map<string, LangResult>();
  try {
    const corpora: Corpus[] = await formattingCorpora({ quick: ctx.quick, log: ctx.log, tmp, root, prettier }, skipped);
    for (const corpus of corpora) {
      if (corpus.items.length === 0) continue;
      const g = await grammar(corpus.lang);
      const r = results.get(corpus.lang) ?? { lang: corpus.lang, sources: [], files: 0, lines: 0, exact: 0, nearErrors: 0, measured: false, checked: 0, unsafe: [], notIdempotent: [] };
      results.set(corpus.lang, r);
      r.sources.push(corpus.source);
      const t0 = performance.now();
      for (const [i, { file, options }] of corpus.items.entries()) {
        const text = fs.readFileSync(file, 'utf8');
        r.files++;
        if (corpus.accuracy !== false) {
          const a = indentationAccuracy(parser, g, registry, text, options, 0, corpus.continuationOnly);
          r.measured = true;
          r.lines += a.lines;
          r.exact += a.exact;
          r.nearErrors += a.nearErrors;
        }
        const inputs = corpus.lang === 'python' ? [text] : [text, scramble(text, i + 1)];
        for (const [k, input] of inputs.entries()) {
          const c = checkFormat(parser, g, registry, input, options);
          r.checked++;
          const label = `${path.basename(file)}${k ? ' (scrambled)' : ''}`;
          if (!c.safe) r.unsafe.push(`${label}: token ${c.difference?.index} ${JSON.stringify(c.difference?.before)} -> ${JSON.stringify(c.difference?.after)}`);
          if (!c.idempotent) r.notIdempotent.push(label);
        }
      }
      ctx.log(`${corpus.lang} (${corpus.source}): ${corpus.items.length} files in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${r.exact}/${r.lines} lines so far; unsafe ${r.unsafe.length}, not idempotent ${r.notIdempotent.length}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const rows = [...results.values()].map((r) => {
    const pct = (100 * r.exact) / Math.max(1, r.lines);
    if (r.measured) {
      figures[`accuracy.${r.lang}.percent`] = Number(pct.toFixed(2));
      figures[`accuracy.${r.lang}.lines`] = r.lines;
      figures[`accuracy.${r.lang}.nearErrors`] = r.nearErrors;
    }
    figures[`safety.${r.lang}.unsafe`] = r.unsafe.length;
    figures[`safety.${r.lang}.checked`] = r.checked;
    figures[`idempotence.${r.lang}.failures`] = r.notIdempotent.length;
    const acc = r.measured ? `${pct.toFixed(2)}%${r.lang === 'python' ? ' (continuation lines in brackets)' : ''}` : 'n/a';
    return `| ${r.lang} | ${r.files} | ${r.measured ? r.lines : '-'} | ${acc} | ${r.measured ? r.nearErrors : '-'} | ${r.checked - r.unsafe.length}/${r.checked} | ${r.checked - r.notIdempotent.length}/${r.checked} | ${r.sources.join('; ')} |`;
  });
  const accTable = ['| language | files | lines | indentation exact | lines near syntax errors (not counted) | safe | idempotent | reference |', '|---|---:|---:|---:|---:|---:|---:|---|', ...rows].join('\n');
  for (const r of results.values()) {
    for (const u of r.unsafe.slice(0, 5)) notes.push(`UNSAFE ${r.lang}: ${u}`);
    for (const u of r.notIdempotent.slice(0, 5)) notes.push(`NOT IDEMPOTENT ${r.lang}: ${u}`);
  }
  for (const s of skipped) notes.push(`skipped ${s}`);

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
  if (!prettier) notes.push('prettier is not installed: no speed comparison');
  const speedTable = ['| file | size | formatDocument p50 | parse p50 | prettier p50 | ratio |', '|---|---:|---:|---:|---:|---|', ...speedRows].join('\n');
  notes.push(
    "accuracy: leading whitespace of every line outside multi-line tokens stripped, formatted with the reference's indentation unit; a line counts when its indentation comes back exactly; lines in or next to a syntax error of the reference (tree-sitter grammars miss some macros and newer syntax) are left as they are by design and not counted",
    'safety: leaf tokens (type and text) and any text between them identical before and after; on every reference file and on a copy with scrambled leading whitespace (Python: the file only). idempotence: formatting the output again changes nothing',
    `speed: ${runs} runs each (prettier ${Math.max(1, runs - 2)}), p50; formatDocument is what a save costs the server, which holds the tree already`,
  );
  return { title: 'Formatting', table: `${accTable}\n\n${speedTable}`, notes, figures, raw };
}
