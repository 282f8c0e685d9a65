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
// infinity: 0 for MRR). An item's textEdit is honoured as an editor does: the
// text the editor filters on runs from the edit range's start to the cursor
// (normally the 2 typed characters), and the item is the true identifier when
// applying its edit (newText, else insertText, else label; snippet syntax
// removed) yields the identifier. Ties in sortText are ordered by label.
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
// Semantic peers, same samples, same run: typescript-language-server for
// TypeScript and JavaScript, pyright for Python (completion-peers.ts: one
// process per corpus rooted at the corpus root, the held-out file opened at
// its real path, the same didChanges and position, a timeout per request
// counted as a miss). Their lists are ranked by the same code as ours. Both
// peers leave fuzzy ranking to the client (typescript-language-server sends
// the whole scope with a few sortText classes, pyright a prefix-filtered list
// with category sortTexts), so a second ordering, prefix matches before
// subsequence-only matches (closer to VS Code's fuzzy score), is computed for
// ours and the peer and reported beside. isIncomplete only tells the client to
// ask again on the next keystroke; each sample asks once at its position, so
// the list is ranked as it came (how many were marked incomplete is noted).
// CST_BENCH_PEER_MISSES=1 logs the peer's misses (rank > 5) to stderr;
// CST_BENCH_NO_PEERS=1 leaves the peers out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { CompletionList } from 'vscode-languageserver-protocol';
import { add, baselineRank, cutDoc, empty, lineOf, pct, rankIn, type Score } from './completion-rank.js';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';
import { distribution, machine, markdownTable, ms } from './measure.js';
import { PeerSession, type PeerKind } from './completion-peers.js';
import type { BenchContext, BenchSection } from './run.js';
import { speed, STD_EXCLUDES, waitIndexed, waitTree } from './completion-speed.js';

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
  peer: PeerKind;
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
      peer: 'pyright',
    },
    {
      language: 'typescript',
      languageId: 'typescript',
      wasm: path.join(nm, 'tree-sitter-typescript/tree-sitter-typescript.wasm'),
      root: path.join(nm, 'zod/src'),
      heldOut: ['v4/core/schemas.ts', 'v4/classic/schemas.ts', 'v3/types.ts', 'v4/core/regexes.ts', 'v4/core/util.ts', 'v4/core/api.ts', 'v4/core/to-json-schema.ts', 'v3/ZodError.ts'],
      identifierTypes: ['identifier', 'property_identifier', 'type_identifier', 'shorthand_property_identifier'],
      source: 'zod sources (node_modules/zod/src)',
      peer: 'typescript',
    },
    {
      language: 'javascript',
      languageId: 'javascript',
      wasm: path.join(nm, 'tree-sitter-javascript/tree-sitter-javascript.wasm'),
      root: path.join(nm, 'pino'),
      heldOut: ['pino.js', 'lib/proto.js', 'lib/tools.js', 'lib/transport.js', 'lib/levels.js', 'lib/multistream.js', 'browser.js'],
      identifierTypes: ['identifier', 'property_identifier', 'shorthand_property_identifier'],
      source: 'pino (node_modules/pino)',
      peer: 'typescript',
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


interface Quality {
  ours: Score;
  base: Score;
  oursFar: Score;
  baseFar: Score;
  /** Same samples, prefix matches first (see the header). */
  oursPf: Score;
  oursPfFar: Score;
  /** The peer, on the samples it was asked (all of them unless it died or its budget ran out). */
  peer: Score;
  peerFar: Score;
  peerPf: Score;
  peerPfFar: Score;
  /** Ours on the samples the peer was asked (equal to ours unless some were not run). */
  oursAsked: Score;
  peerLabel: string;
  peerTimeouts: number;
  peerErrors: number;
  peerSkipped: number;
  peerIncomplete: number;
  peerMs: number[];
  indexed: number;
  samples: number;
}

interface PeerOptions {
  /** Held-out files (the first ones) whose samples the peer is asked. */
  files: number;
  requestMs: number;
  warmupMs: number;
  budgetMs: number;
}

async function quality(ctx: BenchContext, corpus: Corpus, perFile: number, files: number, peerOptions: PeerOptions | null): Promise<Quality> {
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
  const r: Quality = {
    ours: empty(), base: empty(), oursFar: empty(), baseFar: empty(), oursPf: empty(), oursPfFar: empty(),
    peer: empty(), peerFar: empty(), peerPf: empty(), peerPfFar: empty(), oursAsked: empty(),
    peerLabel: '', peerTimeouts: 0, peerErrors: 0, peerSkipped: 0, peerIncomplete: 0, peerMs: [], indexed: 0, samples: 0,
  };
  let peer: PeerSession | undefined;
  try {
    const t0 = performance.now();
    await waitIndexed(server, 600_000);
    ctx.log(`${corpus.language}: workspace indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const stats = await server.request<{ documents?: { indexed?: number } }>('$/cstStats', {});
    r.indexed = stats.documents?.indexed ?? 0;
    if (peerOptions) {
      // Started after our indexing, so that the two do not share the CPU.
      peer = await PeerSession.start(corpus.peer, corpus.root, { ...peerOptions, log: ctx.log });
      r.peerLabel = peer.label;
    }
    const rand = mulberry32(SEED);
    const heldDir = path.join(os.tmpdir(), 'cst-bench-completion-heldout');
    let version = 1;
    for (const [fileIndex, rel] of held.entries()) {
      const text = fs.readFileSync(path.join(corpus.root, rel), 'utf8');
      const samples = pickSamples(parser, corpus, rel, text, perFile, rand);
      const uri = fileUri(path.join(heldDir, corpus.language, rel));
      server.open(uri, corpus.languageId, text, version++);
      await waitTree(server, uri);
      const peerHere = peer && peerOptions && fileIndex < peerOptions.files ? peer : undefined;
      const peerUri = fileUri(path.join(corpus.root, rel));
      if (peerHere) await peerHere.open(peerUri, corpus.languageId, text);
      const t1 = performance.now();
      for (const [i, s] of samples.entries()) {
        const c = cutDoc(text, s.start, s.end, s.word);
        const line = lineOf(text, c.cursor);
        const character = c.cursor - (text.lastIndexOf('\n', c.cursor - 1) + 1);
        const position = { line, character };
        const range = { start: position, end: { line, character: character + (s.end - s.start - 2) } };
        const restore = { range: { start: position, end: position }, text: text.slice(c.cursor, s.end) };
        server.change(uri, version++, [{ range, text: '' }]);
        const list = await server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 1 } });
        server.change(uri, version++, [restore]);
        const ours = rankIn(list.items, c);
        const base = baselineRank(c.text, c.cursor, s.word.slice(0, 2), s.word);
        add(r.ours, ours);
        add(r.base, base);
        add(r.oursPf, rankIn(list.items, c, true));
        if (s.far) {
          add(r.oursFar, ours);
          add(r.baseFar, base);
          add(r.oursPfFar, rankIn(list.items, c, true));
        }
        if (peerHere) {
          await peerHere.change(peerUri, [{ range, text: '' }]);
          if (i === 0) await peerHere.warmup(peerUri, position);
          const a = await peerHere.complete(peerUri, position);
          await peerHere.change(peerUri, [restore]);
          if (a.kind !== 'skipped') {
            const items = a.kind === 'items' ? a.items : [];
            const pr = rankIn(items, c);
            if (process.env.CST_BENCH_PEER_MISSES && pr > 5) ctx.log(`MISS ${rel}:${line + 1} ${JSON.stringify(c.text.slice(c.lineStarts[line], c.lineStarts[line + 1]).trim())} word=${s.word} rank=${pr} ${a.kind} n=${items.length} present=${JSON.stringify(items.filter((it) => it.label.includes(s.word)).slice(0, 3))}`);
            const pf = rankIn(items, c, true);
            add(r.peer, pr);
            add(r.oursAsked, ours);
            add(r.peerPf, pf);
            if (s.far) {
              add(r.peerFar, pr);
              add(r.peerPfFar, pf);
            }
          }
        }
        r.samples++;
      }
      server.close(uri);
      if (peerHere) {
        await peerHere.close(peerUri);
        ctx.log(`${corpus.language}: ${rel}: ${samples.length} samples in ${((performance.now() - t1) / 1000).toFixed(1)} s (with ${corpus.peer})`);
      }
    }
  } finally {
    if (peer) {
      r.peerTimeouts = peer.timeouts;
      r.peerErrors = peer.errors;
      r.peerSkipped = peer.skipped;
      r.peerIncomplete = peer.incomplete;
      r.peerMs = peer.times;
      await peer.stop();
    }
    await server.stop();
    parser.delete();
  }
  return r;
}

const fixed = (x: number, n: number): string => (n ? x.toFixed(3) : '—');

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const perFile = ctx.quick ? 8 : 40;
  const files = ctx.quick ? 3 : 8;
  // The peer is asked every sample of a full run, the first file's in --quick.
  const peerOptions: PeerOptions | null = process.env.CST_BENCH_NO_PEERS
    ? null
    : { files: ctx.quick ? 1 : files, requestMs: 10_000, warmupMs: 120_000, budgetMs: ctx.quick ? 120_000 : 900_000 };
  const rows: string[][] = [];
  const peerRows: string[][] = [];
  const figures: Record<string, number> = {};
  const notes: string[] = [];
  for (const corpus of corpora()) {
    if (!fs.existsSync(corpus.root)) {
      notes.push(`${corpus.language}: ${corpus.root} missing; skipped`);
      continue;
    }
    ctx.log(`${corpus.language}: ${corpus.source}`);
    const r = await quality(ctx, corpus, perFile, files, peerOptions);
    const row = (label: string, s: Score, b: Score, p: Score) => [
      corpus.language, label, String(s.n),
      pct(s.top1, s.n), pct(b.top1, b.n), pct(p.top1, p.n),
      pct(s.top5, s.n), pct(b.top5, b.n), pct(p.top5, p.n),
      fixed(s.rr / s.n, s.n), fixed(b.rr / b.n, b.n), fixed(p.rr / p.n, p.n),
      String(p.n),
    ];
    rows.push(row('all', r.ours, r.base, r.peer), row(`far (>${FAR_LINES} lines)`, r.oursFar, r.baseFar, r.peerFar));
    const scores = [['all', r.ours], ['far', r.oursFar], ['baseline_all', r.base], ['baseline_far', r.baseFar], ['peer_all', r.peer], ['peer_far', r.peerFar], ['prefixfirst_all', r.oursPf], ['prefixfirst_far', r.oursPfFar], ['peer_prefixfirst_all', r.peerPf], ['peer_prefixfirst_far', r.peerPfFar], ['asked', r.oursAsked]] as const;
    for (const [k, s] of scores) {
      figures[`${corpus.language}_${k}_top1_pct`] = s.n ? (100 * s.top1) / s.n : NaN;
      figures[`${corpus.language}_${k}_top5_pct`] = s.n ? (100 * s.top5) / s.n : NaN;
      figures[`${corpus.language}_${k}_mrr`] = s.n ? s.rr / s.n : NaN;
      figures[`${corpus.language}_${k}_n`] = s.n;
    }
    if (peerOptions) {
      const d = distribution(r.peerMs);
      figures[`${corpus.language}_peer_timeouts`] = r.peerTimeouts;
      figures[`${corpus.language}_peer_errors`] = r.peerErrors;
      figures[`${corpus.language}_peer_not_run`] = r.peerSkipped;
      figures[`${corpus.language}_peer_p50`] = d.p50;
      figures[`${corpus.language}_peer_p99`] = d.p99;
      peerRows.push([
        corpus.language, r.peerLabel || 'did not start', String(r.peer.n),
        String(r.peerTimeouts), String(r.peerErrors), String(r.peerSkipped), String(r.peerIncomplete),
        `${pct(r.oursAsked.top5, r.oursAsked.n)} / ${pct(r.peer.top5, r.peer.n)}`,
        r.peerMs.length ? `${ms(d.p50)} / ${ms(d.p99)}` : '—',
        `${pct(r.oursPf.top5, r.oursPf.n)} / ${pct(r.peerPf.top5, r.peerPf.n)}`,
        `${pct(r.oursPfFar.top5, r.oursPfFar.n)} / ${pct(r.peerPfFar.top5, r.peerPfFar.n)}`,
      ]);
    }
    notes.push(`${corpus.language}: ${corpus.source}; ${r.samples} samples from ${Math.min(files, corpus.heldOut.length)} held-out files; ${r.indexed} files indexed`);
  }
  const table1 = markdownTable(['language', 'samples', 'n', 'top-1 ours', 'top-1 words', 'top-1 peer', 'top-5 ours', 'top-5 words', 'top-5 peer', 'MRR ours', 'MRR words', 'MRR peer', 'n peer'], rows);
  const tablePeers = peerRows.length
    ? markdownTable(['language', 'peer', 'samples asked', 'timeouts (10 s)', 'errors', 'not run', 'lists marked incomplete', 'top-5 on the samples asked, ours / peer', 'peer completion p50 / p99 ms', 'top-5 prefix first, ours / peer', 'far top-5 prefix first, ours / peer'], peerRows)
    : '';
  ctx.log('speed: typing into a 5,000-line file with the stdlib indexed');
  const sp = await speed(ctx, ctx.quick ? 60 : 300);
  figures.keystroke_p50 = sp.p50;
  figures.keystroke_p95 = sp.p95;
  figures.keystroke_p99 = sp.p99;
  figures.keystroke_max = sp.max;
  const table2 = markdownTable(['keystrokes', 'files indexed', 'p50', 'p95', 'p99', 'max'], [[String(sp.n), String(sp.indexed), ms(sp.p50), ms(sp.p95), ms(sp.p99), ms(sp.max)]]);
  notes.push(
    `Seed ${SEED}; identifiers of >= 4 characters cut after 2; editor filter = case-insensitive prefix or same-first-character subsequence on filterText (else label) from the textEdit's start to the cursor, then sortText (else label), then label.`,
    peerOptions
      ? `Peers (typescript-language-server for TypeScript and JavaScript, pyright for Python; npm installs in a temp folder, CST_BENCH_PEERS_DIR to choose it): one process per corpus rooted at the corpus root, the held-out file opened at its real path with the same didChanges and completion position as ours; the first request in each file is an unscored warm-up (project load); each scored request times out after ${peerOptions.requestMs / 1000} s (a miss); ${ctx.quick ? 'in --quick only the first file is asked; ' : ''}a peer budget of ${peerOptions.budgetMs / 60_000} min per corpus ("not run" counts the samples left when it ran out). "prefix first" orders prefix matches before subsequence-only matches (closer to VS Code's fuzzy score) for both servers. CST_BENCH_NO_PEERS=1 leaves the peers out.`
      : 'Peers left out (CST_BENCH_NO_PEERS set).',
    'Speed: didChange + completion round trip per keystroke, client side, on the first 5,000 lines of _pydecimal.py with the standard library indexed (site-packages and tests excluded).',
    machine(),
  );
  return { title: 'Completion quality and speed', table: [table1, tablePeers, table2].filter(Boolean).join('\n\n'), notes, figures };
}
