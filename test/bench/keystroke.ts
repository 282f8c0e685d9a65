// Keystroke cost (issue 2): type single-character didChange notifications into
// a large and a mid-size real file open in the built server, and report the
// latency from change to tree updated, beside the cost of a full parse of the
// same file measured in the same run.
//
// Per keystroke, two figures:
//   server   `lastUpdateMs` of `$/cstDebugTree {digest: false}`: what the server
//            spent applying the didChange (text update, tree.edit, incremental
//            reparse); `lastParse` must say 'incremental'.
//   client   didChange sent, then at once the cheap `$/cstDebugTree` request;
//            time until its response (the server handles messages in order).
// and, right after, the same request alone: the JSON-RPC round-trip floor at
// that moment (a baseline interleaved with the samples, for a noisy machine).
//
// The same keystrokes in-process split the server figure in two halves: the
// text update (TextDocument.update, how the server keeps text) and the tree
// update (tree.edit + incremental parse with web-tree-sitter).
//
// Full parse of the same text, server-side (a full-text didChange:
// `lastUpdateMs` then covers the text replacement and a full parse) and
// in-process with web-tree-sitter, taking turns; and didOpen -> tree ready as
// a client sees it (includes sending the text over stdio).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Edit, Language, Parser } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver-protocol';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import type { DebugTreeResult } from '../../server/src/protocol.js';
import { distribution, machine, markdownTable, ms, ratio, int, settle, type Distribution } from './measure.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'keystroke';

const DEBUG_TREE = '$/cstDebugTree';
/** `⌫` in a snippet is a backspace (a one-character deletion). */
const BACKSPACE = '⌫';

interface Subject {
  label: string;
  /** Relative to the repository root. */
  file: string;
  languageId: string;
  /** Lines after which typing happens (the end of the matching line). */
  site: RegExp;
  /** What is typed at a site, character by character, ⌫ deleting one. */
  snippet: string;
}

const SUBJECTS: Subject[] = [
  {
    label: 'lib.dom.d.ts',
    file: 'node_modules/typescript/lib/lib.dom.d.ts',
    languageId: 'typescript',
    site: /^interface \w+ (extends [^{]+ )?\{$/, // a new member at the top of an interface
    snippet: '\n    onKeyx⌫stroke(evnt⌫⌫ent: KeyboardEvent, count: number): void;',
  },
  {
    label: 'zod v4 classic/schemas.ts',
    file: 'node_modules/zod/src/v4/classic/schemas.ts',
    languageId: 'typescript',
    site: /^(export )?function \w+.*\{$/, // a new statement at the top of a function body
    snippet: '\n  const typd⌫⌫ped = params ?? inst._zod.def; // keystrokx⌫e',
  },
];

const SITES = 5;

/**
 * The text with a unique last line. The server caches syntax by content, so a
 * text it has seen before may be served from the cache instead of parsed: a
 * full-parse measurement must send a text it has never seen.
 */
let nonce = 0;
function unseen(text: string): string {
  return `${text}\n// cst-bench ${process.pid} ${Date.now()} ${++nonce}\n`;
}

/** One keystroke: a single-character insertion (possibly a newline) or deletion. */
interface Keystroke {
  range: Range;
  text: string;
}

/** Single-character changes typed at SITES places spread through the text, one snippet per visit. */
function keystrokes(text: string, subject: Subject, count: number, warmup: number): { warm: Keystroke[]; measured: Keystroke[] } {
  const lines = text.split('\n');
  const matches = lines.flatMap((l, i) => (subject.site.test(l) ? [i] : []));
  if (matches.length < SITES + 1) throw new Error(`${subject.file}: only ${matches.length} lines match ${subject.site}`);
  // Warm-up at the first match; measured sites at 10%, 30%, ... 90% of the matches.
  const cursors: Position[] = [matches[0]!, ...Array.from({ length: SITES }, (_, k) => matches[Math.floor(((2 * k + 1) / (2 * SITES)) * matches.length)]!)]
    .map((line) => ({ line, character: lines[line]!.length }));
  const changes: Keystroke[] = [];
  const typeAt = (site: number, n: number) => {
    for (let typed = 0; typed < n; ) {
      for (const ch of subject.snippet) {
        if (typed++ >= n) return;
        const cur = cursors[site]!;
        if (ch === BACKSPACE) {
          changes.push({ range: { start: { line: cur.line, character: cur.character - 1 }, end: { ...cur } }, text: '' });
          cur.character--;
        } else {
          changes.push({ range: { start: { ...cur }, end: { ...cur } }, text: ch });
          if (ch === '\n') {
            for (const other of cursors) if (other.line > cur.line) other.line++;
            cur.line++;
            cur.character = 0;
          } else cur.character++;
        }
      }
    }
  };
  typeAt(0, warmup);
  const warm = changes.splice(0);
  const perVisit = [...subject.snippet].length;
  for (let visit = 0; changes.length < count; visit++) typeAt(1 + (visit % SITES), Math.min(perVisit, count - changes.length));
  return { warm, measured: changes };
}

interface FileResult {
  subject: Subject;
  lines: number;
  chars: number;
  deletions: number;
  server: Distribution;
  client: Distribution;
  floor: Distribution;
  notIncremental: number;
  textInProcess: Distribution;
  treeInProcess: Distribution;
  fullInProcess: Distribution;
  fullServer: Distribution;
  open: Distribution;
  /** The first didOpen of the file: includes loading the grammar on first use and a cold JIT. */
  firstOpenMs: number;
  raw: Record<string, number[]>;
}

async function typescriptParser(): Promise<Parser> {
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = path.join(path.dirname(require.resolve('tree-sitter-typescript/package.json')), 'tree-sitter-typescript.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  return parser;
}

function fullParseInProcess(parser: Parser, text: string): number {
  const t0 = performance.now();
  const tree = parser.parse(text);
  const t = performance.now() - t0;
  if (!tree) throw new Error('in-process parse returned no tree');
  tree.delete();
  return t;
}

/** The keystrokes in-process, timing the text half and the tree half apart (the files have no lone CR: LSP lines are tree-sitter rows). */
function incrementalInProcess(parser: Parser, text: string, warm: Keystroke[], measured: Keystroke[]): { textMs: number[]; treeMs: number[] } {
  let doc = TextDocument.create('file:///bench.ts', 'typescript', 0, text);
  let tree = parser.parse(text)!;
  const textMs: number[] = [];
  const treeMs: number[] = [];
  for (const [i, k] of [...warm, ...measured].entries()) {
    const { start, end } = k.range;
    const startIndex = doc.offsetAt(start);
    const oldEndIndex = doc.offsetAt(end);
    const t0 = performance.now();
    doc = TextDocument.update(doc, [k], i + 1);
    const newText = doc.getText();
    newText.charCodeAt(0); // flat now, so the copy is charged to the text half
    const t1 = performance.now();
    tree.edit(new Edit({
      startIndex,
      oldEndIndex,
      newEndIndex: startIndex + k.text.length,
      startPosition: { row: start.line, column: start.character },
      oldEndPosition: { row: end.line, column: end.character },
      newEndPosition: k.text === '\n' ? { row: start.line + 1, column: 0 } : { row: start.line, column: start.character + k.text.length },
    }));
    const next = parser.parse(newText, tree);
    if (!next) throw new Error('in-process incremental parse returned no tree');
    tree.delete();
    tree = next;
    const t2 = performance.now();
    if (i >= warm.length) {
      textMs.push(t1 - t0);
      treeMs.push(t2 - t1);
    }
  }
  tree.delete();
  return { textMs, treeMs };
}

async function debugTree(server: TestServer, uri: string): Promise<DebugTreeResult> {
  const r = await server.request<DebugTreeResult | null>(DEBUG_TREE, { uri, digest: false });
  if (!r) throw new Error(`${uri} is not open in the server`);
  return r;
}

/** didOpen -> a response saying the tree exists, as a client sees it. */
async function openUntilTree(server: TestServer, uri: string, languageId: string, text: string): Promise<number> {
  const t0 = performance.now();
  server.open(uri, languageId, text, 1);
  for (;;) {
    const r = await debugTree(server, uri);
    if (r.hasTree) return performance.now() - t0;
    if (r.noTreeReason && r.noTreeReason !== 'loading') throw new Error(`${uri}: no tree (${r.noTreeReason})`);
    if (performance.now() - t0 > 60_000) throw new Error(`${uri}: no tree after 60 s`);
    await settle(1);
  }
}

async function benchFile(server: TestServer, subject: Subject, ctx: BenchContext): Promise<FileResult> {
  const text = fs.readFileSync(path.join(repoRoot, subject.file), 'utf8');
  const keys = ctx.quick ? 60 : 500;
  const { warm, measured } = keystrokes(text, subject, keys, ctx.quick ? 10 : 50);
  const deletions = measured.filter((c) => c.text === '').length;
  const fullRuns = ctx.quick ? 2 : 7;
  const uri = fileUri(path.join(os.tmpdir(), 'cst-bench', path.basename(subject.file)));

  ctx.log(`${subject.label}: open (${int(text.length)} chars)`);
  const opened = unseen(text);
  const firstOpenMs = await openUntilTree(server, uri, subject.languageId, opened);

  let version = 1;
  ctx.log(`${subject.label}: ${warm.length} warm-up + ${measured.length} measured keystrokes`);
  for (const change of warm) {
    server.change(uri, ++version, [change]);
    await debugTree(server, uri);
  }
  const serverMs: number[] = [];
  const clientMs: number[] = [];
  const floorMs: number[] = [];
  let notIncremental = 0;
  for (const change of measured) {
    const t0 = performance.now();
    server.change(uri, ++version, [change]);
    const r = await debugTree(server, uri);
    const t1 = performance.now();
    await debugTree(server, uri);
    const t2 = performance.now();
    if (r.version !== version || !r.hasTree) throw new Error(`${subject.label}: after version ${version} the server has version ${r.version}, tree ${r.hasTree}`);
    if (r.lastParse !== 'incremental') notIncremental++;
    serverMs.push(r.lastUpdateMs);
    clientMs.push(t1 - t0);
    floorMs.push(t2 - t1);
  }
  const expectedLength = opened.length + [...warm, ...measured].reduce((n, c) => n + (c.text === '' ? -1 : 1), 0);
  const final = await debugTree(server, uri);
  if (final.textLength !== expectedLength) throw new Error(`${subject.label}: server text has ${final.textLength} chars, expected ${expectedLength}`);

  ctx.log(`${subject.label}: the same keystrokes in-process`);
  const parser = await typescriptParser();
  const { textMs, treeMs } = incrementalInProcess(parser, text, warm, measured);

  // Full parses, server and in-process taking turns so that both see the same machine; 2 warm-up rounds.
  ctx.log(`${subject.label}: ${fullRuns} full parses, server (full-text didChange) and in-process in turn`);
  const fullServerMs: number[] = [];
  const fullInProcessMs: number[] = [];
  for (let i = 0; i < fullRuns + 2; i++) {
    const fresh = unseen(text);
    server.change(uri, ++version, [{ text: fresh }]);
    const r = await debugTree(server, uri);
    if (r.lastParse !== 'full' || !r.hasTree) throw new Error(`${subject.label}: full-text change gave lastParse ${r.lastParse}, tree ${r.hasTree}`);
    const inProcess = fullParseInProcess(parser, fresh);
    if (i >= 2) {
      fullServerMs.push(r.lastUpdateMs);
      fullInProcessMs.push(inProcess);
    }
  }
  parser.delete();
  server.close(uri);

  const opens = ctx.quick ? 1 : 3;
  ctx.log(`${subject.label}: didOpen -> tree ready, ${opens} times`);
  const openMs: number[] = [];
  for (let i = 0; i < opens; i++) {
    const other = `${uri}.open-${i}.ts`;
    openMs.push(await openUntilTree(server, other, subject.languageId, unseen(text)));
    server.close(other);
  }

  return {
    subject,
    lines: text.split('\n').length,
    chars: text.length,
    deletions,
    server: distribution(serverMs),
    client: distribution(clientMs),
    floor: distribution(floorMs),
    notIncremental,
    textInProcess: distribution(textMs),
    treeInProcess: distribution(treeMs),
    fullInProcess: distribution(fullInProcessMs),
    fullServer: distribution(fullServerMs),
    open: distribution(openMs),
    firstOpenMs,
    raw: { serverMs, clientMs, floorMs, textMs, treeMs, fullServerMs, fullInProcessMs, openMs },
  };
}

function report(results: FileResult[], ctx: BenchContext, loadBefore: string): BenchSection {
  const row = (file: string, what: string, d: Distribution) => [file, what, String(d.n), ms(d.p50), ms(d.p95), ms(d.p99), ms(d.max)];
  const rows = results.flatMap((r) => {
    const file = `${r.subject.label} (${int(r.lines)} lines)`;
    return [
      row(file, 'keystroke → tree updated, server (`lastUpdateMs`)', r.server),
      row('', 'keystroke → response, client round trip', r.client),
      row('', 'baseline: `$/cstDebugTree` alone, round trip', r.floor),
      row('', 'same keystrokes in-process: text update (TextDocument.update)', r.textInProcess),
      row('', 'same keystrokes in-process: tree.edit + incremental parse', r.treeInProcess),
      row('', 'full parse, server (full-text didChange)', r.fullServer),
      row('', 'full parse, in-process web-tree-sitter', r.fullInProcess),
      row('', 'didOpen → tree ready, client', r.open),
    ];
  });
  const goals = results.map((r) => [
    r.subject.label,
    ms(r.server.p99),
    r.server.p99 < 10 ? 'yes' : 'no',
    ratio(r.fullServer.p50 / r.server.p50),
    ratio(r.fullInProcess.p50 / r.server.p50),
    r.fullServer.p50 / r.server.p50 >= 50 ? 'yes' : 'no',
  ]);
  const table = [
    markdownTable(['file', 'measurement (ms)', 'n', 'p50', 'p95', 'p99', 'max'], rows),
    '',
    markdownTable(['file', 'incremental p99, server (ms)', 'p99 < 10 ms', 'full parse ÷ incremental p50 (server full)', '(in-process full)', '≥ 50×'], goals),
  ].join('\n');

  const figures: Record<string, number> = {};
  const raw: Record<string, number[]> = {};
  for (const r of results) {
    const key = path.basename(r.subject.file).replace(/\W+/g, '_');
    for (const [what, d] of Object.entries({ server: r.server, client: r.client, floor: r.floor, inProcessText: r.textInProcess, inProcessTree: r.treeInProcess })) {
      for (const p of ['p50', 'p95', 'p99', 'max'] as const) figures[`${key}.keystroke.${what}.${p}`] = d[p];
    }
    figures[`${key}.full.server.median`] = r.fullServer.p50;
    figures[`${key}.full.inProcess.median`] = r.fullInProcess.p50;
    figures[`${key}.open.median`] = r.open.p50;
    figures[`${key}.open.first`] = r.firstOpenMs;
    figures[`${key}.ratio.fullServerOverIncrementalP50`] = r.fullServer.p50 / r.server.p50;
    figures[`${key}.ratio.fullInProcessOverIncrementalP50`] = r.fullInProcess.p50 / r.server.p50;
    for (const [k, v] of Object.entries(r.raw)) raw[`${key}.${k}`] = v;
  }

  const notes = [
    `Machine: ${machine()} (load average before: ${loadBefore}).`,
    ...results.map(
      (r) =>
        `${r.subject.label}: \`${r.subject.file}\`, ${int(r.lines)} lines, ${int(r.chars)} chars; ${r.server.n} single-character didChange notifications (${r.server.n - r.deletions} insertions incl. newlines, ${r.deletions} deletions) at ${SITES} sites spread through the file (lines matching \`${r.subject.site.source}\`), typing \`${JSON.stringify(r.subject.snippet).slice(1, -1)}\` (⌫ = backspace) at each in turn; after ${ctx.quick ? 10 : 50} unmeasured warm-up keystrokes. ${r.notIncremental === 0 ? 'Every reparse was incremental.' : `${r.notIncremental} reparses were NOT incremental.`}`,
    ),
    'Keystrokes are sent back to back: the next one leaves when the previous round trip and its baseline request are answered, so diagnostics (debounced 200 ms) never run in between.',
    'server: time the server spent in didChange (text update, tree.edit, incremental reparse), read from `$/cstDebugTree {digest: false}`. client: didChange then `$/cstDebugTree` sent together, until the response; it includes the JSON-RPC round trip over stdio, whose floor is the baseline row, measured right after each keystroke.',
    'In-process rows: the same warm-up and measured keystrokes replayed in the benchmark process, split in the two halves of the server\'s work: the text update as the server does it (vscode-languageserver-textdocument\'s TextDocument.update; with one string per document, every keystroke copies the whole text) and the tree update (tree.edit + `parser.parse(text, oldTree)`, web-tree-sitter 0.27, no progress callback).',
    `Full parse: server = a full-text didChange of the original text plus a unique comment line, so that the server's content-keyed cache cannot serve it (\`lastParse\` = full; \`lastUpdateMs\` then covers the text replacement, deleting the old tree and the parse); in-process = \`Parser.parse(text)\` with web-tree-sitter 0.27 and tree-sitter-typescript.wasm in the benchmark process, without the server's progress callback. The two take turns, after 2 unmeasured rounds. didOpen → tree ready: fresh URIs and unseen texts, after the first open (${results.map((r) => `${r.subject.label} ${ms(r.firstOpenMs)} ms`).join(', ')}, which includes loading the grammar); it includes sending the text over stdio.`,
    'Percentiles are nearest-rank over the samples; the full-parse p50 is the median. The machine is shared: compare ratios within one run, not absolute figures across runs.',
  ];
  return { title: 'Keystroke cost (incremental reparse)', table, notes, figures, raw };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bench-cache-'));
  // A generous parse limit so a loaded machine measures a slow parse instead of a refusal.
  const server = await startServer({ env: { CST_CACHE_DIR: cacheDir, CST_PARSE_TIMEOUT_MS: '60000' } });
  try {
    const results: FileResult[] = [];
    for (const subject of SUBJECTS) results.push(await benchFile(server, subject, ctx));
    return report(results, ctx, loadBefore);
  } finally {
    await server.stop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}
