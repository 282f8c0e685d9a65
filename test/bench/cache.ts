// Tiered-cache benchmarks (issue 3): memory with 200 files under a 100 MB
// budget, documentSymbol cost per tier, hit ratio of a simulated editing
// session under a 20 MB budget, and restart from the frozen tier.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type TestServer } from '../helpers/lsp.js';
import { pythonFiles, pythonStdlib } from '../helpers/corpus.js';
import type { CstStats, Tier } from '../../server/src/protocol.js';
import type { BenchContext, BenchSection } from './run.js';
import { distribution, markdownTable, median, ms, ratio } from './measure.js';

export const name = 'cache';

const MB = 1048576;

function stats(s: TestServer, uri?: string): Promise<CstStats> {
  return s.request<CstStats>('$/cstStats', uri ? { uri } : {});
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function files(count: number): { uri: string; text: string }[] {
  return pythonFiles(count, 1_000, 200_000).map((p) => ({ uri: `file://${p}`, text: fs.readFileSync(p, 'utf8') }));
}

/** Open every file and wait until each answers documentSymbol: the "fully served" state. */
async function serveAll(s: TestServer, list: { uri: string; text: string }[]): Promise<number> {
  const t0 = performance.now();
  for (const f of list) s.open(f.uri, 'python', f.text);
  await Promise.all(list.map((f) => s.request('textDocument/documentSymbol', { textDocument: { uri: f.uri } })));
  return performance.now() - t0;
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bench-cache-'));
  const figures: Record<string, number> = {};
  const notes: string[] = [];
  const tables: string[] = [];
  try {
    // 1. Memory: 200 files, 100 MB budget.
    const corpus = files(ctx.quick ? 40 : 200);
    const totalChars = corpus.reduce((n, f) => n + f.text.length, 0);
    {
      ctx.log(`memory: opening ${corpus.length} files`);
      const s = await startServer({ env: { CST_CACHE_DIR: path.join(dir, 'memory'), CST_MEMORY_MB: '100' } });
      await serveAll(s, corpus);
      const st = await stats(s);
      tables.push(
        markdownTable(
          ['open files', 'text', 'accounted', 'budget', 'hot / warm / cold / frozen entries', 'RSS', 'JS heap', 'WASM heap'],
          [[
            String(st.documents.open),
            `${(totalChars / MB).toFixed(1)} M chars`,
            `${(st.usedBytes / MB).toFixed(1)} MB`,
            `${(st.budgetBytes / MB).toFixed(0)} MB`,
            (['hot', 'warm', 'cold', 'frozen'] as Tier[]).map((t) => st.tiers[t].entries).join(' / '),
            `${(st.process.rssBytes / MB).toFixed(0)} MB`,
            `${(st.process.heapUsedBytes / MB).toFixed(0)} MB`,
            `${(st.process.wasmHeapBytes / MB).toFixed(0)} MB`,
          ]],
        ),
      );
      figures.memoryAccountedMb = st.usedBytes / MB;
      figures.memoryRssMb = st.process.rssBytes / MB;
      figures.memoryWasmHeapMb = st.process.wasmHeapBytes / MB;
      figures.memoryWithinBudget = st.usedBytes <= st.budgetBytes ? 1 : 0;
      await s.stop();
    }

    // 2. documentSymbol cost per tier, same file, one run.
    {
      // A typical hand-written module (argparse.py, ~2,600 lines) rather than a generated one.
      const argparse = path.join(pythonStdlib(), 'argparse.py');
      const target = fs.existsSync(argparse) ? { uri: `file://${argparse}`, text: fs.readFileSync(argparse, 'utf8') } : corpus[0]!;
      ctx.log(`tiers: ${path.basename(target.uri)} (${target.text.length} chars)`);
      const s = await startServer({ env: { CST_CACHE_DIR: path.join(dir, 'tiers'), CST_MEMORY_MB: '1000' } });
      s.open(target.uri, 'python', target.text);
      await s.request('textDocument/documentSymbol', { textDocument: { uri: target.uri } });
      await waitFor(async () => (await stats(s)).frozen.records >= 1, 30_000);
      const reps = ctx.quick ? 10 : 60;
      const rows: string[][] = [];
      const symbolsOnce = async (uri: string) => {
        const t0 = performance.now();
        await s.request('textDocument/documentSymbol', { textDocument: { uri } });
        return performance.now() - t0;
      };
      const rtt: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await s.request('$/cstDebugTree', { uri: target.uri, digest: false });
        rtt.push(performance.now() - t0);
      }
      const per: Record<string, number[]> = {};
      for (const tier of ['hot', 'warm', 'cold', 'frozen'] as Tier[]) {
        per[tier] = [];
        for (let i = 0; i < reps; i++) {
          await s.request('$/cstDebugSetTier', { uri: target.uri, tier });
          per[tier]!.push(await symbolsOnce(target.uri));
        }
      }
      per.parse = [];
      for (let i = 0; i < reps; i++) {
        const uri = `${target.uri}#fresh-${i}`;
        const t0 = performance.now();
        s.open(uri, 'python', target.text);
        await s.request('textDocument/documentSymbol', { textDocument: { uri } });
        per.parse.push(performance.now() - t0);
        s.close(uri);
      }
      const parseMedian = median(per.parse);
      for (const [tier, samples] of Object.entries(per)) {
        const d = distribution(samples);
        figures[`symbols_${tier}_p50`] = d.p50;
        rows.push([tier === 'parse' ? 'fresh parse (didOpen + documentSymbol)' : tier, ms(d.p50), ms(d.p95), ms(d.max), ratio(parseMedian / d.p50)]);
      }
      rows.push(['JSON-RPC round trip (baseline)', ms(median(rtt)), ms(distribution(rtt).p95), ms(distribution(rtt).max), '—']);
      tables.push(markdownTable(['documentSymbol served from', 'p50 ms', 'p95 ms', 'max ms', 'fresh parse / this'], rows));
      notes.push(`Per-tier cost: ${path.basename(target.uri)} (${target.text.length} chars), ${reps} requests per tier, client-observed round trips (each request follows a move to that tier; cold and frozen decompress, frozen also reads the segment file).`);
      await s.stop();
    }

    // 3. Hit ratio of a simulated editing session: 50 files, 20 MB budget.
    {
      // 50 files whose syntax data does not fit 20 MB all at once, so the budget bites.
      const session = pythonFiles(ctx.quick ? 20 : 50, 30_000, 400_000).map((p) => ({ uri: `file://${p}`, text: fs.readFileSync(p, 'utf8') }));
      const seconds = ctx.quick ? 10 : 120;
      ctx.log(`hit ratio: ${session.length} files, 20 MB budget, ${seconds} s session`);
      const s = await startServer({ env: { CST_CACHE_DIR: path.join(dir, 'session'), CST_MEMORY_MB: '20' } });
      await serveAll(s, session);
      const base = await stats(s);
      const versions = new Map(session.map((f) => [f.uri, 1]));
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      // Working set: the user mostly moves among a few recent files, sometimes jumps elsewhere.
      const recent: number[] = [0, 1, 2, 3, 4];
      const end = Date.now() + seconds * 1000;
      let actions = 0;
      while (Date.now() < end) {
        const pick = rand(10) < 8 ? recent[rand(recent.length)]! : rand(session.length);
        if (!recent.includes(pick)) {
          recent.unshift(pick);
          recent.length = Math.min(recent.length, 6);
        }
        const f = session[pick]!;
        await s.request('textDocument/documentSymbol', { textDocument: { uri: f.uri } });
        const typing = rand(3) === 0 ? 0 : 1 + rand(20);
        const line = rand(200);
        for (let k = 0; k < typing; k++) {
          const v = versions.get(f.uri)! + 1;
          versions.set(f.uri, v);
          s.change(f.uri, v, [{ range: { start: { line, character: k }, end: { line, character: k } }, text: 'x' }]);
          await new Promise((r) => setTimeout(r, 30));
        }
        await s.request('textDocument/documentSymbol', { textDocument: { uri: f.uri } });
        actions++;
      }
      const st = await stats(s);
      const lookups = st.lookups - base.lookups;
      const hits = (['hot', 'warm', 'cold', 'frozen'] as Tier[]).map((t) => st.tiers[t].hits - base.tiers[t].hits);
      const hitRatio = lookups > 0 ? hits.reduce((a, b) => a + b, 0) / lookups : 1;
      figures.sessionHitRatio = hitRatio;
      figures.sessionLookups = lookups;
      tables.push(
        markdownTable(
          ['session', 'actions', 'lookups', 'hits hot / warm / cold / frozen', 'hit ratio', 'used / budget'],
          [[`${session.length} files (${(session.reduce((n, f) => n + f.text.length, 0) / MB).toFixed(1)} M chars), ${seconds} s`, String(actions), String(lookups), hits.join(' / '), `${(hitRatio * 100).toFixed(1)}%`, `${(st.usedBytes / MB).toFixed(1)} / ${(st.budgetBytes / MB).toFixed(0)} MB`]],
        ),
      );
      notes.push('Hit ratio: lookups served by any tier without a parse / all lookups, counted after the files were first opened (an edit to a hot document counts as a hot hit; an edit to a demoted one needs a full parse and counts as a miss).');
      await s.stop();
    }

    // 4. Restart: a second server on the same cache dir, 200 files.
    {
      const restartDir = path.join(dir, 'restart');
      ctx.log(`restart: cold pass over ${corpus.length} files`);
      const first = await startServer({ env: { CST_CACHE_DIR: restartDir, CST_MEMORY_MB: '1000' } });
      const cold = await serveAll(first, corpus);
      await waitFor(async () => (await stats(first)).frozen.records >= corpus.length, 120_000);
      await first.stop();
      ctx.log('restart: warm pass');
      const second = await startServer({ env: { CST_CACHE_DIR: restartDir, CST_MEMORY_MB: '1000' } });
      const warm = await serveAll(second, corpus);
      const st = await stats(second);
      await second.stop();
      figures.restartColdMs = cold;
      figures.restartWarmMs = warm;
      figures.restartSpeedup = cold / warm;
      figures.restartParses = st.parses.full;
      tables.push(
        markdownTable(
          ['restart, ' + corpus.length + ' files', 'time to fully served', 'full parses'],
          [
            ['first server (cold: parse everything)', `${ms(cold)} ms`, String(corpus.length)],
            ['second server, same cache dir (frozen)', `${ms(warm)} ms`, String(st.parses.full)],
            ['speed-up', ratio(cold / warm), ''],
          ],
        ),
      );
      notes.push('Restart: time from the first didOpen to every file having answered documentSymbol, one server after another on the same CST_CACHE_DIR.');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { title: 'Tiered cache', table: tables.join('\n\n'), notes, figures };
}
