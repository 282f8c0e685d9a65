// Cache-directory commands: stats, verify, clear, cleanup, defrag. They work
// offline on the frozen tier's directory (and are safe while servers use it:
// segments another running process is appending to are left alone).
// Results go to stdout (--json for machines); an unusable directory is one
// clear line on stderr and exit 2; verify exits 1 when anything is damaged.
import * as path from 'node:path';
import { defaultCacheDir } from '../config.js';
import {
  SegmentStore,
  STORE_FORMAT_VERSION,
  inspectCacheDir,
  type CacheDirState,
  type MaintenanceResult,
  type VerifyReport,
} from '../cache/segmentStore.js';
import { parseArgs, flagString, UsageError, type ParsedArgs } from './args.js';

type Out = NodeJS.WritableStream;

const COMMON = '--cache-dir DIR  the cache directory (default: $CST_CACHE_DIR, else the XDG cache directory)\n    --json           machine-readable output';

/** Parse an age such as 30s, 15m, 12h or 7d into milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`--older-than needs an age with a unit, e.g. 90s, 30m, 12h or 7d (got "${text}")`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function cacheDir(args: ParsedArgs): string {
  const flag = flagString(args, 'cache-dir');
  if (flag) return path.resolve(flag);
  const env = process.env.CST_CACHE_DIR;
  if (env) return path.resolve(env);
  return defaultCacheDir();
}

/** One clear line (exit 2) for a directory we cannot or must not use. */
export function usableDir(dir: string): CacheDirState & { kind: 'store' | 'empty' } {
  const state = inspectCacheDir(dir);
  switch (state.kind) {
    case 'missing':
      throw new Error(`no cache directory at ${dir} (nothing cached yet, or check --cache-dir / CST_CACHE_DIR)`);
    case 'not-a-directory':
      throw new Error(`${dir} is not a directory`);
    case 'unreadable':
      throw new Error(`cannot read ${dir} (${state.detail})`);
    case 'foreign':
      throw new Error(`${dir} is not a cst-language-server cache directory: ${state.detail}; refusing to touch it`);
    default:
      return state;
  }
}

function noPositionals(args: ParsedArgs): void {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1048576).toFixed(1)} MiB`;
  return `${(n / 1073741824).toFixed(2)} GiB`;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function writeJson(out: Out, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

// ----- stats -----------------------------------------------------------------

const statsUsage = `cst-cli stats [--cache-dir DIR] [--json]
  Segments, records, bytes and records per language in the frozen cache.
    ${COMMON}
  Exit: 0, or 2 when the directory is missing or not a cache directory.`;

async function stats(argv: string[], out: Out = process.stdout): Promise<number> {
  const args = parseArgs(argv, { 'cache-dir': true, json: false });
  noPositionals(args);
  const dir = cacheDir(args);
  const state = usableDir(dir);
  const store = SegmentStore.open(dir, { create: false, readOnly: true, quiet: true });
  try {
    const s = store.stats();
    const sum = store.summary();
    const result = {
      dir,
      formatVersion: STORE_FORMAT_VERSION,
      markerVersion: state.kind === 'store' ? (state.markerVersion ?? null) : null,
      segments: s.segments,
      bytes: s.bytes,
      records: sum.liveRecords,
      deadRecords: sum.deadRecords,
      tombstones: sum.tombstones,
      corruptRecords: s.corruptRecords,
      foreignFiles: sum.foreignFiles,
      languages: sum.languages,
      oldestWrite: iso(sum.oldestWriteMs),
      newestWrite: iso(sum.newestWriteMs),
    };
    if (args.flags.has('json')) {
      writeJson(out, result);
      return 0;
    }
    const lines = [
      `cache dir:  ${dir}${state.kind === 'empty' ? ' (empty)' : ''}`,
      `format:     ${STORE_FORMAT_VERSION}${result.markerVersion !== null && result.markerVersion !== STORE_FORMAT_VERSION ? ` (directory created by format ${result.markerVersion})` : ''}`,
      `segments:   ${s.segments} (${formatBytes(s.bytes)})`,
      `records:    ${sum.liveRecords} live, ${sum.deadRecords} dead, ${sum.tombstones} deletion markers`,
    ];
    const langs = Object.entries(sum.languages).sort((a, b) => b[1].bytes - a[1].bytes);
    if (langs.length > 0) {
      lines.push('languages:');
      for (const [id, l] of langs) lines.push(`  ${id || '(none)'}: ${l.records} record${l.records === 1 ? '' : 's'}, ${formatBytes(l.bytes)}`);
    }
    if (result.oldestWrite) lines.push(`written:    ${result.oldestWrite} .. ${result.newestWrite}`);
    if (s.corruptRecords > 0 || sum.foreignFiles > 0) {
      lines.push(`damage:     ${s.corruptRecords} damaged record(s) or foreign file(s) skipped; run \`cst-cli verify\` for details, \`cst-cli defrag\` to drop them`);
    }
    out.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    store.close();
  }
}

// ----- verify ----------------------------------------------------------------

const verifyUsage = `cst-cli verify [--cache-dir DIR] [--json]
  Checks every record of every segment (header and record checksums, format version, truncation).
    ${COMMON}
  Exit: 0 all records valid, 1 damaged records or foreign files found, 2 unusable directory.`;

async function verify(argv: string[], out: Out = process.stdout): Promise<number> {
  const args = parseArgs(argv, { 'cache-dir': true, json: false });
  noPositionals(args);
  const dir = cacheDir(args);
  usableDir(dir);
  const store = SegmentStore.open(dir, { create: false, readOnly: true, quiet: true });
  let report: VerifyReport;
  try {
    report = await store.verify();
  } finally {
    store.close();
  }
  if (args.flags.has('json')) {
    writeJson(out, report);
    return report.ok ? 0 : 1;
  }
  const lines: string[] = [];
  for (const seg of report.segments) {
    if (seg.corrupt === 0 && seg.incompleteTail !== 'writing') continue;
    if (seg.incompleteTail === 'writing' && seg.corrupt === 0) {
      lines.push(`segments/${seg.name}: being written by a running process (incomplete tail is expected)`);
      continue;
    }
    lines.push(`segments/${seg.name}: ${seg.corrupt} damaged record${seg.corrupt === 1 ? '' : 's'} (${seg.records} valid)`);
    for (const p of seg.problems.slice(0, 20)) lines.push(`  offset ${p.offset}: ${p.detail}`);
    if (seg.problems.length > 20) lines.push(`  ... and ${seg.problems.length - 20} more`);
  }
  for (const f of report.foreignFiles) lines.push(`segments/${f.name}: not a segment of this store: ${f.detail}`);
  for (const t of report.tempFiles) lines.push(`segments/${t.name}: temporary file of ${t.writerRunning ? 'a running' : 'an interrupted'} defrag or clear${t.writerRunning ? '' : ' (cleanup removes it)'}`);
  const summary = `${report.segments.length} segment${report.segments.length === 1 ? '' : 's'}, ${report.records} valid records (${report.liveRecords} live) in ${dir}`;
  if (report.ok) {
    lines.push(`ok: ${summary}`);
  } else {
    const parts = [];
    if (report.corruptRecords > 0) parts.push(`${report.corruptRecords} damaged record${report.corruptRecords === 1 ? '' : 's'}`);
    if (report.foreignFiles.length > 0) parts.push(`${report.foreignFiles.length} foreign file${report.foreignFiles.length === 1 ? '' : 's'}`);
    lines.push(`FAILED: ${parts.join(', ')}; ${summary}`);
    lines.push('The server skips damaged records and rebuilds them from source; `cst-cli defrag` drops them from disk.');
  }
  out.write(lines.join('\n') + '\n');
  return report.ok ? 0 : 1;
}

// ----- clear, cleanup, defrag ------------------------------------------------

function openForMaintenance(dir: string): SegmentStore {
  const store = SegmentStore.open(dir, { create: false, maxDiskBytes: Number.POSITIVE_INFINITY, quiet: true });
  const degraded = store.stats().degraded;
  if (degraded) {
    store.close();
    throw new Error(`cannot change ${dir}: ${degraded}`);
  }
  return store;
}

function report(out: Out, json: boolean, what: string, dir: string, r: MaintenanceResult, human: string): void {
  if (json) {
    writeJson(out, { command: what, dir, ...r });
    return;
  }
  out.write(`${human}\n${formatBytes(r.bytesBefore)} -> ${formatBytes(r.bytesAfter)} in ${dir}\n`);
}

const EMPTY: MaintenanceResult = { removedSegments: 0, removedRecords: 0, droppedRecords: 0, writtenSegments: 0, keptRecords: 0, bytesBefore: 0, bytesAfter: 0, removedOtherFiles: 0, skippedBusySegments: 0 };

const clearUsage = `cst-cli clear (--all | --language ID) [--cache-dir DIR] [--json]
  Removes every record, or every record of one language (e.g. python).
    ${COMMON}
  Exit: 0, or 2 for a usage error or an unusable directory.`;

async function clear(argv: string[], out: Out = process.stdout): Promise<number> {
  const args = parseArgs(argv, { 'cache-dir': true, json: false, all: false, language: true });
  noPositionals(args);
  const all = args.flags.has('all');
  const language = flagString(args, 'language');
  if (all === (language !== undefined)) throw new UsageError(all ? 'give --all or --language, not both' : 'say what to clear: --all or --language ID');
  const dir = cacheDir(args);
  const json = args.flags.has('json');
  if (usableDir(dir).kind === 'empty') {
    report(out, json, 'clear', dir, EMPTY, 'nothing to clear: the directory is empty');
    return 0;
  }
  const store = openForMaintenance(dir);
  try {
    const r = await store.clear(language === undefined ? {} : { language });
    const busy = r.skippedBusySegments > 0 ? ` (${r.skippedBusySegments} segment(s) being written by a running server: their records were marked deleted)` : '';
    const human = language === undefined
      ? `cleared: removed ${r.removedSegments} segment${r.removedSegments === 1 ? '' : 's'} with ${r.removedRecords} record${r.removedRecords === 1 ? '' : 's'}`
      : `cleared ${language}: removed ${r.removedRecords} record${r.removedRecords === 1 ? '' : 's'}, kept ${r.keptRecords}${busy}`;
    report(out, json, 'clear', dir, r, human);
    return 0;
  } finally {
    store.close();
  }
}

const cleanupUsage = `cst-cli cleanup --older-than AGE [--cache-dir DIR] [--json]
  Removes segments not used (read or written) for longer than AGE (30s, 15m, 12h, 7d), and stale temporary files.
    ${COMMON}
  Exit: 0, or 2 for a usage error or an unusable directory.`;

async function cleanup(argv: string[], out: Out = process.stdout): Promise<number> {
  const args = parseArgs(argv, { 'cache-dir': true, json: false, 'older-than': true });
  noPositionals(args);
  const age = flagString(args, 'older-than');
  if (age === undefined) throw new UsageError('cleanup needs --older-than AGE (e.g. 7d)');
  const olderThanMs = parseAge(age);
  const dir = cacheDir(args);
  const json = args.flags.has('json');
  if (usableDir(dir).kind === 'empty') {
    report(out, json, 'cleanup', dir, EMPTY, 'nothing to clean up: the directory is empty');
    return 0;
  }
  const store = openForMaintenance(dir);
  try {
    const r = await store.cleanup({ olderThanMs });
    const extra = r.removedOtherFiles > 0 ? ` and ${r.removedOtherFiles} stale temporary file(s)` : '';
    report(out, json, 'cleanup', dir, r, `removed ${r.removedSegments} segment${r.removedSegments === 1 ? '' : 's'} unused for ${age} (${r.removedRecords} records)${extra}; ${r.keptRecords} records kept`);
    return 0;
  } finally {
    store.close();
  }
}

const defragUsage = `cst-cli defrag [--cache-dir DIR] [--json]
  Rewrites live records into fresh segments (new files are complete and synced before old ones are removed),
  dropping deleted, superseded and damaged records and files that do not belong in the store.
    ${COMMON}
  Exit: 0, or 2 for an unusable directory.`;

async function defrag(argv: string[], out: Out = process.stdout): Promise<number> {
  const args = parseArgs(argv, { 'cache-dir': true, json: false });
  noPositionals(args);
  const dir = cacheDir(args);
  const json = args.flags.has('json');
  if (usableDir(dir).kind === 'empty') {
    report(out, json, 'defrag', dir, EMPTY, 'nothing to defragment: the directory is empty');
    return 0;
  }
  const store = openForMaintenance(dir);
  try {
    const r = await store.defrag();
    const busy = r.skippedBusySegments > 0 ? `; ${r.skippedBusySegments} segment(s) being written by a running server left alone` : '';
    const other = r.removedOtherFiles > 0 ? `; removed ${r.removedOtherFiles} foreign or stale file(s)` : '';
    report(out, json, 'defrag', dir, r, `defragmented: ${r.removedSegments} segment${r.removedSegments === 1 ? '' : 's'} -> ${r.writtenSegments}, kept ${r.keptRecords} records, dropped ${r.droppedRecords}${other}${busy}`);
    return 0;
  } finally {
    store.close();
  }
}

export const commands: Record<string, { usage: string; run: (argv: string[]) => Promise<number> }> = {
  stats: { usage: statsUsage, run: (argv) => stats(argv) },
  verify: { usage: verifyUsage, run: (argv) => verify(argv) },
  clear: { usage: clearUsage, run: (argv) => clear(argv) },
  cleanup: { usage: cleanupUsage, run: (argv) => cleanup(argv) },
  defrag: { usage: defragUsage, run: (argv) => defrag(argv) },
};
