// Outline agreement (issue 4): does our query-driven documentSymbol agree with
// the languages' own semantic servers on real code?
//
//   tsx test/bench/run.ts --only outline-agreement [--quick]
//   tsx test/bench/outline-agreement.ts [--quick] [--misses FILE] [--language ID]...
//       (this module alone; --misses writes every disagreeing triple per file)
//
// Peers, installed from npm into a temp folder (reused between runs):
//   typescript-language-server + typescript@5   TypeScript and JavaScript
//   pyright                                      Python
// Corpus (deterministic samples, so runs compare):
//   typescript  typescript/lib/*.d.ts of the peer install, plus .ts/.d.ts files of
//               installed packages (zod's sources, @types, vscode-languageserver*)
//   javascript  .js/.mjs/.cjs files of installed packages (no minified bundles)
//   python      the standard library of `python3` (sysconfig stdlib path)
//
// Both servers answer textDocument/documentSymbol over real JSON-RPC (ours is
// the built server of this repository). Each outline becomes a multiset of
// (name, kind class, parent name) triples:
//   outline scope  symbols none of whose ancestors is a function-like or
//                  variable-like symbol: top-level declarations and members of
//                  classes, interfaces, enums, structs, namespaces/modules (what
//                  an outline is for; the issue's quality target).
//   all            every symbol, locals and parameters inside functions too
//                  (the peers list them; we do not, by choice: README).
// Kind classes, as the issue defines them: function/method/constructor alike;
// variable/constant/property/field/enum member alike; class/interface/struct/
// enum alike; and here also module/namespace/package alike. Other kinds compare
// as themselves.
//
// agreement = matched / peer triples (matched = sum over triples of the smaller
// count), i.e. how much of what the peer reports we report the same way;
// precision = matched / our triples in the same scope (what we add that the
// peer does not). Goal: agreement >= 95% in the outline scope.
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type DocumentSymbol,
  type ProtocolConnection,
  type SymbolInformation,
} from 'vscode-languageserver-protocol/node.js';
import { repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import type { DebugTreeResult } from '../../server/src/protocol.js';
import { distribution, int, machine, markdownTable, ms } from './measure.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'outline-agreement';

const run$ = promisify(execFile);

const PEER_PACKAGES = ['typescript-language-server@^5', 'typescript@^5', 'pyright@^1'];
const REQUEST_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------- kinds and triples

const K = { File: 1, Module: 2, Namespace: 3, Package: 4, Class: 5, Method: 6, Property: 7, Field: 8, Constructor: 9, Enum: 10, Interface: 11, Function: 12, Variable: 13, Constant: 14, EnumMember: 22, Struct: 23 } as const;
const KIND_NAMES = ['', 'file', 'module', 'namespace', 'package', 'class', 'method', 'property', 'field', 'constructor', 'enum', 'interface', 'function', 'variable', 'constant', 'string', 'number', 'boolean', 'array', 'object', 'key', 'null', 'enum member', 'struct', 'event', 'operator', 'type parameter'];

export function kindClass(kind: number): string {
  switch (kind) {
    case K.Function:
    case K.Method:
    case K.Constructor:
      return 'function';
    case K.Variable:
    case K.Constant:
    case K.Property:
    case K.Field:
    case K.EnumMember:
      return 'variable';
    case K.Class:
    case K.Interface:
    case K.Struct:
    case K.Enum:
      return 'type';
    case K.Module:
    case K.Namespace:
    case K.Package:
      return 'namespace';
    default:
      return KIND_NAMES[kind] ?? `kind${kind}`;
  }
}

/** Kinds whose members are in the outline scope: containers of declarations. */
const CONTAINER_CLASSES = new Set(['type', 'namespace', 'file']);

export interface Triple {
  name: string;
  kind: string;
  parent: string;
  /** In the outline scope (no function-like or variable-like ancestor). */
  outline: boolean;
  /** 1-based line, for reports. */
  line: number;
}

function isDocumentSymbol(s: DocumentSymbol | SymbolInformation): s is DocumentSymbol {
  return 'range' in s && 'selectionRange' in s;
}

/** Flatten an outline (no recursion: outlines can be deep). */
export function triples(symbols: readonly (DocumentSymbol | SymbolInformation)[] | null | undefined): Triple[] {
  const out: Triple[] = [];
  if (!symbols) return out;
  const work: { s: DocumentSymbol | SymbolInformation; parent: string; outline: boolean }[] = symbols.map((s) => ({ s, parent: '', outline: true })).reverse();
  while (work.length > 0) {
    const { s, parent, outline } = work.pop()!;
    const kind = kindClass(s.kind);
    const line = (isDocumentSymbol(s) ? s.selectionRange.start.line : s.location.range.start.line) + 1;
    out.push({ name: s.name, kind, parent: isDocumentSymbol(s) ? parent : (s.containerName ?? ''), outline, line });
    if (isDocumentSymbol(s) && s.children) {
      const childOutline = outline && CONTAINER_CLASSES.has(kind);
      for (let i = s.children.length - 1; i >= 0; i--) work.push({ s: s.children[i]!, parent: s.name, outline: childOutline });
    }
  }
  return out;
}

const key = (t: Triple) => `${t.kind}\u0000${t.parent}\u0000${t.name}`;

export interface Comparison {
  peer: number;
  ours: number;
  matched: number;
  missed: Triple[];
  extra: Triple[];
}

/** Multiset comparison of the triples that pass `filter`. */
export function compare(peer: readonly Triple[], ours: readonly Triple[], filter: (t: Triple) => boolean): Comparison {
  const p = peer.filter(filter);
  const o = ours.filter(filter);
  const counts = new Map<string, Triple[]>();
  for (const t of o) {
    const list = counts.get(key(t));
    if (list) list.push(t);
    else counts.set(key(t), [t]);
  }
  const missed: Triple[] = [];
  let matched = 0;
  for (const t of p) {
    const list = counts.get(key(t));
    if (list && list.length > 0) {
      list.pop();
      matched++;
    } else missed.push(t);
  }
  const extra = [...counts.values()].flat();
  return { peer: p.length, ours: o.length, matched, missed, extra };
}

// ---------------------------------------------------------------- corpus

interface Corpus {
  language: string;
  languageId: string;
  peer: 'typescript' | 'pyright';
  files: string[];
  source: string;
}

function walk(root: string, accept: (file: string) => boolean, out: string[], skipDir: (dir: string) => boolean = () => false): void {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skipDir(p)) stack.push(p);
      } else if (e.isFile() && accept(p)) out.push(p);
    }
  }
}

/** Real code, not generated bundles: a size window and no very long lines. */
function plausibleSource(file: string, minBytes: number, maxBytes: number): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return false;
  }
  if (st.size < minBytes || st.size > maxBytes) return false;
  const text = fs.readFileSync(file, 'utf8');
  let longest = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    longest = Math.max(longest, i - start);
    start = i + 1;
  }
  longest = Math.max(longest, text.length - start);
  return longest <= 500 && !text.includes('\u0000');
}

/** Every k-th file of the sorted list: deterministic and spread over packages. */
function sample(files: string[], n: number): string[] {
  const sorted = [...new Set(files)].sort();
  if (sorted.length <= n) return sorted;
  const out: string[] = [];
  const step = sorted.length / n;
  for (let i = 0; i < n; i++) out.push(sorted[Math.floor(i * step)]!);
  return out;
}

function pythonStdlib(): string {
  return spawnSyncText(process.env.PYTHON ?? 'python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"]).trim();
}

function spawnSyncText(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

function corpora(peersDir: string, quick: boolean): Corpus[] {
  const nm = path.join(repoRoot, 'node_modules');
  const n = (full: number) => (quick ? Math.max(4, Math.round(full / 10)) : full);

  // TypeScript: the compiler's own lib declarations, then package sources.
  const libDir = path.join(peersDir, 'node_modules/typescript/lib');
  const libs = fs.readdirSync(libDir).filter((f) => /^lib\..*\.d\.ts$/.test(f)).map((f) => path.join(libDir, f)).filter((f) => plausibleSource(f, 400, 4_000_000));
  const tsSources: string[] = [];
  for (const pkg of ['zod', '@types', 'vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-jsonrpc', 'vscode-languageserver-types', 'pino', 'vitest', '@vitest']) {
    walk(path.join(nm, pkg), (f) => /\.(ts|mts|cts)$/.test(f) && plausibleSource(f, 300, 400_000), tsSources, (d) => path.basename(d) === 'node_modules');
  }
  const ts = [...sample(libs, n(40)), ...sample(tsSources, n(120))];

  const jsFiles: string[] = [];
  walk(nm, (f) => /\.(js|mjs|cjs)$/.test(f) && !/\.min\./.test(f) && plausibleSource(f, 1000, 300_000), jsFiles, (d) => /[/\\](\.bin|\.cache|typescript|esbuild|@esbuild|rolldown|@rolldown|lightningcss.*|vite|vitest|@vitest|tsx)$/.test(d));
  const js = sample(jsFiles, n(100));

  const stdlib = pythonStdlib();
  const pyFiles: string[] = [];
  walk(stdlib, (f) => f.endsWith('.py') && plausibleSource(f, 300, 400_000), pyFiles, (d) => /site-packages|__pycache__|lib2to3[/\\]tests[/\\]data|test[/\\]bad/.test(d) || /[/\\](idlelib|tkinter[/\\]test)$/.test(d));
  const py = sample(pyFiles, n(160));

  return [
    { language: 'typescript', languageId: 'typescript', peer: 'typescript', files: ts, source: `${libs.length > 0 ? 'typescript/lib/lib.*.d.ts' : ''} + .ts/.d.ts of installed packages (zod, @types, vscode-languageserver*, pino, vitest)` },
    { language: 'javascript', languageId: 'javascript', peer: 'typescript', files: js, source: '.js/.mjs/.cjs of installed packages (no minified bundles)' },
    { language: 'python', languageId: 'python', peer: 'pyright', files: py, source: `Python ${pythonVersion()} standard library` },
  ];
}

function pythonVersion(): string {
  try {
    return spawnSyncText(process.env.PYTHON ?? 'python3', ['-c', 'import sys;print("%d.%d.%d" % sys.version_info[:3])']).trim();
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- peers

/** Install (or reuse) the peers in a temp folder; returns that folder. */
export async function installPeers(log: (m: string) => void): Promise<string> {
  const dir = process.env.CST_BENCH_PEERS_DIR ?? path.join(os.tmpdir(), 'cst-bench-peers');
  const marker = path.join(dir, '.installed');
  const wanted = PEER_PACKAGES.join(' ');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === wanted) return dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, name: 'cst-bench-peers' }, null, 2));
  log(`npm install ${wanted} in ${dir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await run$(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', '--no-save', ...PEER_PACKAGES], { cwd: dir, maxBuffer: 16 << 20 });
  fs.writeFileSync(marker, wanted);
  return dir;
}

export function peerVersion(dir: string, pkg: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export interface Peer {
  conn: ProtocolConnection;
  proc: ChildProcessWithoutNullStreams;
  stop: () => Promise<void>;
}

/**
 * Start a peer over stdio in `workspace` (its root) and initialize it.
 * `options.textDocument` replaces the default client capabilities for
 * textDocument (hierarchical documentSymbol); `options.tsserver` is merged
 * into typescript-language-server's tsserver initialization options.
 */
export async function startPeer(kind: 'typescript' | 'pyright', peersDir: string, workspace: string, options: { textDocument?: Record<string, unknown>; tsserver?: Record<string, unknown> } = {}): Promise<Peer> {
  const entry = kind === 'typescript'
    ? [path.join(peersDir, 'node_modules/typescript-language-server/lib/cli.mjs'), '--stdio']
    : [path.join(peersDir, 'node_modules/pyright/langserver.index.js'), '--stdio'];
  const proc = spawn(process.execPath, entry, { stdio: 'pipe', cwd: workspace });
  proc.stderr.on('data', () => undefined);
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onError(() => undefined);
  conn.listen();
  const rootUri = pathToFileURL(workspace).toString();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities: { textDocument: options.textDocument ?? { documentSymbol: { hierarchicalDocumentSymbolSupport: true } }, workspace: { configuration: true } },
    initializationOptions: kind === 'typescript' ? { tsserver: { path: path.join(peersDir, 'node_modules/typescript/lib/tsserver.js'), ...options.tsserver } } : {},
  });
  await conn.sendNotification('initialized', {});
  return {
    conn,
    proc,
    async stop() {
      try {
        await withTimeout(conn.sendRequest('shutdown', null), 10_000, 'peer shutdown');
        await conn.sendNotification('exit');
      } catch {
        /* killed below */
      }
      await new Promise((r) => setTimeout(r, 200));
      if (proc.exitCode === null) proc.kill('SIGKILL');
      conn.dispose();
    },
  };
}

function withTimeout<T>(p: Promise<T>, msLimit: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${msLimit} ms`)), msLimit);
    }),
  ]);
}

async function peerOutline(peer: Peer, uri: string, languageId: string, text: string): Promise<(DocumentSymbol | SymbolInformation)[]> {
  await peer.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  try {
    return (await withTimeout(peer.conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }), REQUEST_TIMEOUT_MS, `peer documentSymbol ${uri}`)) as (DocumentSymbol | SymbolInformation)[];
  } finally {
    await peer.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
}

async function ourOutline(server: TestServer, uri: string, languageId: string, text: string): Promise<{ symbols: DocumentSymbol[]; ms: number }> {
  server.open(uri, languageId, text, 1);
  try {
    const deadline = Date.now() + REQUEST_TIMEOUT_MS;
    for (;;) {
      const t = await server.request<DebugTreeResult | null>('$/cstDebugTree', { uri, digest: false });
      if (t?.hasTree) break;
      if (t?.noTreeReason && t.noTreeReason !== 'loading') throw new Error(`${uri}: no tree (${t.noTreeReason})`);
      if (Date.now() > deadline) throw new Error(`${uri}: no tree within ${REQUEST_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = performance.now();
    const symbols = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    return { symbols, ms: performance.now() - t0 };
  } finally {
    server.close(uri);
  }
}

// ---------------------------------------------------------------- run

interface LanguageResult {
  corpus: Corpus;
  files: number;
  failed: string[];
  outline: Comparison;
  all: Comparison;
  ourMs: number[];
  /** The first request of the language: includes compiling its symbols query. */
  firstMs: number;
}

function pct(n: number, d: number): string {
  return d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`;
}

function tally(items: readonly Triple[], limit: number): string {
  const counts = new Map<string, number>();
  for (const t of items) {
    const k = `${t.kind} \`${t.name.replace(/[|`]/g, '')}\`${t.parent ? ` in ${t.parent.replace(/[|`]/g, '')}` : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, c]) => `${k} ×${c}`).join(', ');
}

export async function run(ctx: BenchContext, options: { missesFile?: string; languages?: string[] } = {}): Promise<BenchSection> {
  const peersDir = await installPeers(ctx.log);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bench-outline-'));
  const results: LanguageResult[] = [];
  const missLines: string[] = [];
  const server = await startServer({ env: { CST_LOG_LEVEL: 'error' } });
  try {
    for (const corpus of corpora(peersDir, ctx.quick).filter((c) => !options.languages?.length || options.languages.includes(c.language))) {
      ctx.log(`${corpus.language}: ${corpus.files.length} files against ${corpus.peer}`);
      const peer = await startPeer(corpus.peer, peersDir, workspace);
      const r: LanguageResult = { corpus, files: 0, failed: [], outline: { peer: 0, ours: 0, matched: 0, missed: [], extra: [] }, all: { peer: 0, ours: 0, matched: 0, missed: [], extra: [] }, ourMs: [], firstMs: NaN };
      try {
        for (const file of corpus.files) {
          const text = fs.readFileSync(file, 'utf8');
          const uri = pathToFileURL(file).toString();
          try {
            const theirs = triples(await peerOutline(peer, uri, corpus.languageId, text));
            const mine = await ourOutline(server, uri, corpus.languageId, text);
            const ours = triples(mine.symbols);
            if (Number.isNaN(r.firstMs)) r.firstMs = mine.ms;
            else r.ourMs.push(mine.ms);
            const o = compare(theirs, ours, (t) => t.outline);
            const a = compare(theirs, ours, () => true);
            for (const [acc, c] of [[r.outline, o], [r.all, a]] as const) {
              acc.peer += c.peer;
              acc.ours += c.ours;
              acc.matched += c.matched;
              acc.missed.push(...c.missed);
              acc.extra.push(...c.extra);
            }
            r.files++;
            if (o.missed.length || o.extra.length) {
              missLines.push(`## ${corpus.language} ${file}`);
              for (const t of o.missed) missLines.push(`  missed ${t.kind} ${JSON.stringify(t.name)} in ${JSON.stringify(t.parent)} (peer line ${t.line})`);
              for (const t of o.extra) missLines.push(`  extra  ${t.kind} ${JSON.stringify(t.name)} in ${JSON.stringify(t.parent)} (our line ${t.line})`);
            }
          } catch (err) {
            r.failed.push(`${path.basename(file)}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      } finally {
        await peer.stop();
      }
      ctx.log(`${corpus.language}: outline agreement ${pct(r.outline.matched, r.outline.peer)} over ${r.outline.peer} peer triples`);
      results.push(r);
    }
  } finally {
    await server.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  if (options.missesFile) fs.writeFileSync(options.missesFile, missLines.join('\n') + '\n');

  const total = (pick: (r: LanguageResult) => Comparison) => results.reduce((acc, r) => ({ peer: acc.peer + pick(r).peer, ours: acc.ours + pick(r).ours, matched: acc.matched + pick(r).matched }), { peer: 0, ours: 0, matched: 0 });
  const to = total((r) => r.outline);
  const ta = total((r) => r.all);
  const rows = results.map((r) => {
    const d = distribution(r.ourMs);
    return [
      r.corpus.language,
      r.corpus.peer === 'typescript' ? `typescript-language-server ${peerVersion(peersDir, 'typescript-language-server')} (typescript ${peerVersion(peersDir, 'typescript')})` : `pyright ${peerVersion(peersDir, 'pyright')}`,
      int(r.files),
      int(r.outline.peer),
      `**${pct(r.outline.matched, r.outline.peer)}**`,
      pct(r.outline.matched, r.outline.ours),
      int(r.all.peer),
      pct(r.all.matched, r.all.peer),
      `${ms(d.p50)} / ${ms(d.p99)}`,
      ms(r.firstMs),
    ];
  });
  rows.push(['**overall**', '', int(results.reduce((a, r) => a + r.files, 0)), int(to.peer), `**${pct(to.matched, to.peer)}**`, pct(to.matched, to.ours), int(ta.peer), pct(ta.matched, ta.peer), '', '']);
  const table = markdownTable(
    ['language', 'peer', 'files', 'peer triples (outline)', 'agreement (outline)', 'precision (outline)', 'peer triples (all)', 'agreement (all)', 'our documentSymbol p50 / p99 ms', 'first request ms (query compile)'],
    rows,
  );
  const notes = [
    'Triples are (name, kind class, parent name); "outline" counts the symbols outside function bodies (top level and members of classes, interfaces, enums, structs, namespaces), the quality target (>= 95%); "all" adds what the peers list inside functions (locals, parameters), which our outline leaves out by design.',
    'Kind classes: function/method/constructor; variable/constant/property/field/enum member; class/interface/struct/enum; module/namespace/package. agreement = matched / peer triples; precision = matched / our triples in the same scope.',
    ...results.map((r) => `${r.corpus.language}: ${r.corpus.source}. Most missed: ${tally(r.outline.missed, 6) || 'none'}. Most extra: ${tally(r.outline.extra, 6) || 'none'}.${r.failed.length ? ` Failed files: ${r.failed.slice(0, 5).join('; ')}${r.failed.length > 5 ? ` (+${r.failed.length - 5})` : ''}.` : ''}`),
    'Peers installed with npm into a temp folder (CST_BENCH_PEERS_DIR to choose it); each file is opened alone in each server; our timing is the documentSymbol round trip on the built server with the tree ready; the first request of a language also compiles its symbols query (once per process) and is reported apart.',
  ];
  const figures: Record<string, number> = {};
  for (const r of results) {
    figures[`${r.corpus.language}_files`] = r.files;
    figures[`${r.corpus.language}_outline_agreement_pct`] = r.outline.peer ? (100 * r.outline.matched) / r.outline.peer : NaN;
    figures[`${r.corpus.language}_outline_precision_pct`] = r.outline.ours ? (100 * r.outline.matched) / r.outline.ours : NaN;
    figures[`${r.corpus.language}_all_agreement_pct`] = r.all.peer ? (100 * r.all.matched) / r.all.peer : NaN;
    figures[`${r.corpus.language}_peer_outline_triples`] = r.outline.peer;
    figures[`${r.corpus.language}_documentSymbol_p50`] = distribution(r.ourMs).p50;
    figures[`${r.corpus.language}_documentSymbol_p99`] = distribution(r.ourMs).p99;
    figures[`${r.corpus.language}_documentSymbol_first`] = r.firstMs;
  }
  figures.overall_outline_agreement_pct = to.peer ? (100 * to.matched) / to.peer : NaN;
  figures.overall_all_agreement_pct = ta.peer ? (100 * ta.matched) / ta.peer : NaN;
  return { title: 'Outline agreement with the semantic servers', table, notes, figures, raw: Object.fromEntries(results.map((r) => [`${r.corpus.language}_documentSymbol_ms`, r.ourMs])) };
}

// Standalone: tsx test/bench/outline-agreement.ts [--quick] [--misses FILE]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const mi = argv.indexOf('--misses');
  const missesFile = mi >= 0 ? argv[mi + 1] : undefined;
  const languages = argv.flatMap((a, i) => (argv[i - 1] === '--language' ? [a] : []));
  run({ quick, log: (m) => process.stderr.write(`[outline-agreement] ${m}\n`) }, { missesFile, languages })
    .then((s) => {
      process.stdout.write(`## ${s.title}\n\n${machine()}\n\n${s.table}\n\n${s.notes.map((n) => `- ${n}`).join('\n')}\n`);
    })
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
