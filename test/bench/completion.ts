// Completion quality and speed (issue 6).
//
//   tsx test/bench/run.ts --only completion [--quick]
//
// Quality. Per language, a workspace of real code is indexed by the built
// server (Python: the standard library; TypeScript: zod's sources; JavaScript:
// pino's) except a few held-out files (excluded from the index with
// CST_INDEX_EXCLUDE). In each held-out file, identifier occurrences are picked
// at random with a fixed seed (identifier nodes of at least 4 characters; not
// declaration names or parameters, not on import lines). For each: the file is
// open in the server; a didChange deletes the identifier after its first 2
// characters (the rest of the file stays, as in an editor); completion is
// requested there; a second didChange restores the text. The list is filtered
// and ordered as an editor does (filterText, else label: case-insensitive
// prefix, or a subsequence starting with the same character; then sortText),
// and the rank of the true identifier recorded (a miss counts as rank
// infinity: 0 for MRR).
//
// Baseline, same samples, same run: word completion as editors do it — every
// word of the cut document (the word at the cursor excluded), same filter,
// ordered by distance from the cursor (lines, then characters).
// "far" samples: the identifier does not occur within 40 lines of the cursor.
//
// Speed. A 5,000-line Python file (the first 5,000 lines of _pydecimal.py)
// open, the standard library indexed; 300 characters typed one at a time at
// the end of a function body; per keystroke, didChange then completion, timed
// from sending the change to the completion answer (client side).
//
// Semantic peers (typescript-language-server, pyright) are not run here yet.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';
import { distribution, machine, markdownTable, ms } from './measure.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'completion';

const FAR_LINES = 40;
const SEED = 20240611;

interface Corpus {
  language: string;
  languageId: string;
  wasm: string;
  root: string;
  /** Candidate held-out files (relative to root). */
  heldOut: string[];
  identifierTypes: string[];
  source: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpora(): Corpus[] {
  const nm = path.join(repoRoot, 'node_modules');
  const std = pythonStdlib();
  return [
    {
      language: 'python',
      languageId: 'python',
      wasm: path.join(nm, 'tree-sitter-python/tree-sitter-python.wasm'),
      root: std,
      heldOut: ['argparse.py', 'configparser.py', 'difflib.py', 'ftplib.py', 'gettext.py', 'imaplib.py', 'mailbox.py', 'optparse.py', 'pickletools.py', 'shutil.py', 'smtplib.py', 'tarfile.py', 'textwrap.py', 'zipfile.py'],
      identifierTypes: ['identifier'],
      source: 'Python standard library',
    },
    {
      language: 'typescript',
      languageId: 'typescript',
      wasm: path.join(nm, 'tree-sitter-typescript/tree-sitter-typescript.wasm'),
      root: path.join(nm, 'zod/src'),
      heldOut: ['v4/core/schemas.ts', 'v4/classic/schemas.ts', 'v3/types.ts', 'v4/core/regexes.ts', 'v4/core/util.ts', 'v4/core/api.ts', 'v4/core/to-json-schema.ts', 'v3/ZodError.ts'],
      identifierTypes: ['identifier', 'property_identifier', 'type_identifier', 'shorthand_property_identifier'],
      source: 'zod sources (node_modules/zod/src)',
    },
    {
      language: 'javascript',
      languageId: 'javascript',
      wasm: path.join(nm, 'tree-sitter-javascript/tree-sitter-javascript.wasm'),
      root: path.join(nm, 'pino'),
      heldOut: ['pino.js', 'lib/proto.js', 'lib/tools.js', 'lib/transport.js', 'lib/levels.js', 'lib/multistream.js', 'browser.js'],
      identifierTypes: ['identifier', 'property_identifier', 'shorthand_property_identifier'],
      source: 'pino (node_modules/pino)',
    },
  ];
}

interface Sample {
  file: string;
  start: number;
  end: number;
  word: string;
  far: boolean;
}

const DECL_PARENTS = new Set(['parameters', 'formal_parameters', 'required_parameter', 'optional_parameter', 'default_parameter', 'typed_parameter', 'typed_default_parameter', 'lambda_parameters', 'import_specifier', 'import_clause', 'namespace_import', 'aliased_import', 'dotted_name']);

function pickSamples(parser: Parser, corpus: Corpus, file: string, text: string, count: number, rand: () => number): Sample[] {
  const tree = parser.parse(text)!;
  const found: Node[] = [];
  try {
    const types = new Set(corpus.identifierTypes);
    const cursor = tree.walk();
    // Iterative pre-order walk.
    for (;;) {
      const n = cursor.currentNode;
      if (types.has(n.type) && n.endIndex - n.startIndex >= 4) found.push(n);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) break;
      if (cursor.currentNode.id === tree.rootNode.id) break;
    }
    cursor.delete();
    const ok = found.filter((n) => {
      const p = n.parent;
      if (!p || DECL_PARENTS.has(p.type)) return false;
      const nameField = p.childForFieldName('name');
      if (nameField && nameField.startIndex === n.startIndex) return false;
      const lineStart = text.lastIndexOf('\n', n.startIndex - 1) + 1;
      const line = text.slice(lineStart, text.indexOf('\n', n.startIndex) >>> 0).trim();
      if (/^(import|from)\b/.test(line) || /^export .* from /.test(line)) return false;
      return true;
    });
    const out: Sample[] = [];
    const used = new Set<number>();
    while (out.length < count && used.size < ok.length) {
      const i = Math.floor(rand() * ok.length);
      if (used.has(i)) continue;
      used.add(i);
      const n = ok[i]!;
      const word = n.text;
      out.push({ file, start: n.startIndex, end: n.endIndex, word, far: isFar(text, n.startIndex, n.endIndex, word) });
    }
    return out;
  } finally {
    tree.delete();
  }
}

function lineOf(text: string, offset: number): number {
  let l = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) l++;
  return l;
}

function isFar(text: string, start: number, end: number, word: string): boolean {
  const lines = text.split('\n');
  const l = lineOf(text, start);
  const re = new RegExp(`(?<![\\p{L}\\p{N}_$])${word.replace(/\$/g, '\\$')}(?![\\p{L}\\p{N}_$])`, 'u');
  for (let i = Math.max(0, l - FAR_LINES); i <= Math.min(lines.length - 1, l + FAR_LINES); i++) {
    let s = lines[i]!;
    if (i === l) {
      const col = start - (text.lastIndexOf('\n', start - 1) + 1);
      s = s.slice(0, col) + ' ' + s.slice(col + (end - start));
    }
    if (re.test(s)) return false;
  }
  return true;
}

/** Editor filtering: case-insensitive prefix, or a subsequence that starts with the same character. */
function editorMatch(prefix: string, candidate: string): boolean {
  const p = prefix.toLowerCase();
  const c = candidate.toLowerCase();
  if (c.startsWith(p)) return true;
  if (c[0] !== p[0]) return false;
  let j = 0;
  for (let i = 0; i < c.length && j < p.length; i++) if (c[i] === p[j]) j++;
  return j === p.length;
}

function rankIn(items: CompletionItem[], prefix: string, word: string): number {
  const kept = items.filter((i) => editorMatch(prefix, i.filterText ?? i.label));
  kept.sort((a, b) => {
    const x = a.sortText ?? a.label;
    const y = b.sortText ?? b.label;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const i = kept.findIndex((it) => (it.textEdit && 'newText' in it.textEdit ? it.textEdit.newText : it.insertText ?? it.label) === word);
  return i < 0 ? Infinity : i + 1;
}

function baselineRank(cut: string, cursor: number, prefix: string, word: string): number {
  const cursorLine = lineOf(cut, cursor);
  const best = new Map<string, [number, number]>();
  const re = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
  let line = 0;
  let scanned = 0;
  for (let m = re.exec(cut); m; m = re.exec(cut)) {
    for (let i = cut.indexOf('\n', scanned); i >= 0 && i < m.index; i = cut.indexOf('\n', i + 1)) line++;
    scanned = m.index;
    if (m.index <= cursor && cursor <= m.index + m[0].length) continue;
    if (!editorMatch(prefix, m[0]) || m[0] === prefix) continue;
    const d: [number, number] = [Math.abs(line - cursorLine), Math.abs(m.index - cursor)];
    const prev = best.get(m[0]);
    if (!prev || d[0] < prev[0] || (d[0] === prev[0] && d[1] < prev[1])) best.set(m[0], d);
  }
  const sorted = [...best.entries()].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]);
  const i = sorted.findIndex(([w]) => w === word);
  return i < 0 ? Infinity : i + 1;
}

interface Score {
  n: number;
  top1: number;
  top5: number;
  rr: number;
}
const empty = (): Score => ({ n: 0, top1: 0, top5: 0, rr: 0 });
function add(s: Score, rank: number): void {
  s.n++;
  if (rank === 1) s.top1++;
  if (rank <= 5) s.top5++;
  if (Number.isFinite(rank)) s.rr += 1 / rank;
}
const pct = (x: number, n: number): string => (n ? `${((100 * x) / n).toFixed(1)}%` : '—');

async function waitIndexed(server: TestServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.progress.some((p) => p.value.kind === 'end')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('workspace indexing did not finish');
}

async function waitTree(server: TestServer, uri: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const t = await server.request<{ hasTree: boolean } | null>('$/cstDebugTree', { uri, digest: false });
    if (t?.hasTree) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const STD_EXCLUDES = ['**/site-packages/**', '**/test/**', '**/tests/**', '**/idlelib/**', '**/lib2to3/**'];

async function quality(ctx: BenchContext, corpus: Corpus, perFile: number, files: number): Promise<{ ours: Score; base: Score; oursFar: Score; baseFar: Score; indexed: number; samples: number }> {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(fs.readFileSync(corpus.wasm)));
  const held = corpus.heldOut.filter((f) => fs.existsSync(path.join(corpus.root, f))).slice(0, files);
  const server = await startServer({
    env: { CST_INDEX_EXCLUDE: [...STD_EXCLUDES, ...held.map((f) => `**/${f}`)].join(','), CST_MAX_WORKERS: '2' },
    rootUri: fileUri(corpus.root),
    workspaceFolders: [{ uri: fileUri(corpus.root), name: 'bench' }],
    capabilities: { window: { workDoneProgress: true } },
  });
  const result = { ours: empty(), base: empty(), oursFar: empty(), baseFar: empty(), indexed: 0, samples: 0 };
  try {
    const t0 = performance.now();
    await waitIndexed(server, 600_000);
    ctx.log(`${corpus.language}: workspace indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const stats = await server.request<{ documents?: { indexed?: number } }>('$/cstStats', {});
    result.indexed = stats.documents?.indexed ?? 0;
    const rand = mulberry32(SEED);
    const heldDir = path.join(os.tmpdir(), 'cst-bench-completion-heldout');
    let version = 1;
    for (const rel of held) {
      const text = fs.readFileSync(path.join(corpus.root, rel), 'utf8');
      const samples = pickSamples(parser, corpus, rel, text, perFile, rand);
      const uri = fileUri(path.join(heldDir, corpus.language, rel));
      server.open(uri, corpus.languageId, text, version++);
      await waitTree(server, uri);
      for (const s of samples) {
        const cut = text.slice(0, s.start + 2) + text.slice(s.end);
        const cursor = s.start + 2;
        const line = lineOf(text, cursor);
        const character = cursor - (text.lastIndexOf('\n', cursor - 1) + 1);
        const range = { start: { line, character }, end: { line, character: character + (s.end - s.start - 2) } };
        server.change(uri, version++, [{ range, text: '' }]);
        const list = await server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character }, context: { triggerKind: 1 } });
        server.change(uri, version++, [{ range: { start: range.start, end: range.start }, text: text.slice(cursor, s.end) }]);
        const prefix = s.word.slice(0, 2);
        const ours = rankIn(list.items, prefix, s.word);
        const base = baselineRank(cut, cursor, prefix, s.word);
        add(result.ours, ours);
        add(result.base, base);
        if (s.far) {
          add(result.oursFar, ours);
          add(result.baseFar, base);
        }
        result.samples++;
      }
      server.close(uri);
    }
  } finally {
    await server.stop();
    parser.delete();
  }
  return result;
}

async function speed(ctx: BenchContext, keystrokes: number): Promise<{ p50: number; p95: number; p99: number; max: number; n: number; indexed: number }> {
  const std = pythonStdlib();
  const source = fs.readFileSync(path.join(std, '_pydecimal.py'), 'utf8').split('\n').slice(0, 5000);
  // Type at the end of the last function body line before line 4,000 that is a `return`.
  let at = 4000;
  while (at > 0 && !/^ {8}return\b/.test(source[at]!)) at--;
  const text = source.join('\n');
  const server = await startServer({
    env: { CST_INDEX_EXCLUDE: STD_EXCLUDES.join(','), CST_MAX_WORKERS: '2' },
    rootUri: fileUri(std),
    workspaceFolders: [{ uri: fileUri(std), name: 'stdlib' }],
    capabilities: { window: { workDoneProgress: true } },
  });
  try {
    const t0 = performance.now();
    await waitIndexed(server, 900_000);
    ctx.log(`speed: stdlib indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const stats = await server.request<{ documents?: { indexed?: number } }>('$/cstStats', {});
    const uri = fileUri(path.join(os.tmpdir(), 'cst-bench-completion-speed', 'decimal5000.py'));
    server.open(uri, 'python', text, 1);
    await waitTree(server, uri);
    const snippet = '\n        result = self._fix(context)\n        if result.is_nan() and context.traps:\n            exponent = result.adjusted() + len(self._int)\n            return context._raise_error(InvalidOperation, "bad")';
    const typed = (snippet.repeat(Math.ceil(keystrokes / snippet.length))).slice(0, keystrokes);
    let line = at;
    let character = source[at]!.length;
    const times: number[] = [];
    let version = 2;
    for (const ch of typed) {
      const start = performance.now();
      server.change(uri, version++, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
      if (ch === '\n') {
        line++;
        character = 0;
      } else character++;
      await server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character }, context: { triggerKind: ch === '.' ? 2 : 3, ...(ch === '.' ? { triggerCharacter: '.' } : {}) } });
      times.push(performance.now() - start);
    }
    const d = distribution(times);
    return { ...d, indexed: stats.documents?.indexed ?? 0 };
  } finally {
    await server.stop();
  }
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const perFile = ctx.quick ? 8 : 40;
  const files = ctx.quick ? 3 : 8;
  const rows: string[][] = [];
  const figures: Record<string, number> = {};
  const notes: string[] = [];
  for (const corpus of corpora()) {
    if (!fs.existsSync(corpus.root)) {
      notes.push(`${corpus.language}: ${corpus.root} missing; skipped`);
      continue;
    }
    ctx.log(`${corpus.language}: ${corpus.source}`);
    const r = await quality(ctx, corpus, perFile, files);
    const row = (label: string, s: Score, b: Score) => [corpus.language, label, String(s.n), pct(s.top1, s.n), pct(b.top1, b.n), pct(s.top5, s.n), pct(b.top5, b.n), s.n ? (s.rr / s.n).toFixed(3) : '—', b.n ? (b.rr / b.n).toFixed(3) : '—'];
    rows.push(row('all', r.ours, r.base), row(`far (>${FAR_LINES} lines)`, r.oursFar, r.baseFar));
    for (const [k, s] of [['all', r.ours], ['far', r.oursFar], ['baseline_all', r.base], ['baseline_far', r.baseFar]] as const) {
      figures[`${corpus.language}_${k}_top1_pct`] = s.n ? (100 * s.top1) / s.n : NaN;
      figures[`${corpus.language}_${k}_top5_pct`] = s.n ? (100 * s.top5) / s.n : NaN;
      figures[`${corpus.language}_${k}_mrr`] = s.n ? s.rr / s.n : NaN;
    }
    notes.push(`${corpus.language}: ${corpus.source}; ${r.samples} samples from ${Math.min(files, corpus.heldOut.length)} held-out files; ${r.indexed} files indexed`);
  }
  const table1 = markdownTable(['language', 'samples', 'n', 'top-1 ours', 'top-1 words', 'top-5 ours', 'top-5 words', 'MRR ours', 'MRR words'], rows);
  ctx.log('speed: typing into a 5,000-line file with the stdlib indexed');
  const sp = await speed(ctx, ctx.quick ? 60 : 300);
  figures.keystroke_p50 = sp.p50;
  figures.keystroke_p95 = sp.p95;
  figures.keystroke_p99 = sp.p99;
  figures.keystroke_max = sp.max;
  const table2 = markdownTable(['keystrokes', 'files indexed', 'p50', 'p95', 'p99', 'max'], [[String(sp.n), String(sp.indexed), ms(sp.p50), ms(sp.p95), ms(sp.p99), ms(sp.max)]]);
  notes.push(
    `Seed ${SEED}; identifiers of >= 4 characters cut after 2; editor filter = case-insensitive prefix or same-first-character subsequence, then sortText.`,
    'Speed: didChange + completion round trip per keystroke, client side, on the first 5,000 lines of _pydecimal.py with the standard library indexed (site-packages and tests excluded).',
    'Semantic peers (typescript-language-server, pyright) not measured in this module yet.',
    machine(),
  );
  return { title: 'Completion quality and speed', table: `${table1}\n\n${table2}`, notes, figures };
}
