// Load and soak (issue 8): 300 real documents open across 5 languages under
// CST_MEMORY_MB=100, then 100 edits per second for 60 s spread over them, with
// completion (at the edit) and documentSymbol interleaved, over loopback
// stdio JSON-RPC. Reported: p50/p99 per request kind under load beside the
// same requests on the same server idle just before (the baseline of this
// run), errors (must be 0; ContentModified answers to requests whose document
// changed again before they ran are counted apart: they are the protocol's
// answer, not failures), RSS over time, and accounted bytes against the budget
// at every sample ($/cstStats, every 2 s).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import { pythonFiles } from '../helpers/corpus.js';
import type { CstStats } from '../../server/src/protocol.js';
import type { BenchContext, BenchSection } from './run.js';
import { distribution, markdownTable, ms, ratio, int, settle } from './measure.js';

export const name = 'load';

const MB = 1048576;
const CONTENT_MODIFIED = -32801;

interface Doc {
  uri: string;
  languageId: string;
  text: string;
  version: number;
  lines: number;
  /** What an edit inserts at the start of a line: a declaration of a new name (n is the edit number). */
  line: (n: number) => string;
}

/** Files of a size an editor session has open, sorted, first `count` found under `dirs` by `match`. */
function find(dirs: string[], match: RegExp, count: number, minBytes = 1_000, maxBytes = 60_000): string[] {
  const out: string[] = [];
  const stack = [...dirs].reverse();
  while (stack.length && out.length < count) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      continue;
    }
    const sub: string[] = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !/^(test|tests|__tests__|\.bin)$/.test(e.name)) sub.push(p);
      else if (e.isFile() && match.test(e.name)) {
        const size = fs.statSync(p).size;
        if (size >= minBytes && size <= maxBytes) out.push(p);
        if (out.length >= count) break;
      }
    }
    for (let i = sub.length - 1; i >= 0; i--) stack.push(sub[i]!);
  }
  return out;
}

function corpus(perLanguage: number): Doc[] {
  const nm = path.join(repoRoot, 'node_modules');
  const sets: { languageId: string; files: string[]; line: (n: number) => string }[] = [
    { languageId: 'python', files: pythonFiles(perLanguage, 1_000, 60_000), line: (n) => `edit_${n} = ${n}\n` },
    { languageId: 'typescript', files: find([path.join(nm, 'typescript/lib'), path.join(nm, 'vitest'), path.join(nm, 'zod')], /\.d?\.?ts$/, perLanguage), line: (n) => `let edit_${n} = ${n};\n` },
    { languageId: 'javascript', files: find([path.join(nm, 'pino'), path.join(nm, 'vscode-languageserver'), path.join(nm, 'prettier'), nm], /\.js$/, perLanguage), line: (n) => `var edit_${n} = ${n};\n` },
    { languageId: 'json', files: find([nm], /^package\.json$/, perLanguage, 600), line: () => ' ' },
    { languageId: 'c', files: find(['/usr/include'], /\.h$/, perLanguage), line: (n) => `int edit_${n};\n` },
  ];
  const docs: Doc[] = [];
  for (const set of sets) {
    if (set.files.length < perLanguage) throw new Error(`only ${set.files.length} ${set.languageId} files found (need ${perLanguage})`);
    for (const f of set.files) {
      const text = fs.readFileSync(f, 'utf8');
      docs.push({ uri: fileUri(f), languageId: set.languageId, text, version: 1, lines: text.split('\n').length, line: set.line });
    }
  }
  return docs;
}

/** A small deterministic PRNG (mulberry32): the same session on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'completion' | 'documentSymbol';

interface Tally {
  samples: Record<Kind, number[]>;
  stale: Record<Kind, number>;
  errors: string[];
}

function newTally(): Tally {
  return { samples: { completion: [], documentSymbol: [] }, stale: { completion: 0, documentSymbol: 0 }, errors: [] };
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Send a request, record its latency, ContentModified apart, anything else as an error. */
function track(s: TestServer, tally: Tally, kind: Kind, params: unknown, inflight: Set<Promise<void>>): void {
  const method = kind === 'completion' ? 'textDocument/completion' : 'textDocument/documentSymbol';
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const p = Promise.race([
    s.request(method, params),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${method} not answered within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS))),
  ])
    .then(
      () => void tally.samples[kind].push(performance.now() - t0),
      (err: { code?: number; message?: string }) => {
        if (err?.code === CONTENT_MODIFIED) tally.stale[kind]++;
        else tally.errors.push(`${method}: ${err?.message ?? String(err)}`);
      },
    )
    .finally(() => {
      clearTimeout(timer);
      inflight.delete(p);
    });
  inflight.add(p);
}

interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  wasmMb: number;
  usedMb: number;
  budgetMb: number;
  tiers: string;
  within: boolean;
}

function sampleOf(t: number, st: CstStats): Sample {
  return {
    t,
    rssMb: st.process.rssBytes / MB,
    heapMb: st.process.heapUsedBytes / MB,
    wasmMb: st.process.wasmHeapBytes / MB,
    usedMb: st.usedBytes / MB,
    budgetMb: st.budgetBytes / MB,
    tiers: `${st.tiers.hot.entries} / ${st.tiers.warm.entries} / ${st.tiers.cold.entries} / ${st.tiers.frozen.entries}`,
    within: st.usedBytes <= st.budgetBytes,
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const perLanguage = ctx.quick ? 12 : 60;
  const seconds = ctx.quick ? 10 : 60;
  const editsPerSecond = 100;
  const docs = corpus(perLanguage);
  const chars = docs.reduce((n, d) => n + d.text.length, 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bench-load-'));
  // CST_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under this load.
  // --expose-gc: after the load, a full collection shows what the session left behind (soak).
  const s = await startServer({ env: { CST_CACHE_DIR: dir, CST_MEMORY_MB: '100', CST_LOG_LEVEL: 'warn' }, nodeArgs: ['--expose-gc', ...(process.env.CST_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])] });
  const random = rng(8);
  const pick = () => docs[Math.floor(random() * docs.length)]!;
  const notes: string[] = [];
  try {
    ctx.log(`opening ${docs.length} documents (${(chars / MB).toFixed(1)} M chars, 5 languages)`);
    const t0 = performance.now();
    for (const d of docs) s.open(d.uri, d.languageId, d.text, d.version);
    await Promise.all(docs.map((d) => s.request('textDocument/documentSymbol', { textDocument: { uri: d.uri } })));
    const openSeconds = (performance.now() - t0) / 1000;
    await settle(1500); // idle confirmations
    const opened = await s.request<CstStats>('$/cstStats', {});
    const gcBefore = await s.request<{ process: CstStats['process'] }>('$/cstDebugGc', {});

    // Baseline: the same request mix on the same server, no edits.
    const idle = newTally();
    {
      ctx.log('baseline: requests without edits');
      const inflight = new Set<Promise<void>>();
      for (let i = 0; i < (ctx.quick ? 100 : 400); i++) {
        const d = pick();
        track(s, idle, 'completion', { textDocument: { uri: d.uri }, position: { line: Math.floor(random() * d.lines), character: 0 } }, inflight);
        track(s, idle, 'documentSymbol', { textDocument: { uri: d.uri } }, inflight);
        // At the load phase's request rate (~70/s), not a burst.
        await new Promise((r) => setTimeout(r, 25));
      }
      await Promise.all(inflight);
    }

    ctx.log(`load: ${editsPerSecond} edits/s for ${seconds} s with completion and documentSymbol interleaved`);
    const loaded = newTally();
    const samples: Sample[] = [sampleOf(0, opened)];
    const inflight = new Set<Promise<void>>();
    let edits = 0;
    let lastSample = 0;
    const start = performance.now();
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      if (elapsed >= seconds) break;
      const due = Math.floor(elapsed * editsPerSecond);
      while (edits < due) {
        const d = pick();
        const line = Math.floor(random() * d.lines);
        const text = d.line(edits);
        d.version++;
        s.change(d.uri, d.version, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }]);
        if (text.endsWith('\n')) d.lines++;
        edits++;
        // Half the edits are followed by completion inside the new name ("edit_" typed so far).
        if (edits % 2 === 0 && text.length > 6) {
          const at = text.indexOf('edit_') + 5;
          track(s, loaded, 'completion', { textDocument: { uri: d.uri }, position: { line, character: at }, context: { triggerKind: 1 } }, inflight);
        }
        // One in five edits is followed by an outline request (a breadcrumb/outline refresh) of another document.
        if (edits % 5 === 0) track(s, loaded, 'documentSymbol', { textDocument: { uri: pick().uri } }, inflight);
      }
      if (elapsed - lastSample >= 2) {
        lastSample = elapsed;
        const st = await s.request<CstStats>('$/cstStats', {});
        samples.push(sampleOf(Math.round(elapsed), st));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const sendSeconds = (performance.now() - start) / 1000;
    await Promise.all(inflight);
    const drainSeconds = (performance.now() - start) / 1000 - sendSeconds;
    samples.push(sampleOf(Math.round((performance.now() - start) / 1000), await s.request<CstStats>('$/cstStats', {})));
    const end = samples.at(-1)!;
    const health = await s.request<{ status: string }>('$/health', {});
    await settle(2000); // the last confirmations
    const gcAfter = await s.request<{ process: CstStats['process'] }>('$/cstDebugGc', {});

    // ---- report ----
    const rows: string[][] = [];
    const figures: Record<string, number> = {
      documents: docs.length,
      edits,
      editsPerSecond: edits / sendSeconds,
      errors: loaded.errors.length + idle.errors.length,
      drainSeconds,
      openSeconds,
    };
    for (const kind of ['completion', 'documentSymbol'] as Kind[]) {
      const base = distribution(idle.samples[kind]);
      const d = distribution(loaded.samples[kind]);
      rows.push([kind, int(d.n), `${ms(base.p50)} / ${ms(base.p99)}`, ms(d.p50), ms(d.p95), ms(d.p99), ms(d.max), ratio(d.p50 / base.p50), int(loaded.stale[kind]), String(loaded.errors.filter((e) => e.includes(kind)).length)]);
      figures[`${kind}P50`] = d.p50;
      figures[`${kind}P99`] = d.p99;
      figures[`${kind}IdleP50`] = base.p50;
      figures[`${kind}Stale`] = loaded.stale[kind];
    }
    const table1 = markdownTable(['request', 'answered under load', 'idle p50 / p99 (ms)', 'load p50', 'p95', 'p99', 'max', 'load / idle p50', 'stale (ContentModified)', 'errors'], rows);
    const allWithin = samples.every((x) => x.within);
    figures.samples = samples.length;
    figures.allWithinBudget = allWithin ? 1 : 0;
    figures.maxUsedMb = Math.max(...samples.map((x) => x.usedMb));
    figures.rssStartMb = samples[0]!.rssMb;
    figures.rssEndMb = end.rssMb;
    figures.rssMaxMb = Math.max(...samples.map((x) => x.rssMb));
    figures.heapAfterGcBeforeMb = gcBefore.process.heapUsedBytes / MB;
    figures.heapAfterGcAfterMb = gcAfter.process.heapUsedBytes / MB;
    figures.rssAfterGcMb = gcAfter.process.rssBytes / MB;
    // One row per 10 s (the sample nearest each mark) and the last.
    const marks = Array.from({ length: Math.floor(end.t / 10) + 1 }, (_, i) => i * 10);
    const shown = [...new Set([...marks.map((m) => samples.reduce((a, b) => (Math.abs(b.t - m) < Math.abs(a.t - m) ? b : a))), end])];
    const table2 = markdownTable(
      ['t (s)', 'RSS (MB)', 'JS heap', 'WASM heap', 'accounted / budget (MB)', 'hot / warm / cold / frozen'],
      shown.map((x) => [String(x.t), x.rssMb.toFixed(0), x.heapMb.toFixed(0), x.wasmMb.toFixed(0), `${x.usedMb.toFixed(1)} / ${x.budgetMb.toFixed(0)}${x.within ? '' : ' OVER'}`, x.tiers]),
    );
    notes.push(
      `${docs.length} documents (${perLanguage} each of Python, TypeScript, JavaScript, JSON, C; real files of 1-60 KB, ${(chars / MB).toFixed(1)} M chars) opened and served in ${openSeconds.toFixed(1)} s; CST_MEMORY_MB=100; one server over stdio.`,
      `${int(edits)} edits in ${sendSeconds.toFixed(0)} s (${(edits / sendSeconds).toFixed(0)}/s, each a one-line insertion at a random line of a random document), completion after every second edit at the new name, documentSymbol of a random document after every fifth; requests are not awaited before the next edit (an editor does not wait either). All answered ${drainSeconds.toFixed(1)} s after the last edit.`,
      `Baseline: the same two requests on the same server just before, without edits, at a similar request rate (${idle.samples.completion.length + idle.samples.documentSymbol.length} requests).`,
      `Errors: ${loaded.errors.length + idle.errors.length}${loaded.errors.length ? ` (${loaded.errors.slice(0, 3).join('; ')})` : ''}. Stale: requests answered ContentModified because their document changed again before they ran (they never ran).`,
      `Accounted bytes within the budget at all ${samples.length} samples: ${allWithin ? 'yes' : 'NO'} (max ${figures.maxUsedMb!.toFixed(1)} MB of 100). RSS ${figures.rssStartMb!.toFixed(0)} MB after opening, ${figures.rssEndMb!.toFixed(0)} MB at the end, max ${figures.rssMaxMb!.toFixed(0)} MB. $/health at the end: ${health.status}.`,
      `Soak: JS heap after a full GC ${figures.heapAfterGcBeforeMb!.toFixed(1)} MB before the load and ${figures.heapAfterGcAfterMb!.toFixed(1)} MB after it (same documents, ${int(edits)} lines longer); RSS after that GC ${figures.rssAfterGcMb!.toFixed(0)} MB (V8 keeps the heap it grew; WASM memory never shrinks).`,
    );
    return { title: 'Load and soak', table: `${table1}\n\n${table2}`, notes, figures, raw: { completion: loaded.samples.completion, documentSymbol: loaded.samples.documentSymbol } };
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
