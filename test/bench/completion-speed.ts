// Completion speed (issue 6): typing into a 5,000-line Python file with the
// standard library indexed, didChange + completion per keystroke, beside the
// same keystrokes with a trivial request in the same run.
//   tsx test/bench/run.ts --only completion-speed [--quick]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompletionList } from 'vscode-languageserver-protocol';
import { fileUri, startServer, type TestServer } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';
import { distribution, machine, markdownTable, median, ms, ratio } from './measure.js';
import type { BenchContext, BenchSection } from './run.js';

export const name = 'completion-speed';

export async function waitIndexed(server: TestServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.progress.some((p) => p.value.kind === 'end')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('workspace indexing did not finish');
}

export async function waitTree(server: TestServer, uri: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const t = await server.request<{ hasTree: boolean } | null>('$/cstDebugTree', { uri, digest: false });
    if (t?.hasTree) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Between didOpen and the first keystroke. */
const OPEN_PAUSE_MS = 1000;

export const STD_EXCLUDES = ['**/site-packages/**', '**/test/**', '**/tests/**', '**/idlelib/**', '**/lib2to3/**'];

export interface SpeedResult {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
  indexed: number;
  /** Typing sessions measured (the figures are their medians), and each one's p99. */
  rounds: number;
  p99s: number[];
  /** The first keystroke's round trip when typing starts right after didOpen (no quiet time). */
  firstAtOnce: number;
  /** The same keystrokes with a trivial request ($/cstStats for the document) instead of completion. */
  baseline: { p50: number; p95: number; p99: number; max: number };
}

/**
 * Type `keystrokes` characters into a 5,000-line file with the standard
 * library indexed; per keystroke, didChange + completion, round trip from the
 * client. Baseline in the same run: a copy of the file typed the same way with
 * didChange + $/cstStats (the parse and a round trip, no completion).
 */
export async function speed(ctx: BenchContext, keystrokes: number, rounds = 1): Promise<SpeedResult> {
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
    const snippet = '\n        result = self._fix(context)\n        if result.is_nan() and context.traps:\n            exponent = result.adjusted() + len(self._int)\n            return context._raise_error(InvalidOperation, "bad")';
    const typed = snippet.repeat(Math.ceil(keystrokes / snippet.length)).slice(0, keystrokes);
    const type = async (name: string, request: (uri: string, line: number, character: number, ch: string) => Promise<unknown>, pauseMs = OPEN_PAUSE_MS): Promise<number[]> => {
      const uri = fileUri(path.join(os.tmpdir(), 'cst-bench-completion-speed', name));
      server.open(uri, 'python', text, 1);
      await waitTree(server, uri);
      // A user looks at a file before typing into it: the server prepares its completion facts in that quiet time.
      await new Promise((r) => setTimeout(r, pauseMs));
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
        await request(uri, line, character, ch);
        times.push(performance.now() - start);
      }
      server.close(uri);
      return times;
    };
    const completion = (uri: string, line: number, character: number, ch: string) =>
      server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character }, context: { triggerKind: ch === '.' ? 2 : 3, ...(ch === '.' ? { triggerCharacter: '.' } : {}) } });
    // Warm-up, not measured: the same keystrokes with the trivial request into another copy, so that
    // neither measurement below pays for the client's JIT warm-up or the server's first edits (both
    // measured ones come after it; see the notes for the first keystroke of a session).
    await type('decimal5000-warmup.py', (uri) => server.request('$/cstStats', { uri }));
    // Rounds of completion then baseline, each on a fresh copy: the figures are the medians over the
    // rounds (this machine's noise moves a single run's p99 by several ms).
    const runs: ReturnType<typeof distribution>[] = [];
    const bases: ReturnType<typeof distribution>[] = [];
    for (let r = 0; r < rounds; r++) {
      runs.push(distribution(await type(`decimal5000-${r}.py`, completion)));
      bases.push(distribution(await type(`decimal5000-baseline-${r}.py`, (uri) => server.request('$/cstStats', { uri }))));
    }
    // The first keystroke when typing starts at once after didOpen (no quiet time: the whole file's facts are built then).
    const unprepared = (await type('decimal5000-at-once.py', completion, 0)).slice(0, 1);
    const mid = (xs: ReturnType<typeof distribution>[], k: 'p50' | 'p95' | 'p99' | 'max') => median(xs.map((x) => x[k]));
    return {
      p50: mid(runs, 'p50'),
      p95: mid(runs, 'p95'),
      p99: mid(runs, 'p99'),
      max: mid(runs, 'max'),
      n: runs[0]!.n,
      rounds,
      p99s: runs.map((x) => x.p99),
      indexed: stats.documents?.indexed ?? 0,
      firstAtOnce: unprepared[0]!,
      baseline: { p50: mid(bases, 'p50'), p95: mid(bases, 'p95'), p99: mid(bases, 'p99'), max: mid(bases, 'max') },
    };
  } finally {
    await server.stop();
  }
}


export async function run(ctx: BenchContext): Promise<BenchSection> {
  const sp = await speed(ctx, ctx.quick ? 60 : 300, ctx.quick ? 1 : 3);
  const table = markdownTable(
    ['per keystroke', 'keystrokes', 'p50', 'p95', 'p99', 'max'],
    [
      ['didChange + completion', String(sp.n), ms(sp.p50), ms(sp.p95), ms(sp.p99), ms(sp.max)],
      ['didChange + $/cstStats (baseline: parse and round trip)', String(sp.n), ms(sp.baseline.p50), ms(sp.baseline.p95), ms(sp.baseline.p99), ms(sp.baseline.max)],
      ['completion / baseline', '', ratio(sp.p50 / sp.baseline.p50), ratio(sp.p95 / sp.baseline.p95), ratio(sp.p99 / sp.baseline.p99), ''],
    ],
  );
  return {
    title: 'Completion speed',
    table,
    notes: [
      `${sp.indexed} standard-library files indexed (site-packages and tests excluded); the first 5,000 lines of _pydecimal.py, typed into at the end of the line \`return (self.__class__,\` (inside an open parenthesis: every keystroke of the first line typed is in tree-sitter's error recovery), ${OPEN_PAUSE_MS / 1000} s after didOpen (the server builds the file's completion facts once the connection is quiet); round trips measured by the client (JSON-RPC over stdio).`,
      `Medians of ${sp.rounds} rounds in one server, each round a fresh copy typed with completion, then another with the baseline request, after one unmeasured warm-up session with the baseline request; p99 per round: ${sp.p99s.map((x) => ms(x)).join(', ')} ms.`,
      `Typing at once after didOpen instead, the first keystroke took ${ms(sp.firstAtOnce)} ms (the whole file's completion facts are built then); the following ones are as above.`,
      machine(),
    ],
    figures: { first_keystroke_at_once: sp.firstAtOnce, keystroke_p50: sp.p50, keystroke_p95: sp.p95, keystroke_p99: sp.p99, keystroke_max: sp.max, baseline_p50: sp.baseline.p50, baseline_p99: sp.baseline.p99, indexed: sp.indexed },
  };
}
