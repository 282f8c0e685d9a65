// cst-cli prewarm --directory DIR: index a folder into the cache directory
// with the server's own walker, workers and indexer, showing progress, and
// end with a summary. The first command a newcomer runs on a real folder; CI
// uses it to pre-build a cache that servers then start from.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { settingsFromEnv } from '../config.js';
import { GrammarRegistry } from '../syntax/grammars.js';
import { SegmentStore } from '../cache/segmentStore.js';
import { WorkerPool } from '../workspace/workers.js';
import { WorkspaceIndex } from '../workspace/index.js';
import { Indexer, type IndexProgress } from '../workspace/indexer.js';
import { parseArgs, flagString, UsageError } from './args.js';

export const usage = `cst-cli prewarm --directory DIR [--cache-dir DIR] [--workers N] [--max-files N] [--max-file-mb N] [--exclude GLOBS] [--include GLOBS] [--full] [--json]
  Indexes every file of a known language under DIR into the cache directory (the server then starts
  from it without parsing), with a progress bar on a terminal, then prints a summary: files, MB, time,
  parse time, files per language and skipped files with reasons. GLOBS are comma-separated.
  --full also stores compact syntax trees (opening those files later needs no parse).
  Exit: 0 done, 2 usage error or unusable directory.`;

function bar(done: number, total: number, width = 28): string {
  const frac = total ? done / total : 1;
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%`;
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv, { directory: true, 'cache-dir': true, workers: true, 'max-files': true, 'max-file-mb': true, exclude: true, include: true, full: false, json: false });
  const dir = flagString(args, 'directory') ?? args.positionals[0];
  if (!dir) throw new UsageError('prewarm needs --directory DIR');
  const root = path.resolve(dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const env = settingsFromEnv();
  const settings = env.settings;
  const num = (name: string, min: number): number | undefined => {
    const v = flagString(args, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number >= ${min}`);
    return n;
  };
  settings.cacheDir = path.resolve(flagString(args, 'cache-dir') ?? settings.cacheDir);
  settings.maxWorkers = num('workers', 1) ?? settings.maxWorkers;
  settings.index.maxFiles = num('max-files', 1) ?? settings.index.maxFiles;
  const maxMb = num('max-file-mb', 0.001);
  if (maxMb) settings.index.maxFileBytes = Math.round(maxMb * 1048576);
  const globs = (name: string) => (flagString(args, name) ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  settings.index.exclude = [...settings.index.exclude, ...globs('exclude')];
  settings.index.include = [...settings.index.include, ...globs('include')];

  const store = SegmentStore.open(settings.cacheDir, { segmentSize: settings.segmentSize, maxDiskBytes: Math.round(settings.diskMb * 1048576) });
  const degraded = store.stats().degraded;
  if (degraded) {
    process.stderr.write(`cst-cli prewarm: the cache directory ${settings.cacheDir} is unusable: ${degraded}\n`);
    return 2;
  }
  const registry = GrammarRegistry.fromDisk();
  const pool = new WorkerPool(settings.maxWorkers, settings.backgroundWorkers);
  const index = new WorkspaceIndex();
  const indexer = new Indexer({ registry, pool, store: () => store, settings: () => settings, index, entryKind: args.flags.has('full') ? 'full' : 'index' });
  const tty = process.stderr.isTTY === true && !args.flags.has('json');
  const started = performance.now();
  let lastLine = 0;
  let lastPct = -1;
  const progress: IndexProgress = {
    begin: (total) => process.stderr.write(`Indexing ${total} files under ${root} into ${settings.cacheDir} (${settings.maxWorkers} worker${settings.maxWorkers === 1 ? '' : 's'})\n`),
    report: (done, total) => {
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      if (tty) {
        process.stderr.write(`\r${bar(done, total)} ${done}/${total} files  ${secs} s `);
        return;
      }
      const pct = total ? Math.floor((done / total) * 10) * 10 : 100;
      if (pct !== lastPct || performance.now() - lastLine > 5000) {
        lastPct = pct;
        lastLine = performance.now();
        process.stderr.write(`${pct}% ${done}/${total} files ${secs} s\n`);
      }
    },
    end: () => {
      if (tty) process.stderr.write('\n');
    },
  };
  const summary = await indexer.run([root], progress);
  await store.flush();
  const st = store.stats();
  store.close();
  await pool.close();
  if (args.flags.has('json')) {
    out.write(`${JSON.stringify({ root, cacheDir: settings.cacheDir, ...summary, store: st }, null, 2)}\n`);
    return 0;
  }
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const lines = [
    `Indexed ${summary.files} files (${mb(summary.bytes)} of text) in ${(summary.ms / 1000).toFixed(1)} s: ${summary.parsed} parsed (${(summary.parseMs / 1000).toFixed(1)} s of parsing in workers), ${summary.fromCache} already in the cache.`,
    `By language: ${Object.entries(summary.perLanguage).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ') || 'none'}`,
  ];
  const skipped = Object.entries(summary.skipped);
  if (skipped.length) {
    lines.push('Skipped:');
    for (const [reason, n] of skipped.sort((a, b) => b[1] - a[1])) lines.push(`  ${reason}: ${n}${summary.examples[reason]?.length ? ` (e.g. ${summary.examples[reason]!.slice(0, 2).join(', ')})` : ''}`);
  }
  if (summary.fileLimitHit) lines.push(`The file limit (${settings.index.maxFiles}) was reached: raise it with --max-files.`);
  lines.push(`Cache: ${st.records} records in ${st.segments} segments, ${mb(st.bytes)} at ${settings.cacheDir}`);
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
