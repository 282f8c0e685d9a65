// The tiered cache through the real server: tier equivalence, the budget
// invariant under a random workload, restart reuse from the frozen tier, and
// faults made for real in temporary cache directories.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import { mixedCorpus, pythonFiles } from '../helpers/corpus.js';
import type { CstStats, DebugTreeResult, Health, Tier } from '../../server/src/protocol.js';

const servers: TestServer[] = [];
const tmpDirs: string[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-cache-test-'));
  tmpDirs.push(d);
  return d;
}

async function server(env: Record<string, string>): Promise<TestServer> {
  const s = await startServer({ env });
  servers.push(s);
  return s;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stats(s: TestServer, uri?: string): Promise<CstStats> {
  return s.request<CstStats>('$/cstStats', uri ? { uri } : {});
}

function symbols(s: TestServer, uri: string): Promise<unknown> {
  return s.request('textDocument/documentSymbol', { textDocument: { uri } });
}

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Open files and wait until each one has its first diagnostics (its syntax data exists). */
async function openAll(s: TestServer, files: { path: string; languageId: string }[], suffix = ''): Promise<string[]> {
  const uris: string[] = [];
  for (const f of files) {
    const uri = fileUri(f.path) + suffix;
    s.open(uri, f.languageId, fs.readFileSync(f.path, 'utf8'));
    uris.push(uri);
  }
  for (const uri of uris) await s.waitForDiagnostics(uri);
  return uris;
}

describe('tiers', () => {
  it('serves identical symbols and diagnostics from hot, warm, cold and frozen', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir(), CST_MEMORY_MB: '512' });
    const files = mixedCorpus();
    expect(files.length).toBeGreaterThanOrEqual(8);
    const uris = await openAll(s, files);
    // Let the idle full-parse confirmation persist every entry.
    await waitFor('persistence', () => stats(s), (st) => st.frozen.records >= uris.length);
    let maxPerFile = 100;
    for (const uri of uris) {
      const hot = await symbols(s, uri);
      const hotDiagnostics = s.diagnostics.get(uri)!.at(-1)!.diagnostics;
      expect((await stats(s, uri)).document?.tier).toBe('hot');
      for (const tier of ['warm', 'cold', 'frozen'] as Tier[]) {
        const moved = await s.request<{ tier: string }>('$/cstDebugSetTier', { uri, tier });
        expect(moved.tier, `${uri} to ${tier}`).toBe(tier);
        expect((await stats(s, uri)).document?.tier).toBe(tier);
        expect(await symbols(s, uri), `${path.basename(uri)} symbols from ${tier}`).toEqual(hot);
        // documentSymbol promoted it to warm (cold and frozen decompress on access).
        expect((await stats(s, uri)).document?.tier).toBe('warm');
        await s.request('$/cstDebugSetTier', { uri, tier });
      }
      // Diagnostics republished from below hot (a configuration change republishes).
      const count = s.diagnostics.get(uri)!.length;
      maxPerFile = maxPerFile === 99 ? 98 : 99;
      await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: { diagnostics: { maxPerFile } } } });
      const again = await s.waitForDiagnostics(uri, () => s.diagnostics.get(uri)!.length > count);
      expect(again.diagnostics).toEqual(hotDiagnostics);
    }
    const st = await stats(s);
    expect(st.tiers.frozen.hits).toBeGreaterThan(0);
    expect(st.tiers.cold.hits).toBeGreaterThan(0);
    expect(st.promotions).toBeGreaterThan(0);
    expect(st.demotions).toBeGreaterThan(0);
  });

  it('an edit to a demoted document brings it back hot with a correct tree', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir() });
    const [file] = pythonFiles(1);
    const uri = fileUri(file!);
    const text = fs.readFileSync(file!, 'utf8');
    s.open(uri, 'python', text);
    await s.waitForDiagnostics(uri);
    await s.request('$/cstDebugSetTier', { uri, tier: 'cold' });
    s.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x = (\n' }]);
    const d = await s.waitForDiagnostics(uri, (p) => p.version === 2);
    expect(d.diagnostics.length).toBeGreaterThan(0);
    expect((await stats(s, uri)).document?.tier).toBe('hot');
  });
});

describe('budget', () => {
  it('holds after every message under a random workload, and follows budget changes at once', async () => {
    const budgetMb = 3;
    const s = await server({ CST_CACHE_DIR: tmpDir(), CST_MEMORY_MB: String(budgetMb) });
    const files = pythonFiles(24, 8_000, 30_000).map((p) => ({ path: p, languageId: 'python', text: fs.readFileSync(p, 'utf8') }));
    const open = new Map<string, number>();
    let seed = Number(process.env.CST_BUDGET_SEED ?? 20261122);
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let budget = budgetMb * 1048576;
    for (let step = 0; step < 300; step++) {
      const f = files[rand(files.length)]!;
      const uri = fileUri(f.path);
      const op = rand(10);
      if (!open.has(uri) || op === 0) {
        if (open.has(uri)) s.close(uri);
        s.open(uri, 'python', f.text, 1);
        open.set(uri, 1);
      } else if (op < 5) {
        const v = open.get(uri)! + 1;
        open.set(uri, v);
        const line = rand(50);
        s.change(uri, v, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `# edit ${step}\n` }]);
      } else if (op < 8) {
        await symbols(s, uri);
      } else if (op === 8) {
        await s.request('$/cstDebugSetTier', { uri, tier: (['warm', 'cold', 'frozen', 'hot'] as const)[rand(4)] });
      } else {
        budget = Math.round((2 + rand(4)) * 1048576);
        await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: { memoryMb: budget / 1048576 } } });
      }
      const st = await stats(s);
      expect(st.budgetBytes).toBe(budget);
      expect(st.usedBytes, `step ${step}: used ${st.usedBytes} > budget ${st.budgetBytes}`).toBeLessThanOrEqual(st.budgetBytes);
    }
    const st = await stats(s);
    expect(st.demotions).toBeGreaterThan(0);
    expect(st.process.liveTrees).toBe(st.tiers.hot.entries);
  });
});

describe('restart', () => {
  it('a second server on the same cache dir serves every file from frozen with zero parses', async () => {
    const dir = tmpDir();
    const files = mixedCorpus();
    const first = await server({ CST_CACHE_DIR: dir });
    const uris = await openAll(first, files);
    const expected = await Promise.all(uris.map((u) => symbols(first, u)));
    await waitFor('persistence', () => stats(first), (st) => st.frozen.records >= uris.length);
    expect(await first.stop()).toBe(0);

    const second = await server({ CST_CACHE_DIR: dir });
    const uris2 = await openAll(second, files);
    const st = await stats(second);
    expect(st.parses.full).toBe(0);
    expect(st.parses.incremental).toBe(0);
    expect(st.tiers.frozen.hits).toBe(uris2.length);
    expect(await Promise.all(uris2.map((u) => symbols(second, u)))).toEqual(expected);
    expect((await stats(second)).parses.full).toBe(0);
  });

  it('shutdown persists what is pending: a server killed right after exit (as eglot does) loses nothing', async () => {
    const dir = tmpDir();
    const files = mixedCorpus();
    const first = await server({ CST_CACHE_DIR: dir });
    const uris = await openAll(first, files);
    const expected = await Promise.all(uris.map((u) => symbols(first, u)));
    // No idle time: shutdown at once, then SIGKILL right after exit.
    await first.request('shutdown', null);
    void first.conn.sendNotification('exit');
    first.proc.kill('SIGKILL');
    await first.exited;
    const second = await server({ CST_CACHE_DIR: dir });
    const uris2 = await openAll(second, files);
    expect(await Promise.all(uris2.map((u) => symbols(second, u)))).toEqual(expected);
    expect((await stats(second)).parses.full).toBe(0);
  });

  it('two servers writing one cache dir at once leave it whole for a third', async () => {
    const dir = tmpDir();
    const files = mixedCorpus();
    const [a, b] = await Promise.all([server({ CST_CACHE_DIR: dir }), server({ CST_CACHE_DIR: dir })]);
    const [urisA] = await Promise.all([openAll(a, files), openAll(b, files, '#b')]);
    const expected = await Promise.all(urisA.map((u) => symbols(a, u)));
    await Promise.all([a, b].map((s) => waitFor('persistence', () => stats(s), (st) => st.frozen.records >= files.length)));
    await Promise.all([a.stop(), b.stop()]);
    const c = await server({ CST_CACHE_DIR: dir });
    const urisC = await openAll(c, files);
    expect(await Promise.all(urisC.map((u) => symbols(c, u)))).toEqual(expected);
    const st = await stats(c);
    expect(st.parses.full).toBe(0);
    expect(st.frozen.corruptRecords).toBe(0);
  });

  it('corrupt records are detected, counted and rebuilt from source, never served', async () => {
    const dir = tmpDir();
    const files = mixedCorpus();
    const first = await server({ CST_CACHE_DIR: dir });
    const uris = await openAll(first, files);
    const expected = await Promise.all(uris.map((u) => symbols(first, u)));
    await waitFor('persistence', () => stats(first), (st) => st.frozen.records >= uris.length);
    await first.stop();
    // Flip bytes in the middle of every segment file (payloads), and truncate one.
    const segDir = path.join(dir, 'segments');
    const segs = fs.readdirSync(segDir).filter((n) => n.endsWith('.seg'));
    expect(segs.length).toBeGreaterThan(0);
    for (const name of segs) {
      const p = path.join(segDir, name);
      const buf = fs.readFileSync(p);
      for (let i = 200; i < buf.length; i += 997) buf[i] = buf[i]! ^ 0xff;
      fs.writeFileSync(p, buf);
    }
    const second = await server({ CST_CACHE_DIR: dir });
    const uris2 = await openAll(second, files);
    expect(await Promise.all(uris2.map((u) => symbols(second, u)))).toEqual(expected);
    const st = await stats(second);
    expect(st.frozen.corruptRecords).toBeGreaterThan(0);
    expect(st.parses.full).toBeGreaterThan(0);
  });

  it('an unusable cache dir degrades to memory-only with one warning', async () => {
    const dir = tmpDir();
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'a file where the cache dir should be');
    const s = await server({ CST_CACHE_DIR: path.join(blocker, 'cache') });
    const uris = await openAll(s, mixedCorpus().slice(0, 3));
    expect(await symbols(s, uris[0]!)).not.toEqual([]);
    const h = await s.request<Health>('$/health', {});
    expect(h.status).toBe('degraded');
    expect(h.checks.frozenStore).toMatch(/memory-only/);
    expect(s.messages.filter((m) => /cache/i.test(m.message))).toHaveLength(1);
  });

  // Under /proc, mkdir of a missing child answers ENOENT although the parent exists: Node's recursive
  // mkdir spins on that forever, and the server froze at 100% CPU before it answered initialize.
  it.skipIf(process.platform !== 'linux')('a cache dir, log file and audit log under /proc neither freeze nor stop the server', async () => {
    const nowhere = `/proc/cst-test-${process.pid}`;
    const s = await server({ CST_CACHE_DIR: `${nowhere}/cache`, CST_LOG_FILE: `${nowhere}/server.log`, CST_AUDIT_LOG: `${nowhere}/audit.log` });
    const uris = await openAll(s, mixedCorpus().slice(0, 2));
    expect(await symbols(s, uris[0]!)).not.toEqual([]);
    const h = await s.request<Health>('$/health', {});
    expect(h.checks.frozenStore).toMatch(/memory-only.*cannot create/);
    // Each refusal said on stderr (never stdout), and the warnings that follow go there too.
    expect(s.stderr()).toMatch(/cannot open the log file \(CST_LOG_FILE\): logging to stderr/);
    expect(s.stderr()).toMatch(/cannot open the audit log/);
    expect(s.stderr()).toMatch(/"msg":"frozen store is memory-only/);
  });
});

describe('idle confirmation', () => {
  it('a confirmation running in a worker is given up at the next edit, and runs again once the document is quiet', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir() });
    // About 2 MB of Python: its confirmation (a full parse and every index part, in a worker) runs for
    // seconds, long enough to be caught in flight by a poll every 100 ms.
    const text = pythonFiles(400, 20_000, 200_000)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n')
      .slice(0, 2_000_000);
    const uri = fileUri(path.join(tmpDir(), 'big.py'));
    s.open(uri, 'python', text);
    await s.waitForDiagnostics(uri);
    const running = await waitFor('the confirmation in flight', () => stats(s), (st) => st.confirmations.pending === 1, 30_000);
    expect(running.confirmations).toMatchObject({ confirmed: 0, givenUp: 0 });
    const edited = performance.now();
    s.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    const stopped = await waitFor('the confirmation given up', () => stats(s), (st) => st.confirmations.pending === 0, 30_000);
    const stopMs = performance.now() - edited;
    expect(stopped.confirmations).toMatchObject({ confirmed: 0, givenUp: 1 });
    // Quiet again: the idle timer confirms the edited text, and it reaches the disk.
    await waitFor('the next confirmation in flight', () => stats(s), (st) => st.confirmations.pending === 1 || st.confirmations.confirmed === 1, 30_000);
    const started = performance.now();
    const done = await waitFor('the edited text confirmed', () => stats(s), (st) => st.confirmations.confirmed === 1, 60_000);
    const confirmMs = performance.now() - started;
    expect(done.confirmations.givenUp).toBe(1);
    // Given up at once, not run to its end: a fraction of what a whole confirmation takes (same run).
    expect(stopMs, `stopped after ${stopMs.toFixed(0)} ms; a whole confirmation took ${confirmMs.toFixed(0)} ms`).toBeLessThan(confirmMs / 2);
    // Written behind: the record reaches the disk shortly after the confirmation.
    await waitFor('the confirmed entry on disk', () => stats(s), (st) => st.frozen.records >= 1, 30_000);
    expect(((await symbols(s, uri)) as unknown[]).length).toBeGreaterThan(10);
  }, 120_000);
});

describe('idle confirmation by shape', () => {
  it('a live tree of the same node count but another shape than a full parse is found by the confirmation and replaced', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir() });
    const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/lsp/shape-divergence.json'), 'utf8')) as { file: string; notifications: unknown[][] };
    const original = fs.readFileSync(path.join(repoRoot, fixture.file), 'utf8');
    const tree = (uri: string) => s.request<DebugTreeResult>('$/cstDebugTree', { uri, nodes: true, text: true });
    const uri = fileUri(path.join(tmpDir(), 'tools.js'));
    s.open(uri, 'javascript', original);
    await s.waitForDiagnostics(uri);
    const fresh = await tree(uri);
    // tree-sitter's own incremental parse of these edits, back at the original text: the same number of
    // nodes, one comment under another parent (see the fixture).
    fixture.notifications.forEach((changes, i) => s.change(uri, i + 2, changes as never));
    const live = await tree(uri);
    expect(live).toMatchObject({ text: original, lastParse: 'incremental', nodeCount: fresh.nodeCount });
    expect(live.digest).not.toBe(fresh.digest);
    // Quiet: the worker's full parse has the same node count, and the shapes differ; the full parse wins.
    const replaced = await waitFor('the confirmation to replace the live tree', () => stats(s, uri), (st) => st.confirmations.mismatches === 1, 30_000);
    expect(replaced.document).toMatchObject({ tier: 'warm' });
    expect(replaced.confirmations).toMatchObject({ confirmed: 1, givenUp: 0 });
    expect(s.stderr()).toMatch(/incremental tree differs from a full parse; replaced by the full parse/);
    // The next edit parses in full from the corrected text: the tree of a fresh parse.
    const end = { line: original.split('\n').length - 1, character: 0 };
    s.change(uri, fixture.notifications.length + 2, [{ range: { start: end, end }, text: '\n' }]);
    const again = await tree(uri);
    const other = fileUri(path.join(tmpDir(), 'fresh.js'));
    s.open(other, 'javascript', original + '\n');
    await s.waitForDiagnostics(other);
    expect(again.lastParse).toBe('full');
    expect(again.digest).toBe((await tree(other)).digest);
  }, 60_000);

  it('an unchanged shape is confirmed, not replaced', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir() });
    const file = pythonFiles(1, 20_000, 60_000)[0]!;
    const uri = fileUri(file);
    const text = fs.readFileSync(file, 'utf8');
    s.open(uri, 'python', text);
    await s.waitForDiagnostics(uri);
    s.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    const done = await waitFor('the confirmation', () => stats(s, uri), (st) => st.confirmations.confirmed === 1, 30_000);
    expect(done.confirmations.mismatches).toBe(0);
    expect(done.document).toMatchObject({ tier: 'hot' });
  }, 60_000);
});

describe('parse workers', () => {
  it('a worker with nothing to do ends after workerIdleMs (its memory given back), and the next confirmation starts one again', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir(), CST_WORKER_IDLE_MS: '1000' });
    const file = pythonFiles(1, 20_000, 60_000)[0]!;
    const uri = fileUri(file);
    s.open(uri, 'python', fs.readFileSync(file, 'utf8'));
    await s.waitForDiagnostics(uri);
    // Opened: a full parse on the main thread, confirmed by definition; no worker was needed.
    expect((await stats(s)).process.workerThreads).toBe(0);
    const edit = (version: number) => s.change(uri, version, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `x${version} = 1\n` }]);
    edit(2);
    // The worker lives at least workerIdleMs after its task: a poll every 50 ms sees it.
    await waitFor('a worker for the confirmation', () => stats(s), (st) => st.process.workerThreads === 1, 30_000);
    await waitFor('the confirmation', () => stats(s), (st) => st.confirmations.confirmed === 1, 30_000);
    await waitFor('the idle worker to end', () => stats(s), (st) => st.process.workerThreads === 0, 10_000);
    edit(3);
    const again = await waitFor('the next confirmation, in a new worker', () => stats(s), (st) => st.confirmations.confirmed === 2, 30_000);
    expect(again.confirmations.mismatches).toBe(0);
    await waitFor('that worker to end too', () => stats(s), (st) => st.process.workerThreads === 0, 10_000);
    expect(((await symbols(s, uri)) as unknown[]).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('statistics requests', () => {
  it('answer with [] params (Neovim 0.7) and do not disturb the cache', async () => {
    const s = await server({ CST_CACHE_DIR: tmpDir() });
    const uris = await openAll(s, mixedCorpus().slice(0, 2));
    await s.request('$/cstDebugSetTier', { uri: uris[0], tier: 'cold' });
    const before = await s.request<CstStats>('$/cstStats', []);
    for (let i = 0; i < 20; i++) await s.request('$/cstStats', { uri: uris[0] });
    const h = await s.request<Health>('$/health', []);
    const after = await s.request<CstStats>('$/cstStats', []);
    expect(after.lookups).toBe(before.lookups);
    expect(after.promotions).toBe(before.promotions);
    expect(after.parses).toEqual(before.parses);
    expect((await stats(s, uris[0])).document?.tier).toBe('cold');
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(['healthy', 'degraded']).toContain(h.status);
    expect(Object.keys(h.checks).sort()).toEqual(['cache', 'frozenStore', 'index', 'parser']);
    expect(s.init?.capabilities.experimental).toMatchObject({ cstStatsProvider: true, healthProvider: true });
  });
});

describe('signals', () => {
  it('SIGTERM flushes the store and exits 0', async () => {
    const dir = tmpDir();
    const files = mixedCorpus().slice(0, 4);
    const s = await server({ CST_CACHE_DIR: dir });
    await openAll(s, files);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const again = await server({ CST_CACHE_DIR: dir });
    await openAll(again, files);
    expect((await stats(again)).parses.full).toBe(0);
  });
});
