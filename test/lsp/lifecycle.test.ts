// Process lifecycle and live configuration of the real server: shutdown
// cancels indexing, flushes the store and the audit log and deletes every
// tree; SIGINT does the same and exits 0; the editor process named in
// initialize dying makes the server exit within seconds; and
// workspace/didChangeConfiguration applies log level, budget, limits and
// excludes live, saying in the log what changed. (Exit codes after
// exit/shutdown and on stdin close: transport.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, startServer, type TestServer } from '../helpers/lsp.js';
import { mixedCorpus, pythonStdlib } from '../helpers/corpus.js';
import type { CstStats } from '../../server/src/protocol.js';

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.proc.exitCode === null) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-lifecycle-'));
  dirs.push(d);
  return d;
}

async function start(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

const stats = (s: TestServer, uri?: string) => s.request<CstStats>('$/cstStats', uri ? { uri } : {});
const configure = (s: TestServer, cst: unknown) => s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst } });

async function waitFor<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openCorpus(s: TestServer, n: number): Promise<string[]> {
  const uris: string[] = [];
  for (const f of mixedCorpus().slice(0, n)) {
    const uri = fileUri(f.path);
    s.open(uri, f.languageId, fs.readFileSync(f.path, 'utf8'));
    uris.push(uri);
  }
  for (const uri of uris) await s.request('textDocument/documentSymbol', { textDocument: { uri } });
  return uris;
}

describe('shutdown', () => {
  it('cancels indexing, flushes the store and the audit log, deletes every tree; exit then exits 0', async () => {
    const dir = tmp();
    const audit = path.join(dir, 'audit.log');
    const s = await start({ env: { CST_CACHE_DIR: path.join(dir, 'cache'), CST_AUDIT_LOG: audit, CST_MAX_WORKERS: '1', CST_LOG_LEVEL: 'warn' }, workspaceFolders: [{ uri: fileUri(pythonStdlib()), name: 'stdlib' }] });
    await waitFor('indexing to begin', () => s.progress.some((p) => p.value.kind === 'begin'), (v) => v, 90_000);
    await openCorpus(s, 4);
    const before = await stats(s);
    expect(before.process.liveTrees).toBeGreaterThanOrEqual(4);
    const t0 = Date.now();
    await s.request('shutdown', null);
    // Indexing the standard library takes far longer: it was cancelled and indexes nothing more.
    expect(Date.now() - t0).toBeLessThan(10_000);
    const begin = s.progress.find((p) => p.value.kind === 'begin')!;
    const total = Number(/\/(\d+) files/.exec(begin.value.message ?? '')?.[1]);
    const indexed = (await stats(s)).documents.indexed;
    const reads = () => fs.readFileSync(audit, 'utf8').split('\n').filter((l) => l.includes('"action":"read"')).length;
    await new Promise((r) => setTimeout(r, 200));
    const readsAfterShutdown = reads();
    await new Promise((r) => setTimeout(r, 1500));
    // No file read since (a run that went on would read the next files of the walk), nothing more indexed.
    expect(reads()).toBe(readsAfterShutdown);
    expect((await stats(s)).documents.indexed).toBe(indexed);
    expect(indexed).toBeLessThan(total);
    // Every tree deleted; the audit log is complete on disk (the opened documents' full parses were written).
    const after = await stats(s);
    expect(after.process.liveTrees).toBe(0);
    expect(after.documents.open).toBe(0);
    const lines = fs.readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string });
    expect(lines.filter((l) => l.action === 'store-write').length).toBeGreaterThanOrEqual(4);
    void s.conn.sendNotification('exit');
    expect(await s.exited).toBe(0);
    // The next server starts from what was flushed: no parse for the same texts.
    const again = await start({ env: { CST_CACHE_DIR: path.join(dir, 'cache'), CST_LOG_LEVEL: 'warn' } });
    await openCorpus(again, 4);
    expect((await stats(again)).parses.full).toBe(0);
  });

  it('SIGINT does what shutdown + exit do, and exits 0', async () => {
    const dir = tmp();
    const s = await start({ env: { CST_CACHE_DIR: dir, CST_LOG_LEVEL: 'warn' } });
    await openCorpus(s, 3);
    s.proc.kill('SIGINT');
    expect(await s.exited).toBe(0);
    const again = await start({ env: { CST_CACHE_DIR: dir, CST_LOG_LEVEL: 'warn' } });
    await openCorpus(again, 3);
    expect((await stats(again)).parses.full).toBe(0);
  });

  it('exits within seconds when the editor process named in initialize dies', async () => {
    const editor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const s = await start({ noInitialize: true, env: { CST_LOG_LEVEL: 'warn' } });
      await s.conn.sendRequest('initialize', { processId: editor.pid, rootUri: null, capabilities: {} });
      await s.conn.sendNotification('initialized', {});
      await s.request('$/health', {});
      editor.kill('SIGKILL');
      const code = await Promise.race([s.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
      expect(code, 'still running 10 s after the editor died').toBe(1);
    } finally {
      editor.kill('SIGKILL');
    }
  });
});

describe('workspace/didChangeConfiguration applies live', () => {
  it('log level and the memory budget, logging each change with its old and new value', async () => {
    const s = await start({ env: { CST_LOG_LEVEL: 'info', CST_MEMORY_MB: '100' } });
    const uris = await openCorpus(s, 6);
    const before = await stats(s);
    expect(before.tiers.hot.entries).toBe(6);
    expect(s.stderr()).not.toMatch(/"level":20/);
    const budget = Math.max(0.05, (before.usedBytes * 0.5) / 1048576);
    await configure(s, { logLevel: 'debug', memoryMb: budget });
    const after = await waitFor('the budget to apply', () => stats(s), (x) => x.budgetBytes === Math.round(budget * 1048576));
    expect(after.usedBytes).toBeLessThanOrEqual(after.budgetBytes);
    expect(after.tiers.hot.entries).toBeLessThan(6);
    expect(after.demotions).toBeGreaterThan(before.demotions);
    // A grammar loaded from now on says so at debug level.
    s.open('file:///lifecycle/x.rb', 'ruby', 'def x; end\n');
    await s.request('textDocument/documentSymbol', { textDocument: { uri: 'file:///lifecycle/x.rb' } });
    await s.request('textDocument/documentSymbol', { textDocument: { uri: uris[0] } });
    await waitFor('debug lines', () => s.stderr(), (e) => /"level":20/.test(e));
    const change = s.stderr().split('\n').find((l) => l.includes('configuration changed'))!;
    expect(JSON.parse(change)).toMatchObject({ msg: 'configuration changed: logLevel, memoryMb', changed: { logLevel: { from: 'info', to: 'debug' }, memoryMb: { from: 100, to: budget } } });
  });

  // Work that runs on a timer, not in a message handler (here: diagnostics published after their debounce,
  // which read a demoted document through its index and so bring it back to warm), holds the budget too.
  it('the budget holds after timers fire, not only after messages', async () => {
    const s = await start({ env: { CST_LOG_LEVEL: 'warn', CST_MEMORY_MB: '100', CST_DIAGNOSTICS_DEBOUNCE_MS: '800' } });
    await openCorpus(s, 6);
    const before = await stats(s);
    const budget = (before.usedBytes * 0.3) / 1048576;
    await configure(s, { memoryMb: budget });
    const applied = await stats(s);
    expect(applied.budgetBytes).toBe(Math.round(budget * 1048576));
    expect(applied.usedBytes).toBeLessThanOrEqual(applied.budgetBytes);
    expect(applied.tiers.cold.entries + applied.tiers.frozen.entries, JSON.stringify(applied.tiers)).toBeGreaterThan(0);
    // Quiet until every debounced publish has run.
    await s.waitForDiagnostics(fileUri(mixedCorpus()[5]!.path));
    await new Promise((r) => setTimeout(r, 300));
    const later = await stats(s);
    expect(later.usedBytes).toBeLessThanOrEqual(later.budgetBytes);
  });

  it('limits: a document over maxFileSizeMb gets a tree when the limit is raised', async () => {
    const s = await start({ env: { CST_LOG_LEVEL: 'warn', CST_MAX_FILE_MB: '0.01' } });
    const uri = 'file:///lifecycle/big.py';
    s.open(uri, 'python', 'x = 1\n'.repeat(4000));
    await waitFor('the too-large refusal', () => s.request<{ noTreeReason?: string }>('$/cstDebugTree', { uri, digest: false }), (t) => t.noTreeReason === 'too-large');
    await configure(s, { maxFileSizeMb: 1 });
    const tree = await waitFor('a tree', () => s.request<{ hasTree: boolean; nodeCount: number }>('$/cstDebugTree', { uri, digest: false }), (t) => t.hasTree);
    expect(tree.nodeCount).toBeGreaterThan(4000);
  });

  it('excludes: files the new rules leave out leave the workspace index, and come back when the rule goes', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'gen'));
    fs.writeFileSync(path.join(root, 'main.ts'), 'export function mainEntry() {}\n');
    fs.writeFileSync(path.join(root, 'gen', 'generated.ts'), 'export function generatedThing() {}\n');
    const s = await start({ env: { CST_LOG_LEVEL: 'info', CST_CACHE_DIR: path.join(root, '.cache-dir') }, workspaceFolders: [{ uri: fileUri(root), name: 'r' }] });
    const search = async (q: string) => (await s.request<{ name: string }[]>('workspace/symbol', { query: q })).map((x) => x.name);
    await waitFor('indexing', async () => [...(await search('generatedThing')), ...(await search('mainEntry'))], (r) => r.length === 2);
    // Two parses: the cache dir inside the workspace (with its JSON marker file) is never indexed.
    const parsedBefore = (await stats(s)).parses.background;
    expect(parsedBefore).toBe(2);
    await configure(s, { index: { exclude: ['**/gen/**'] } });
    await waitFor('the exclusion', () => search('generatedThing'), (r) => r.length === 0);
    expect(await search('mainEntry')).toEqual(['mainEntry']);
    expect(s.stderr()).toMatch(/workspace re-indexed under the new settings/);
    expect(s.stderr()).toMatch(/"index.exclude":\{"from":\[\],"to":\["\*\*\/gen\/\*\*"\]\}/);
    await configure(s, { index: { exclude: [] } });
    await waitFor('the file back', () => search('generatedThing'), (r) => r.length === 1);
    // Nothing was parsed again: the second and third walks came from the disk store.
    expect((await stats(s)).parses.background).toBe(parsedBefore);
  });
});
