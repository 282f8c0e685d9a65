// Workspace indexing benchmarks (issue 4), on the Python standard library of
// the python3 on PATH, through the built server:
//
//   (a) cold indexing (a fresh CST_CACHE_DIR): files/s and MB/s from the
//       `initialized` notification to the `$/progress` end, with the default
//       workers (cores - 1, plus one low-priority background worker) and
//       without the low-priority one (CST_BACKGROUND_WORKERS=0), beside a
//       single-threaded loop of raw web-tree-sitter parses of the same files
//       (read + parse, in this process), taking turns in the same run;
//   (b) warm restart: a second server on the cache dir of a cold run indexes
//       the same files from the frozen tier (the log must say 0 parsed);
//   (c) documentSymbol latency (first request after didOpen, repeated
//       requests, after an edit) on a few real files, and workspace/symbol
//       latency over realistic queries on the indexed library.
//
// Two file sets, both `*.py` only, listed by the server's own walker
// (server/dist/workspace/walker.js) with the settings the server gets, so the
// raw loop parses exactly the files the server indexes:
//   proper   the stdlib proper: site-packages, test/tests folders, idlelib
//            and lib2to3 excluded (CST_INDEX_EXCLUDE);
//   whole    everything but site-packages (the issue's "about 1,800 files"):
//            one cold run, a raw loop, and the workspace/symbol latency goal.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';
import type { CstStats, Health } from '../../server/src/protocol.js';
import type { BenchContext, BenchSection } from './run.js';
import { distribution, int, markdownTable, median, ms, ratio, settle } from './measure.js';

export const name = 'indexing';

const MB = 1048576;

interface FileSet {
  id: 'proper' | 'whole';
  label: string;
  exclude: string;
  include: string;
}

const SETS: Record<FileSet['id'], FileSet> = {
  proper: {
    id: 'proper',
    label: 'stdlib proper',
    exclude: 'site-packages/**,**/test/**,**/tests/**,idlelib/**,lib2to3/**',
    include: '**/*.py',
  },
  whole: { id: 'whole', label: 'whole stdlib', exclude: 'site-packages/**', include: '**/*.py' },
};

interface Listed {
  files: { path: string; size: number }[];
  bytes: number;
}

/** The files the server will index: its own walker (built), the server's default limits and the set's globs. */
async function listFiles(root: string, set: FileSet): Promise<Listed> {
  const { Walker } = (await import(path.join(repoRoot, 'server/dist/workspace/walker.js'))) as typeof import('../../server/src/workspace/walker.js');
  const { GrammarRegistry } = (await import(path.join(repoRoot, 'server/dist/syntax/grammars.js'))) as typeof import('../../server/src/syntax/grammars.js');
  const { defaultSettings } = (await import(path.join(repoRoot, 'server/dist/config.js'))) as typeof import('../../server/src/config.js');
  const d = defaultSettings();
  const walker = new Walker({
    roots: [root],
    registry: GrammarRegistry.fromDisk(),
    include: set.include.split(','),
    exclude: set.exclude.split(','),
    maxFiles: d.index.maxFiles,
    maxFileBytes: d.index.maxFileBytes,
  });
  const files: Listed['files'] = [];
  for await (const f of walker.files()) files.push({ path: f.path, size: f.size });
  return { files, bytes: files.reduce((n, f) => n + f.size, 0) };
}

/** Read + parse every file once with web-tree-sitter in this process, one thread. */
async function rawParse(parser: Parser, files: Listed['files']): Promise<{ ms: number; nodes: number }> {
  const t0 = performance.now();
  let nodes = 0;
  for (const f of files) {
    const text = fs.readFileSync(f.path, 'utf8');
    const tree = parser.parse(text);
    if (!tree) throw new Error(`no tree for ${f.path}`);
    nodes += tree.rootNode.descendantCount;
    tree.delete();
  }
  return { ms: performance.now() - t0, nodes };
}

interface IndexLog {
  files: number;
  parsed: number;
  fromCache: number;
  bytes: number;
  ms: number;
  parseMs: number;
  skipped: Record<string, number>;
}

interface IndexRun {
  /** `initialized` sent -> `$/progress` end received. */
  wallMs: number;
  log: IndexLog;
  server: TestServer;
}

function indexLog(s: TestServer): IndexLog | undefined {
  for (const line of s.stderr().split('\n')) {
    if (!line.includes('"workspace indexed"')) continue;
    try {
      return JSON.parse(line) as IndexLog;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Start a server on the stdlib with this cache dir and worker count; resolve when indexing has ended. Leaves the server running. */
async function indexOnce(root: string, set: FileSet, cacheDir: string, env: Record<string, string | undefined> = {}): Promise<IndexRun> {
  const server = await startServer({
    rootUri: fileUri(root),
    workspaceFolders: [{ uri: fileUri(root), name: 'stdlib' }],
    capabilities: {
      textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
      window: { workDoneProgress: true },
    },
    env: {
      CST_CACHE_DIR: cacheDir,
      CST_LOG_LEVEL: 'info',
      CST_INDEX_EXCLUDE: set.exclude,
      CST_INDEX_INCLUDE: set.include,
      ...env,
    },
  });
  // startServer resolves right after sending `initialized`: indexing starts there.
  const t0 = performance.now();
  const deadline = Date.now() + 600_000;
  while (!server.progress.some((p) => p.value.kind === 'end')) {
    if (Date.now() > deadline) throw new Error('indexing did not end within 10 minutes');
    await new Promise((r) => setTimeout(r, 5));
  }
  const wallMs = performance.now() - t0;
  let log: IndexLog | undefined;
  for (let i = 0; i < 100 && !(log = indexLog(server)); i++) await settle(20);
  if (!log) throw new Error(`no "workspace indexed" line in the server log:\n${server.stderr().slice(-2000)}`);
  return { wallMs, log, server };
}

function q(s: TestServer, query: string): Promise<unknown[]> {
  return s.request<unknown[]>('workspace/symbol', { query });
}

/** workspace/symbol queries by kind, all realistic for the standard library. */
const QUERIES: Record<string, string[]> = {
  exact: ['ArgumentParser', 'OrderedDict', 'urlopen', 'getLogger', 'namedtuple', 'TextIOWrapper', 'dumps', 'Path'],
  prefix: ['Argument', 'get', 'Ordered', 'url', 'read', 'Thread', 'json', 'Http'],
  'camelCase initials': ['AP', 'OD', 'TIOW', 'SHRH', 'gL', 'HTTPC'],
  'snake_case initials': ['gcv', 'gts', 'ma', 'sfn', 'iaf'],
  subsequence: ['prsr', 'dctnry', 'tmpfl', 'encdr', 'lggr', 'sckt'],
  'one letter': ['a', 'x', 'Z', '_'],
  'two letters': ['os', 're', 'io', 'ab', 'ge'],
  'typing ArgumentParser': Array.from('ArgumentParser', (_, i) => 'ArgumentParser'.slice(0, i + 1)),
};

interface Latency {
  rows: string[][];
  figures: Record<string, number>;
  raw: Record<string, number[]>;
}

async function workspaceSymbolLatency(s: TestServer, label: string, repeats: number): Promise<Latency> {
  const samples: Record<string, number[]> = {};
  const counts: Record<string, number[]> = {};
  for (const [kind, list] of Object.entries(QUERIES)) {
    samples[kind] = [];
    counts[kind] = [];
    for (const query of list) await q(s, query); // warm-up, unmeasured
  }
  // Round-robin over every query, `repeats` times: noise spreads over all kinds.
  for (let r = 0; r < repeats; r++) {
    for (const [kind, list] of Object.entries(QUERIES)) {
      for (const query of list) {
        const t0 = performance.now();
        const res = await q(s, query);
        samples[kind]!.push(performance.now() - t0);
        if (r === 0) counts[kind]!.push(res.length);
      }
    }
  }
  const all = Object.values(samples).flat();
  const rows = Object.entries(samples).map(([kind, xs]) => {
    const d = distribution(xs);
    return [label, kind, QUERIES[kind]!.map((x) => `\`${x}\``).join(' '), `${Math.round(median(counts[kind]!))}`, ms(d.p50), ms(d.p99), ms(d.max)];
  });
  const d = distribution(all);
  rows.push([label, '**all**', `${all.length} requests`, '', `**${ms(d.p50)}**`, `**${ms(d.p99)}**`, ms(d.max)]);
  return { rows, figures: { [`${label}WorkspaceSymbolP50`]: d.p50, [`${label}WorkspaceSymbolP99`]: d.p99 }, raw: { [`${label}WorkspaceSymbol`]: all } };
}

const OUTLINE_FILES = ['typing.py', 'argparse.py', 'os.py', 'json/decoder.py', 'email/message.py', 'asyncio/base_events.py', '_pydecimal.py'];

async function documentSymbolLatency(s: TestServer, stdlib: string, repeats: number): Promise<Latency> {
  const rows: string[][] = [];
  const first: number[] = [];
  const again: number[] = [];
  const edited: number[] = [];
  for (const rel of OUTLINE_FILES) {
    const p = path.join(stdlib, rel);
    if (!fs.existsSync(p)) continue;
    const text = fs.readFileSync(p, 'utf8');
    const uri = fileUri(p);
    const request = () => s.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    let t0 = performance.now();
    s.open(uri, 'python', text);
    const top = await request();
    const firstMs = performance.now() - t0;
    first.push(firstMs);
    const mine: number[] = [];
    for (let i = 0; i < repeats; i++) {
      t0 = performance.now();
      await request();
      mine.push(performance.now() - t0);
    }
    again.push(...mine);
    // An edit then the outline: a space appended to the first line, then removed.
    const line0 = text.split(/\r?\n/, 1)[0]!.length;
    const afterEdit: number[] = [];
    let version = 1;
    for (let i = 0; i < repeats; i++) {
      const change = i % 2 === 0 ? { range: { start: { line: 0, character: line0 }, end: { line: 0, character: line0 } }, text: ' ' } : { range: { start: { line: 0, character: line0 }, end: { line: 0, character: line0 + 1 } }, text: '' };
      t0 = performance.now();
      s.change(uri, ++version, [change]);
      await request();
      afterEdit.push(performance.now() - t0);
    }
    edited.push(...afterEdit);
    s.close(uri);
    const a = distribution(mine);
    const e = distribution(afterEdit);
    rows.push([`\`${rel}\``, `${Math.round(text.length / 1024)} KB`, String(top.length), ms(firstMs), ms(a.p50), ms(a.p99), ms(e.p50), ms(e.p99)]);
  }
  const a = distribution(again);
  const e = distribution(edited);
  rows.push(['**all**', '', '', `${ms(median(first))} (median)`, `**${ms(a.p50)}**`, `**${ms(a.p99)}**`, `**${ms(e.p50)}**`, `**${ms(e.p99)}**`]);
  return {
    rows,
    figures: { documentSymbolFirstMedianMs: median(first), documentSymbolP50: a.p50, documentSymbolP99: a.p99, documentSymbolAfterEditP50: e.p50, documentSymbolAfterEditP99: e.p99 },
    raw: { documentSymbolFirst: first, documentSymbol: again, documentSymbolAfterEdit: edited },
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const stdlib = pythonStdlib();
  const pyVersion = path.basename(stdlib);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const defaultWorkers = Math.max(1, cores - 1);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bench-indexing-'));
  const figures: Record<string, number> = {};
  const raw: Record<string, number[]> = {};
  const notes: string[] = [];
  const tables: string[] = [];
  const running: TestServer[] = [];
  let cacheSeq = 0;
  const freshCache = () => path.join(tmp, `cache-${++cacheSeq}`);
  try {
    await Parser.init();
    const { GrammarRegistry } = (await import(path.join(repoRoot, 'server/dist/syntax/grammars.js'))) as typeof import('../../server/src/syntax/grammars.js');
    const registry = GrammarRegistry.fromDisk();
    const pySpec = registry.spec('python')!;
    const parser = new Parser();
    parser.setLanguage(await Language.load(registry.wasmPath(pySpec)));

    const proper = await listFiles(stdlib, SETS.proper);
    const whole = ctx.quick ? undefined : await listFiles(stdlib, SETS.whole);
    ctx.log(`proper: ${proper.files.length} files, ${(proper.bytes / MB).toFixed(1)} MB${whole ? `; whole: ${whole.files.length} files, ${(whole.bytes / MB).toFixed(1)} MB` : ''}`);
    // Unmeasured: the page cache holds every file, the grammar is compiled.
    await rawParse(parser, proper.files);

    // (a) + (b): raw loop, cold default, warm restart, cold with 2 workers; in turns.
    const reps = ctx.quick ? 1 : 3;
    const rawMs: number[] = [];
    const coldDefault: IndexRun['log'][] = [];
    const coldDefaultMs: number[] = [];
    const cold2Ms: number[] = [];
    const cold2Logs: IndexRun['log'][] = [];
    const warmMs: number[] = [];
    const warmLogs: IndexRun['log'][] = [];
    let lastCache = '';
    for (let r = 0; r < reps; r++) {
      ctx.log(`round ${r + 1}/${reps}: raw web-tree-sitter loop`);
      rawMs.push((await rawParse(parser, proper.files)).ms);

      ctx.log(`round ${r + 1}/${reps}: cold index, default workers (${defaultWorkers} + 1 low-priority)`);
      const cache = freshCache();
      const c = await indexOnce(stdlib, SETS.proper, cache);
      coldDefaultMs.push(c.wallMs);
      coldDefault.push(c.log);
      await c.server.stop();

      ctx.log(`round ${r + 1}/${reps}: warm restart on the same cache dir`);
      const w = await indexOnce(stdlib, SETS.proper, cache);
      warmMs.push(w.wallMs);
      warmLogs.push(w.log);
      await w.server.stop();
      lastCache = cache;

      ctx.log(`round ${r + 1}/${reps}: cold index, CST_BACKGROUND_WORKERS=0`);
      const c2 = await indexOnce(stdlib, SETS.proper, freshCache(), { CST_BACKGROUND_WORKERS: '0' });
      cold2Ms.push(c2.wallMs);
      cold2Logs.push(c2.log);
      await c2.server.stop();
    }

    const n = proper.files.length;
    const mbytes = proper.bytes / MB;
    const rawMed = median(rawMs);
    const coldMed = median(coldDefaultMs);
    const cold2Med = median(cold2Ms);
    const warmMed = median(warmMs);
    const rate = (msv: number) => [`${int(Math.round(n / (msv / 1000)))}`, (mbytes / (msv / 1000)).toFixed(2)];
    const range = (xs: number[]) => (xs.length > 1 ? `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}` : '');
    const rowsA: string[][] = [
      ['raw web-tree-sitter, 1 thread, in-process (read + parse)', `${ms(rawMed)} ms`, range(rawMs), ...rate(rawMed), '1.0×', '—'],
      [`server cold, default workers (cores − 1 = ${defaultWorkers}, + 1 low-priority)`, `${ms(coldMed)} ms`, range(coldDefaultMs), ...rate(coldMed), `**${ratio(rawMed / coldMed)}**`, `${median(coldDefault.map((l) => l.parsed))} parsed`],
      [`server cold, CST_BACKGROUND_WORKERS=0 (${defaultWorkers} worker${defaultWorkers === 1 ? '' : 's'} only)`, `${ms(cold2Med)} ms`, range(cold2Ms), ...rate(cold2Med), `**${ratio(rawMed / cold2Med)}**`, `${median(cold2Logs.map((l) => l.parsed))} parsed`],
      [`server warm restart (same cache dir, default workers)`, `${ms(warmMed)} ms`, range(warmMs), ...rate(warmMed), ratio(rawMed / warmMed), `${Math.max(...warmLogs.map((l) => l.parsed))} parsed, ${median(warmLogs.map((l) => l.fromCache))} from cache; **${ratio(coldMed / warmMed)} faster than cold**`],
    ];
    // Per-round ratios (same round = same machine load), beside the ratio of medians.
    const perRound = (xs: number[]) => xs.map((x, i) => rawMs[i]! / x);
    figures.files = n;
    figures.mb = mbytes;
    figures.rawMs = rawMed;
    figures.rawFilesPerSec = n / (rawMed / 1000);
    figures.coldDefaultMs = coldMed;
    figures.coldDefaultFilesPerSec = n / (coldMed / 1000);
    figures.coldDefaultMBPerSec = mbytes / (coldMed / 1000);
    figures.coldDefaultVsRaw = rawMed / coldMed;
    figures.coldDefaultVsRawPerRoundMedian = median(perRound(coldDefaultMs));
    figures.cold2Ms = cold2Med;
    figures.cold2FilesPerSec = n / (cold2Med / 1000);
    figures.cold2MBPerSec = mbytes / (cold2Med / 1000);
    figures.cold2VsRaw = rawMed / cold2Med;
    figures.cold2VsRawPerRoundMedian = median(perRound(cold2Ms));
    figures.warmMs = warmMed;
    figures.warmSpeedup = coldMed / warmMed;
    figures.warmParsed = Math.max(...warmLogs.map((l) => l.parsed));
    figures.defaultWorkers = defaultWorkers;
    figures.workerParseMsCold = median(coldDefault.map((l) => l.parseMs));
    raw.rawMs = rawMs;
    raw.coldDefaultMs = coldDefaultMs;
    raw.cold2Ms = cold2Ms;
    raw.warmMs = warmMs;
    tables.push(
      `**(a)+(b) indexing the ${SETS.proper.label}: ${int(n)} files, ${mbytes.toFixed(1)} MB** (median of ${reps} round${reps > 1 ? 's' : ''}; the rows of a round ran one after another)\n\n` +
        markdownTable(['run', 'time', 'range', 'files/s', 'MB/s', 'vs raw 1-thread', 'notes'], rowsA),
    );
    notes.push(
      `File set "${SETS.proper.label}": \`${stdlib}\` (Python ${pyVersion.replace('python', '')}), CST_INDEX_INCLUDE=\`${SETS.proper.include}\`, CST_INDEX_EXCLUDE=\`${SETS.proper.exclude}\` (plus the server's default excludes, e.g. __pycache__): ${int(n)} files, ${int(proper.bytes)} bytes, as listed by the server's own walker; the server's log agrees (${coldDefault[0]!.files} files indexed, ${int(coldDefault[0]!.bytes)} UTF-16 code units).`,
      `Cold: a fresh CST_CACHE_DIR per run; time from the \`initialized\` notification (indexing starts there) to the \`$/progress\` end notification, so it includes the walk, worker start-up and grammar loading in each worker, reading, content keys, parsing and building the symbol index in workers, and storing entries. Files with the same text (e.g. empty __init__.py) are parsed once (${coldDefault[0]!.fromCache} of them here). "default workers" is what a user gets: CST_MAX_WORKERS unset, cores − 1 = ${defaultWorkers} on this ${cores}-core machine, plus one background-only worker at nice 10 (CST_BACKGROUND_WORKERS=1); the second cold row turns that one off.`,
      `Raw: \`Parser.parse(text)\` with web-tree-sitter ${webTreeSitterVersion()} and tree-sitter-python.wasm, one thread, in the benchmark process, after one unmeasured pass (page cache and grammar warm; the servers read the same files from the same page cache); read + parse + \`tree.delete()\`, no query, no symbols. Ratio = raw time / server time: above 1× the server indexes faster than one thread only parses.`,
      `Per-round ratios (each server run against the raw loop of its own round): default workers ${perRound(coldDefaultMs).map((x) => ratio(x)).join(', ')}; CST_BACKGROUND_WORKERS=0 ${perRound(cold2Ms).map((x) => ratio(x)).join(', ')}. Worker parse time reported by the server for a cold run: ${ms(figures.workerParseMsCold)} ms of ${ms(coldMed)} ms.`,
      `Warm restart: a second server on the cache dir of the cold run just before it, same files: every file comes from the frozen tier by content key (the server's "workspace indexed" log line says parsed = ${figures.warmParsed}).`,
    );

    // (c) on the proper set: one more warm start on the last cold run's cache (not timed).
    const lastWarm = (await indexOnce(stdlib, SETS.proper, lastCache)).server;
    running.push(lastWarm);
    const repeats = ctx.quick ? 3 : 20;
    ctx.log('documentSymbol latency');
    const ds = await documentSymbolLatency(lastWarm!, stdlib, repeats);
    ctx.log(`workspace/symbol latency (${SETS.proper.label})`);
    const wsProper = await workspaceSymbolLatency(lastWarm!, 'proper', ctx.quick ? 2 : 10);
    const properStats = await lastWarm!.request<CstStats>('$/cstStats', {});
    await lastWarm!.stop();
    running.splice(running.indexOf(lastWarm!), 1);
    Object.assign(figures, ds.figures, wsProper.figures);
    Object.assign(raw, ds.raw, wsProper.raw);

    // The whole stdlib (site-packages aside): one raw loop, one cold run, then workspace/symbol latency.
    let wsWhole: Latency | undefined;
    if (whole) {
      ctx.log(`${SETS.whole.label}: raw loop`);
      await rawParse(parser, whole.files);
      const rawWhole = (await rawParse(parser, whole.files)).ms;
      ctx.log(`${SETS.whole.label}: cold index, default workers`);
      const c = await indexOnce(stdlib, SETS.whole, freshCache());
      running.push(c.server);
      const wn = whole.files.length;
      const wmb = whole.bytes / MB;
      tables.push(
        `**indexing the ${SETS.whole.label} (site-packages excluded): ${int(wn)} files, ${wmb.toFixed(1)} MB** (one run each)\n\n` +
          markdownTable(
            ['run', 'time', 'files/s', 'MB/s', 'vs raw 1-thread'],
            [
              ['raw web-tree-sitter, 1 thread, in-process', `${ms(rawWhole)} ms`, int(Math.round(wn / (rawWhole / 1000))), (wmb / (rawWhole / 1000)).toFixed(2), '1.0×'],
              [`server cold, default workers (${defaultWorkers} + 1 low-priority)`, `${ms(c.wallMs)} ms`, int(Math.round(wn / (c.wallMs / 1000))), (wmb / (c.wallMs / 1000)).toFixed(2), ratio(rawWhole / c.wallMs)],
            ],
          ),
      );
      figures.wholeFiles = wn;
      figures.wholeMb = wmb;
      figures.wholeRawMs = rawWhole;
      figures.wholeColdMs = c.wallMs;
      figures.wholeColdVsRaw = rawWhole / c.wallMs;
      ctx.log(`workspace/symbol latency (${SETS.whole.label})`);
      wsWhole = await workspaceSymbolLatency(c.server, 'whole', 10);
      Object.assign(figures, wsWhole.figures);
      Object.assign(raw, wsWhole.raw);
      const h = await c.server.request<Health>('$/health', {});
      notes.push(`File set "${SETS.whole.label}": CST_INDEX_EXCLUDE=\`${SETS.whole.exclude}\`, include \`${SETS.whole.include}\`: ${int(wn)} files (the test suites, idlelib, lib2to3 included); the server indexed ${c.log.files} (${c.log.parsed} parsed; skipped: ${Object.entries(c.log.skipped).filter(([k]) => k !== 'excluded' && k !== 'ignored').map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); $/health index check after indexing: "${h.checks.index}".`);
      await c.server.stop();
      running.splice(running.indexOf(c.server), 1);
    }

    tables.push(
      `**(c) documentSymbol latency**, client-side round trip, ${repeats} requests per file and kind, on a server started on the last cold run's cache dir (index from the frozen tier)\n\n` +
        markdownTable(['file', 'size', 'top-level symbols', 'first (didOpen → outline)', 'again p50', 'again p99', 'after an edit p50', 'after an edit p99'], ds.rows),
    );
    tables.push(
      `**(c) workspace/symbol latency**, client-side round trip, default cap (500 results), each query ${ctx.quick ? 2 : 10} times round-robin after one unmeasured pass\n\n` +
        markdownTable(['index', 'queries', 'examples', 'results (median)', 'p50 ms', 'p99 ms', 'max ms'], [...wsProper.rows, ...(wsWhole?.rows ?? [])]),
    );
    notes.push(
      `documentSymbol: "first" = didOpen sent → first outline received (includes sending the text, the parse and the query); "again" = the same request repeated on the unchanged document; "after an edit" = didChange (a space appended to, then removed from, the first line) sent → the outline received, so it includes the incremental reparse.`,
      `workspace/symbol: the proper index holds ${properStats.documents.indexed} files; the query kinds are exact names, prefixes, camelCase initials (\`TIOW\` → TextIOWrapper), snake_case initials (\`gcv\` → get_config_var), subsequences, one and two letters, and every prefix of \`ArgumentParser\` as typed. Latency includes JSON-RPC over stdio and serializing up to 500 results.`,
    );
  } finally {
    for (const s of running) await s.stop().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return {
    title: 'Workspace indexing and symbols (issue 4)',
    table: tables.join('\n\n'),
    notes,
    figures,
    raw,
  };
}

function webTreeSitterVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/web-tree-sitter/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
