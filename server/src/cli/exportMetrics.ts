// cst-cli export-metrics --format json|prometheus: the cache directory's
// figures (segments, bytes, records per state and language, damage, write
// times) for monitoring, e.g. through node_exporter's textfile collector from
// a cron job on a shared dev box or a CI cache volume. Read-only; safe while
// servers use the directory.
import { Gauge, Registry } from 'prom-client';
import { SegmentStore, STORE_FORMAT_VERSION } from '../cache/segmentStore.js';
import { parseArgs, flagString, UsageError } from './args.js';
import { cacheDir, usableDir } from './store.js';

export const usage = `cst-cli export-metrics --format json|prometheus [--cache-dir DIR]
  The cache directory's figures: segments, bytes, live/dead records and deletion markers, records and
  bytes per language, damaged records, foreign files, oldest and newest write. Prometheus text format
  (for node_exporter's textfile collector) or JSON.
  Exit: 0, or 2 when the directory is missing or not a cache directory, or the format is not given.`;

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv, { format: true, 'cache-dir': true });
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const format = flagString(args, 'format');
  if (format !== 'json' && format !== 'prometheus') throw new UsageError(format === undefined ? '--format is required: json or prometheus' : `--format must be json or prometheus (got "${format}")`);
  const dir = cacheDir(args);
  usableDir(dir);
  const store = SegmentStore.open(dir, { create: false, readOnly: true, quiet: true });
  let figures;
  try {
    const s = store.stats();
    const sum = store.summary();
    figures = {
      cacheDir: dir,
      formatVersion: STORE_FORMAT_VERSION,
      segments: s.segments,
      bytes: s.bytes,
      records: { live: sum.liveRecords, dead: sum.deadRecords, tombstones: sum.tombstones },
      corruptRecords: s.corruptRecords,
      foreignFiles: sum.foreignFiles,
      languages: sum.languages,
      oldestWriteSeconds: sum.oldestWriteMs === undefined ? null : sum.oldestWriteMs / 1000,
      newestWriteSeconds: sum.newestWriteMs === undefined ? null : sum.newestWriteMs / 1000,
    };
  } finally {
    store.close();
  }
  if (format === 'json') {
    out.write(`${JSON.stringify(figures, null, 2)}\n`);
    return 0;
  }
  const registry = new Registry();
  registry.setDefaultLabels({ cache_dir: dir });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  gauge('cst_store_format_version', 'Format version of the store this cst-cli reads.').set(figures.formatVersion);
  gauge('cst_store_segments', 'Segment files.').set(figures.segments);
  gauge('cst_store_bytes', 'Bytes of segment files.').set(figures.bytes);
  const records = gauge('cst_store_records', 'Records by state: live (served), dead (superseded or deleted: defrag drops them), tombstone (deletion markers).', ['state']);
  records.set({ state: 'live' }, figures.records.live);
  records.set({ state: 'dead' }, figures.records.dead);
  records.set({ state: 'tombstone' }, figures.records.tombstones);
  gauge('cst_store_corrupt_records', 'Damaged records skipped (cst-cli verify names them).').set(figures.corruptRecords);
  gauge('cst_store_foreign_files', 'Files in segments/ that are not segments.').set(figures.foreignFiles);
  const langRecords = gauge('cst_store_language_records', 'Live records per language.', ['language']);
  const langBytes = gauge('cst_store_language_bytes', 'Bytes of live records per language.', ['language']);
  for (const [language, l] of Object.entries(figures.languages)) {
    langRecords.set({ language }, l.records);
    langBytes.set({ language }, l.bytes);
  }
  if (figures.oldestWriteSeconds !== null) gauge('cst_store_oldest_write_timestamp_seconds', 'Unix time of the oldest live record.').set(figures.oldestWriteSeconds);
  if (figures.newestWriteSeconds !== null) gauge('cst_store_newest_write_timestamp_seconds', 'Unix time of the newest record.').set(figures.newestWriteSeconds);
  out.write(await registry.metrics());
  return 0;
}
