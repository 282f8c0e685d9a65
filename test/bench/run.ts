// Benchmark runner: `npm run bench` (builds, then `tsx test/bench/run.ts`).
//
//   tsx test/bench/run.ts [--only NAME]... [--quick]
//
// Runs the benchmark modules below one after another (never in parallel: the
// machine is small and shared), prints progress to stderr, and writes the
// combined markdown to stdout and to test/bench/results/latest.md, and the
// figures (plus raw samples) to test/bench/results/latest.json. A partial run
// (--only, --quick) writes latest-NAME[-quick].md/.json instead, so that it
// never replaces the full run's figures.
//
// The module contract. A module is a file in test/bench/ that exports
//
//   export const name = 'keystroke';            // what --only selects
//   export async function run(ctx: BenchContext): Promise<BenchSection>
//
// and is listed in MODULES below. `run` starts whatever it needs (usually the
// built server, through startServer() of test/helpers/lsp.ts), stops it before
// returning, and returns one section:
//
//   title    heading of the section
//   table    markdown (one or more tables) — what README quotes
//   notes    bullet lines: what was measured, on what, caveats
//   figures  key numbers, flat (name -> number, ms unless the name says
//            otherwise), for the JSON and for comparing runs
//   raw      optional raw samples (name -> numbers)
//
// Because timings on a shared machine are noisy, a module reports
// distributions (p50/p95/p99/max, see measure.ts) and ratios against a
// baseline measured in the same run, never a single timing, and asserts
// nothing about speed. With ctx.quick it does a short smoke run (fewer
// samples): the figures are then not for quoting.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine } from './measure.js';

export interface BenchContext {
  /** Short smoke run: few samples, figures not for quoting. */
  quick: boolean;
  /** Progress line to stderr, prefixed with the module name. */
  log: (message: string) => void;
}

export interface BenchSection {
  title: string;
  table: string;
  notes: string[];
  figures: Record<string, number>;
  raw?: Record<string, number[]>;
}

export interface BenchModule {
  name: string;
  run: (ctx: BenchContext) => Promise<BenchSection>;
}

/** In run order. Loaded lazily so that --only loads only what it runs. */
const MODULES: { name: string; load: () => Promise<BenchModule> }[] = [
  { name: 'keystroke', load: () => import('./keystroke.js') },
  { name: 'cache', load: () => import('./cache.js') },
  { name: 'indexing', load: () => import('./indexing.js') },
  { name: 'outline-agreement', load: () => import('./outline-agreement.js') },
  { name: 'formatting', load: () => import('./formatting.js') },
  { name: 'completion', load: () => import('./completion.js') },
  { name: 'completion-speed', load: () => import('./completion-speed.js') },
  { name: 'load', load: () => import('./load.js') },
];

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

function parseArgs(argv: string[]): { only: string[]; quick: boolean } {
  const only: string[] = [];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only') only.push(argv[++i] ?? '');
    else if (a.startsWith('--only=')) only.push(a.slice('--only='.length));
    else if (a === '--help' || a === '-h') {
      process.stderr.write(`usage: tsx test/bench/run.ts [--only NAME]... [--quick]\nmodules: ${MODULES.map((m) => m.name).join(', ')}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  const unknown = only.filter((n) => !MODULES.some((m) => m.name === n));
  if (unknown.length) throw new Error(`unknown module ${unknown.join(', ')}; known: ${MODULES.map((m) => m.name).join(', ')}`);
  return { only, quick };
}

function sectionMarkdown(s: BenchSection): string {
  return [`## ${s.title}`, '', s.table, '', ...s.notes.map((n) => `- ${n}`)].join('\n');
}

async function main(): Promise<void> {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const selected = MODULES.filter((m) => only.length === 0 || only.includes(m.name));
  const started = new Date();
  const sections: { name: string; section?: BenchSection; error?: string; seconds: number }[] = [];
  for (const entry of selected) {
    const t0 = performance.now();
    const log = (message: string) => process.stderr.write(`[bench ${entry.name}] ${message}\n`);
    log(quick ? 'start (quick)' : 'start');
    try {
      const mod = await entry.load();
      const section = await mod.run({ quick, log });
      sections.push({ name: entry.name, section, seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`FAILED: ${error}`);
      sections.push({ name: entry.name, error, seconds: (performance.now() - t0) / 1000 });
    }
    log(`done in ${(performance.now() - t0) / 1000 | 0} s`);
  }

  const header = [
    `# Benchmarks${quick ? ' (quick smoke run: figures not for quoting)' : ''}`,
    '',
    `${started.toISOString()} · ${machine()}`,
  ].join('\n');
  const body = sections.map((s) => (s.section ? sectionMarkdown(s.section) : `## ${s.name}\n\nFAILED:\n\n\`\`\`\n${s.error}\n\`\`\``));
  const markdown = [header, ...body].join('\n\n') + '\n';
  const json = {
    date: started.toISOString(),
    machine: machine(),
    quick,
    modules: sections.map((s) => ({ name: s.name, seconds: s.seconds, error: s.error, ...s.section })),
  };

  const base = ['latest', ...only, ...(quick ? ['quick'] : [])].join('-');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, `${base}.md`), markdown);
  fs.writeFileSync(path.join(resultsDir, `${base}.json`), JSON.stringify(json, null, 2) + '\n');
  process.stdout.write(markdown);
  process.stderr.write(`[bench] wrote ${path.relative(process.cwd(), path.join(resultsDir, base))}.md and .json\n`);
  if (sections.some((s) => s.error)) process.exitCode = 1;
}

// Only when run as a script: modules may import this file's types.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  });
}
