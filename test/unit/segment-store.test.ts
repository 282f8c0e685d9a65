// The frozen tier's on-disk store, with real files in temp dirs and every
// fault made for real: truncation, flipped bytes, wrong versions, foreign
// files, kill -9 of a writer process, a read-only directory (a writer running
// as nobody, and a read-only mount), a full disk (a 1 MiB tmpfs), two writer
// processes at once, and the LRU disk bound.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SegmentStore, inspectCacheDir } from '../../server/src/cache/segmentStore.js';
import {
  SEGMENT_HEADER_SIZE,
  STORE_FORMAT_VERSION,
  checkRecordHeader,
  encodeRecord,
  encodeSegmentHeader,
  segmentFileName,
} from '../../server/src/cache/segmentFormat.js';
import { createLogger } from '../../server/src/log.js';
import { keyOf, payloadOf } from '../fixtures/store/records.mjs';
import {
  NOBODY,
  canMount,
  cleanupTemp,
  distBuilt,
  mountTmpfs,
  nobodyCanRun,
  remountReadOnly,
  requireOrSkip,
  startWriter,
  stderrWarnings,
  tempDir,
  unmount,
  warnings,
} from '../fixtures/store/harness.js';

let logFile: string;

beforeEach(() => {
  logFile = path.join(tempDir('log'), 'store.log');
  createLogger({ level: 'warn', file: logFile });
});

afterAll(() => cleanupTemp());

function segFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(dir, 'segments'))
    .filter((n) => n.endsWith('.seg'))
    .sort();
}

/** Offsets and lengths of the complete records in a segment file (walking valid headers). */
function recordsIn(file: string): { offset: number; length: number; langBytes: number }[] {
  const buf = fs.readFileSync(file);
  const out: { offset: number; length: number; langBytes: number }[] = [];
  let pos = SEGMENT_HEADER_SIZE;
  for (;;) {
    const h = checkRecordHeader(buf, pos);
    if (!h.ok || pos + h.header.length > buf.length) break;
    out.push({ offset: pos, length: h.header.length, langBytes: h.header.languageBytes });
    pos += h.header.length;
  }
  return out;
}

/** Which segment file holds key k (by scanning files for the raw key bytes). */
function fileHolding(dir: string, key: string): string {
  const raw = Buffer.from(key, 'hex');
  for (const name of segFiles(dir)) {
    const f = path.join(dir, 'segments', name);
    if (fs.readFileSync(f).includes(raw)) return f;
  }
  throw new Error(`no segment holds ${key}`);
}

async function fill(dir: string, prefix: string, n: number, size: number, opts: { segmentSize?: number; maxDiskBytes?: number; language?: (i: number) => string } = {}): Promise<SegmentStore> {
  const store = SegmentStore.open(dir, { segmentSize: opts.segmentSize, maxDiskBytes: opts.maxDiskBytes });
  for (let i = 0; i < n; i++) expect(store.put(keyOf(prefix, i), opts.language?.(i) ?? 'python', payloadOf(prefix, i, size))).toBe(true);
  await store.flush();
  return store;
}

function expectAll(store: SegmentStore, prefix: string, range: Iterable<number>, size: number): void {
  for (const i of range) {
    const got = store.get(keyOf(prefix, i));
    expect(got, `record ${prefix}:${i}`).toBeDefined();
    expect(got!.equals(payloadOf(prefix, i, size)), `record ${prefix}:${i} content`).toBe(true);
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe('segment store: round trip and restart', () => {
  it('stores many records across several segments and reads them back, before and after flush', async () => {
    const dir = path.join(tempDir('rt'), 'cache');
    const store = SegmentStore.open(dir, { segmentSize: 16 * 1024 });
    expect(store.stats().degraded).toBeUndefined();
    for (let i = 0; i < 500; i++) store.put(keyOf('rt', i), i % 3 ? 'python' : 'rust', payloadOf('rt', i, 1000));
    // Pending records are served from memory before they reach disk.
    expectAll(store, 'rt', [0, 250, 499], 1000);
    await store.flush();
    const s = store.stats();
    expect(s.records).toBe(500);
    expect(s.writes).toBe(500);
    expect(s.segments).toBeGreaterThan(20);
    expect(s.pendingWrites).toBe(0);
    expectAll(store, 'rt', range(0, 500), 1000);
    expect(store.get(keyOf('absent', 1))).toBeUndefined();
    expect(store.has(keyOf('rt', 3))).toBe(true);
    expect(store.has(keyOf('absent', 1))).toBe(false);
    // Every segment respects the size target (records here are far smaller than a segment).
    for (const n of segFiles(dir)) expect(fs.statSync(path.join(dir, 'segments', n)).size).toBeLessThanOrEqual(16 * 1024);
    expect(fs.existsSync(path.join(dir, 'cst-store.json'))).toBe(true);
    store.close();
  });

  it('a second instance on the same directory (a restarted server) reads everything', async () => {
    const dir = path.join(tempDir('restart'), 'cache');
    const a = await fill(dir, 'r', 300, 1500, { segmentSize: 32 * 1024 });
    a.delete(keyOf('r', 7));
    a.close();
    const b = SegmentStore.open(dir, { segmentSize: 32 * 1024 });
    expectAll(b, 'r', range(0, 300).filter((i) => i !== 7), 1500);
    expect(b.get(keyOf('r', 7))).toBeUndefined(); // the tombstone survives the restart
    expect(b.stats()).toMatchObject({ records: 299, corruptRecords: 0 });
    expect(b.stats().segmentLoads).toBe(b.stats().segments);
    // put after delete wins over the tombstone
    b.put(keyOf('r', 7), 'python', payloadOf('r', 7, 1500));
    b.close();
    const c = SegmentStore.open(dir);
    expectAll(c, 'r', [7], 1500);
    c.close();
  });

  it('flushSync writes everything pending, even with a background write in flight', () => {
    const dir = path.join(tempDir('fsync'), 'cache');
    const store = SegmentStore.open(dir, { segmentSize: 64 * 1024 });
    for (let i = 0; i < 200; i++) store.put(keyOf('fs', i), 'go', payloadOf('fs', i, 3000));
    store.flushSync();
    expect(store.stats().pendingWrites).toBe(0);
    // Read back by another instance without closing the first (as after SIGKILL).
    const other = SegmentStore.open(dir);
    expectAll(other, 'fs', range(0, 200), 3000);
    other.close();
    store.close();
  });

  it('flushSync while an async batch is in flight rewrites the same bytes in place', async () => {
    const dir = path.join(tempDir('inflight'), 'cache');
    const store = SegmentStore.open(dir, { segmentSize: 8 << 20 });
    store.put(keyOf('if', 0), 'go', payloadOf('if', 0, 4 << 20));
    await new Promise((r) => setImmediate(r)); // the background write has started
    store.put(keyOf('if', 1), 'go', payloadOf('if', 1, 1000));
    store.flushSync();
    await store.flush();
    const other = SegmentStore.open(dir);
    expectAll(other, 'if', [0], 4 << 20);
    expectAll(other, 'if', [1], 1000);
    expect((await other.verify()).ok).toBe(true);
    other.close();
    store.close();
  });

  it('picks up records another instance wrote after it opened (rescan on miss)', async () => {
    const dir = path.join(tempDir('rescan'), 'cache');
    const reader = SegmentStore.open(dir, { rescanIntervalMs: 0 });
    const writer = await fill(dir, 'late', 50, 800);
    expectAll(reader, 'late', range(0, 50), 800);
    for (let i = 50; i < 60; i++) writer.put(keyOf('late', i), 'python', payloadOf('late', i, 800));
    await writer.flush(); // appended to the same (still active) segment: a tail rescan finds them
    expectAll(reader, 'late', range(50, 60), 800);
    writer.close();
    reader.close();
  });

  it('rejects malformed keys loudly (a programming error, not an I/O problem)', () => {
    const dir = path.join(tempDir('keys'), 'cache');
    const store = SegmentStore.open(dir);
    expect(() => store.get('abc')).toThrow(/64 hex digits/);
    expect(() => store.put('zz'.repeat(32), 'c', Buffer.from('x'))).toThrow(/64 hex digits/);
    expect(store.get('AB'.repeat(32))).toBeUndefined(); // upper case is accepted
    store.close();
  });
});

describe('segment store: damage is detected, skipped, counted and logged once', () => {
  async function damagedStore(tag: string) {
    const dir = path.join(tempDir(tag), 'cache');
    const s = await fill(dir, tag, 40, 2000, { segmentSize: 1 << 20 });
    s.close();
    const [name] = segFiles(dir);
    const file = path.join(dir, 'segments', name!);
    return { dir, file, recs: recordsIn(file) };
  }

  it('a segment truncated mid-record loads every complete record before the cut', async () => {
    const { dir, file, recs } = await damagedStore('trunc');
    expect(recs).toHaveLength(40);
    const cut = recs[30]!.offset + Math.floor(recs[30]!.length / 2);
    fs.truncateSync(file, cut);
    const s = SegmentStore.open(dir);
    expectAll(s, 'trunc', range(0, 30), 2000);
    for (const i of range(30, 40)) expect(s.get(keyOf('trunc', i))).toBeUndefined();
    expect(s.stats().corruptRecords).toBe(1);
    const v = await s.verify();
    expect(v.ok).toBe(false);
    expect(v.segments[0]).toMatchObject({ incompleteTail: 'truncated', corrupt: 1, records: 30 });
    s.close();
    expect(warnings(logFile).filter((w) => /damaged record/.test(w.msg))).toHaveLength(1);
  });

  it('flipped payload bytes make a miss (never a wrong answer), counted once, logged once per segment', async () => {
    const { dir, file, recs } = await damagedStore('flip');
    const fd = fs.openSync(file, 'r+');
    for (const r of [recs[5]!, recs[12]!]) {
      const at = r.offset + 60 + r.langBytes + 100;
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, at);
      b[0] = b[0]! ^ 0xff;
      fs.writeSync(fd, b, 0, 1, at);
    }
    fs.closeSync(fd);
    const s = SegmentStore.open(dir);
    expect(s.get(keyOf('flip', 5))).toBeUndefined();
    expect(s.get(keyOf('flip', 5))).toBeUndefined(); // not counted twice
    expect(s.get(keyOf('flip', 12))).toBeUndefined();
    expectAll(s, 'flip', range(0, 40).filter((i) => i !== 5 && i !== 12), 2000);
    expect(s.stats().corruptRecords).toBe(2);
    expect(warnings(logFile).filter((w) => /damaged record/.test(w.msg))).toHaveLength(1);
    // The caller rebuilds from source and puts it again: served from a new record.
    expect(s.put(keyOf('flip', 5), 'python', payloadOf('flip', 5, 2000))).toBe(true);
    await s.flush();
    expectAll(s, 'flip', [5], 2000);
    const v = await s.verify();
    expect(v.corruptRecords).toBe(2);
    s.close();
  });

  it('a flipped header byte is caught by the header checksum and the scan resynchronises', async () => {
    const { dir, file, recs } = await damagedStore('hdr');
    const fd = fs.openSync(file, 'r+');
    const at = recs[10]!.offset + 9; // inside the payload length field
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x40;
    fs.writeSync(fd, b, 0, 1, at);
    fs.closeSync(fd);
    const s = SegmentStore.open(dir);
    expect(s.get(keyOf('hdr', 10))).toBeUndefined();
    expectAll(s, 'hdr', range(0, 40).filter((i) => i !== 10), 2000);
    expect(s.stats()).toMatchObject({ corruptRecords: 1, records: 39 });
    s.close();
  });

  it('a wrong-version record and a wrong-version segment are skipped and counted', async () => {
    const dir = path.join(tempDir('ver'), 'cache');
    SegmentStore.open(dir).close();
    const now = Date.now();
    const rec = (i: number, version?: number) =>
      encodeRecord({ key: Buffer.from(keyOf('ver', i), 'hex'), language: 'rust', payload: payloadOf('ver', i, 500), time: now + i, version });
    // A segment with a valid record, a record of format version N+1 (valid checksums), and another valid one.
    fs.writeFileSync(path.join(dir, 'segments', segmentFileName(999_999, now, 'aaaa0001')), Buffer.concat([encodeSegmentHeader(999_999, now), rec(0), rec(1, STORE_FORMAT_VERSION + 1), rec(2)]));
    // A whole segment of another version.
    fs.writeFileSync(path.join(dir, 'segments', segmentFileName(999_999, now, 'aaaa0002')), Buffer.concat([encodeSegmentHeader(999_999, now, STORE_FORMAT_VERSION + 1), rec(3)]));
    const s = SegmentStore.open(dir);
    expectAll(s, 'ver', [0, 2], 500);
    expect(s.get(keyOf('ver', 1))).toBeUndefined();
    expect(s.get(keyOf('ver', 3))).toBeUndefined();
    expect(s.stats().corruptRecords).toBe(2);
    const v = await s.verify();
    expect(v.ok).toBe(false);
    expect(v.foreignFiles.map((f) => f.detail).join()).toMatch(/version/);
    expect(v.segments.find((x) => x.name.includes('aaaa0001'))!.problems[0]!.detail).toMatch(/version/);
    s.close();
  });

  it('foreign files in the segments directory are skipped, counted, logged once, and removed by defrag', async () => {
    const dir = path.join(tempDir('foreign'), 'cache');
    (await fill(dir, 'fo', 20, 1000)).close();
    fs.writeFileSync(path.join(dir, 'segments', 'notes.txt'), 'hello');
    fs.writeFileSync(path.join(dir, 'segments', segmentFileName(1, Date.now(), 'bbbbbbbb')), Buffer.alloc(5000, 0x41));
    const s = SegmentStore.open(dir);
    expectAll(s, 'fo', range(0, 20), 1000);
    expect(s.stats().corruptRecords).toBe(2);
    s.refresh(true); // seen again: not counted or logged again
    expect(s.stats().corruptRecords).toBe(2);
    expect(warnings(logFile).filter((w) => /skipping/.test(w.msg))).toHaveLength(2);
    expect((await s.verify()).foreignFiles).toHaveLength(2);
    const d = await s.defrag();
    expect(d.removedOtherFiles).toBe(2);
    expect(d.keptRecords).toBe(20);
    expect((await s.verify()).ok).toBe(true);
    expectAll(s, 'fo', range(0, 20), 1000);
    s.close();
  });

  it('refuses a foreign directory without touching it, and creates a missing one', () => {
    const foreign = tempDir('fdir');
    fs.writeFileSync(path.join(foreign, 'important.txt'), 'user data');
    const s = SegmentStore.open(foreign);
    expect(s.stats().degraded).toMatch(/foreign directory/);
    expect(s.put(keyOf('x', 0), 'c', Buffer.from('x'))).toBe(false);
    s.close();
    expect(fs.readdirSync(foreign)).toEqual(['important.txt']);
    expect(inspectCacheDir(foreign).kind).toBe('foreign');
    const fresh = path.join(tempDir('fresh'), 'a', 'b', 'cache');
    const t = SegmentStore.open(fresh);
    expect(t.stats().degraded).toBeUndefined();
    expect(inspectCacheDir(fresh).kind).toBe('store');
    t.close();
  });
});

describe('segment store: processes', () => {
  it('kill -9 of a writer mid-write leaves a store that loads every complete record and returns no damaged one', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b` (the kill -9 test runs the built store in a child process)');
    const dir = path.join(tempDir('kill'), 'cache');
    let truncatedTails = 0;
    const damagedBefore = new Set<string>();
    const flushedPerRound: number[] = [];
    for (let round = 0; round < 6 && (round < 3 || truncatedTails === 0); round++) {
      const prefix = `kill${round}`;
      // Small records (each flushed and reported), then one 64 MiB record whose write we interrupt.
      const w = startWriter({ dir, prefix, size: 2000, segmentSize: 256 * 1024, flushEvery: 10, bigAfter: 200 + round * 37, bigSize: 64 << 20 });
      await w.waitFor((l) => l === 'big');
      await new Promise((r) => setTimeout(r, 2 + round * 3));
      w.proc.kill('SIGKILL');
      const { signal } = await w.exited;
      expect(signal).toBe('SIGKILL');
      flushedPerRound.push(w.flushed());
      const s = SegmentStore.open(dir);
      // Every record reported flushed, of this round and all earlier ones, is there and intact.
      for (let r = 0; r <= round; r++) expectAll(s, `kill${r}`, range(0, flushedPerRound[r]!), 2000);
      // Anything else is either absent or intact: never a wrong answer.
      for (let i = flushedPerRound[round]!; i < flushedPerRound[round]! + 20; i++) {
        const got = s.get(keyOf(prefix, i));
        if (got) expect(got.equals(payloadOf(prefix, i, 2000))).toBe(true);
      }
      const big = s.get(keyOf('big', w.proc.pid!));
      if (big) expect(big.length === 64 << 20 && big.every((b) => b === 7)).toBe(true);
      const v = await s.verify();
      const damaged = v.segments.filter((x) => x.corrupt > 0 && !damagedBefore.has(x.name));
      // At most the one interrupted record, always at the tail of the killed writer's segment.
      expect(damaged.length).toBeLessThanOrEqual(1);
      for (const d of damaged) expect(d).toMatchObject({ corrupt: 1, incompleteTail: 'truncated' });
      for (const d of damaged) damagedBefore.add(d.name);
      if (damaged.length === 1) truncatedTails++;
      expect(v.corruptRecords).toBe(truncatedTails);
      expect(s.stats().corruptRecords).toBe(truncatedTails);
      s.close();
    }
    process.stderr.write(`[kill -9] rounds=${flushedPerRound.length} flushed=${flushedPerRound.join(',')} truncated tails observed=${truncatedTails}\n`);
    // The 64 MiB write takes tens of milliseconds: at least one kill must have landed inside it.
    expect(truncatedTails).toBeGreaterThan(0);
    // A later writer appends after the damage without trouble; defrag drops the damage.
    const s = SegmentStore.open(dir);
    await s.defrag();
    const v = await s.verify();
    expect(v.ok).toBe(true);
    for (let r = 0; r < flushedPerRound.length; r++) expectAll(s, `kill${r}`, range(0, flushedPerRound[r]!), 2000);
    s.close();
  });

  it('two writer processes on one directory at once do not corrupt it', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b` (this test runs writers in child processes)');
    const dir = path.join(tempDir('two'), 'cache');
    const reader = SegmentStore.open(dir, { rescanIntervalMs: 0 });
    const opts = { dir, size: 1800, segmentSize: 32 * 1024, flushEvery: 25, count: 1500 };
    const a = startWriter({ ...opts, prefix: 'A' });
    const b = startWriter({ ...opts, prefix: 'B' });
    // Both also write the same keys (the same content: keys are content hashes).
    const a2 = startWriter({ ...opts, prefix: 'shared', count: 400 });
    const b2 = startWriter({ ...opts, prefix: 'shared', count: 400 });
    // While they write, a reader in this process sees their records appear, intact.
    await a.waitFor((l) => l === 'flushed 500');
    const seenA = a.flushed();
    expectAll(reader, 'A', range(0, seenA), 1800);
    for (const w of [a, b, a2, b2]) expect((await w.exited).code, w.stderr()).toBe(0);
    expectAll(reader, 'B', range(0, 1500), 1800);
    const s = SegmentStore.open(dir);
    expectAll(s, 'A', range(0, 1500), 1800);
    expectAll(s, 'B', range(0, 1500), 1800);
    expectAll(s, 'shared', range(0, 400), 1800);
    const v = await s.verify();
    expect(v.ok).toBe(true);
    expect(v.corruptRecords).toBe(0);
    expect(s.stats().corruptRecords).toBe(0);
    expect(reader.stats().corruptRecords).toBe(0);
    // Every file is a segment of exactly one writer (a "shared" writer that opened after the other had
    // written every shared key writes nothing: keys are content hashes, so they are not rewritten).
    const pids = new Set(segFiles(dir).map((n) => Number(n.split('-')[1])));
    expect(pids.has(a.proc.pid!) && pids.has(b.proc.pid!)).toBe(true);
    for (const pid of pids) expect([a, b, a2, b2].map((w) => w.proc.pid)).toContain(pid);
    s.close();
    reader.close();
  });

  it('two writers under a tight disk bound evict each other\'s segments without damage', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b` (this test runs writers in child processes)');
    const dir = path.join(tempDir('twobound'), 'cache');
    const segmentSize = 16 * 1024;
    const opts = { dir, size: 1800, segmentSize, maxDiskBytes: 8 * segmentSize, flushEvery: 10, count: 1200 };
    const a = startWriter({ ...opts, prefix: 'EA' });
    const b = startWriter({ ...opts, prefix: 'EB' });
    for (const w of [a, b]) expect((await w.exited).code, w.stderr()).toBe(0);
    expect(stderrWarnings(a.stderr() + b.stderr())).toEqual([]);
    const s = SegmentStore.open(dir, { segmentSize, maxDiskBytes: Number.POSITIVE_INFINITY });
    const v = await s.verify();
    expect(v.corruptRecords).toBe(0);
    expect(v.ok).toBe(true);
    // The bound is for the directory: each writer counts the other's segments too (plus one active segment each).
    expect(s.stats().bytes).toBeLessThanOrEqual(8 * segmentSize + 2 * segmentSize);
    // The newest records survive (those of whichever writer finished last) and whatever is present is intact.
    expect(['EA', 'EB'].some((p) => range(1195, 1200).every((i) => s.has(keyOf(p, i))))).toBe(true);
    let present = 0;
    for (const prefix of ['EA', 'EB']) {
      for (let i = 0; i < 1200; i++) {
        const got = s.get(keyOf(prefix, i));
        if (got) {
          present++;
          expect(got.equals(payloadOf(prefix, i, 1800))).toBe(true);
        }
      }
    }
    expect(present).toBeLessThan(2400);
    s.close();
  });

  it('defrag while another process is writing never loses a record', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b` (this test runs a writer in a child process)');
    const dir = path.join(tempDir('defragbusy'), 'cache');
    (await fill(dir, 'old', 300, 1500, { segmentSize: 32 * 1024 })).close();
    const w = startWriter({ dir, prefix: 'live', size: 1500, segmentSize: 32 * 1024, flushEvery: 20, count: 3000 });
    await w.waitFor((l) => l === 'flushed 200');
    const s = SegmentStore.open(dir, { segmentSize: 64 * 1024 });
    const d = await s.defrag();
    expect(d.skippedBusySegments).toBeGreaterThanOrEqual(1);
    expect((await w.exited).code, w.stderr()).toBe(0);
    s.close();
    const t = SegmentStore.open(dir);
    expectAll(t, 'old', range(0, 300), 1500);
    expectAll(t, 'live', range(0, 3000), 1500);
    expect((await t.verify()).ok).toBe(true);
    t.close();
  });
});

describe('segment store: degraded to memory-only', () => {
  it('a read-only directory: a writer running as nobody reads existing records, writes nothing, warns once', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    requireOrSkip(ctx, nobodyCanRun(), 'cannot run a child as uid/gid 65534 (nobody): needs root and a world-readable checkout');
    const dir = path.join(tempDir('ro'), 'cache');
    (await fill(dir, 'ro', 30, 1200)).close();
    const before = segFiles(dir);
    // Root owns dir and segments/ (0755): nobody may read but not create files there.
    const w = startWriter({ dir, prefix: 'ro', size: 1200, probe: 30 }, { uid: NOBODY, gid: NOBODY });
    const line = await w.waitFor((l) => l.startsWith('{'));
    expect((await w.exited).code, w.stderr()).toBe(0);
    const r = JSON.parse(line) as { opened: { degraded?: string; records: number }; readOk: number; readBad: number; putAccepted: boolean; threw: string | null };
    expect(r.threw).toBeNull();
    expect(r.opened.degraded).toMatch(/read-only \(EACCES\)/);
    expect(r.opened.records).toBe(30);
    expect(r.readOk).toBe(30);
    expect(r.putAccepted).toBe(false);
    expect(stderrWarnings(w.stderr())).toHaveLength(1);
    expect(stderrWarnings(w.stderr())[0]).toMatch(/memory-only/);
    expect(segFiles(dir)).toEqual(before);
  });

  it('a missing directory that cannot be created degrades with one warning', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    requireOrSkip(ctx, nobodyCanRun(), 'cannot run a child as uid/gid 65534 (nobody): needs root and a world-readable checkout');
    const dir = path.join(tempDir('nocreate'), 'sub', 'cache');
    const w = startWriter({ dir, prefix: 'x', probe: 0 }, { uid: NOBODY, gid: NOBODY });
    const r = JSON.parse(await w.waitFor((l) => l.startsWith('{'))) as { opened: { degraded?: string }; putAccepted: boolean; threw: string | null };
    expect((await w.exited).code).toBe(0);
    expect(r.threw).toBeNull();
    expect(r.opened.degraded).toMatch(/unavailable: cannot create .* \(EACCES\)/);
    expect(r.putAccepted).toBe(false);
    expect(stderrWarnings(w.stderr())).toHaveLength(1);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a read-only mount (EROFS, which stops root too) degrades; existing records stay readable', async (ctx) => {
    requireOrSkip(ctx, canMount(), 'mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)');
    const mnt = tempDir('rofs');
    mountTmpfs(mnt, '4m');
    try {
      const dir = path.join(mnt, 'cache');
      (await fill(dir, 'rofs', 25, 1000)).close();
      remountReadOnly(mnt);
      const s = SegmentStore.open(dir);
      expect(s.stats().degraded).toMatch(/read-only \(EROFS\)/);
      expectAll(s, 'rofs', range(0, 25), 1000);
      expect(s.put(keyOf('rofs', 99), 'python', Buffer.from('x'))).toBe(false);
      s.delete(keyOf('rofs', 3)); // memory only: no throw
      await s.flush();
      s.flushSync();
      s.close();
      expect(warnings(logFile).filter((w) => /memory-only/.test(w.msg))).toHaveLength(1);
    } finally {
      unmount(mnt);
    }
  });

  it('a full disk (a 1 MiB tmpfs) degrades with one warning, keeps what was written, leaves no damage', async (ctx) => {
    requireOrSkip(ctx, canMount(), 'mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN); no other real ENOSPC mechanism is available to a test');
    const mnt = tempDir('full');
    mountTmpfs(mnt, '1m');
    try {
      const dir = path.join(mnt, 'cache');
      const s = SegmentStore.open(dir, { segmentSize: 64 * 1024 });
      expect(s.stats().degraded).toBeUndefined();
      let accepted = 0;
      for (let i = 0; i < 200; i++) {
        if (!s.put(keyOf('full', i), 'python', payloadOf('full', i, 20_000))) break;
        accepted++;
        if (i % 4 === 3) await s.flush();
      }
      await s.flush();
      const st = s.stats();
      expect(st.degraded).toMatch(/disk full \(ENOSPC\)/);
      expect(st.writeErrors).toBeGreaterThanOrEqual(1);
      expect(accepted).toBeLessThan(200);
      expect(s.put(keyOf('full', 999), 'python', Buffer.from('x'))).toBe(false);
      // What reached disk is still served.
      const written = range(0, accepted).filter((i) => s.has(keyOf('full', i)));
      expect(written.length).toBeGreaterThan(20);
      expectAll(s, 'full', written, 20_000);
      s.close();
      expect(warnings(logFile).filter((w) => /memory-only/.test(w.msg))).toHaveLength(1);
      // The partial write was cut back: a fresh open finds no damage and every written record.
      const t = SegmentStore.open(dir, { segmentSize: 64 * 1024 });
      const v = await t.verify();
      expect(v.corruptRecords).toBe(0);
      expectAll(t, 'full', written, 20_000);
      t.close();
    } finally {
      unmount(mnt);
    }
  });
});

describe('segment store: disk bound', () => {
  it('evicts least recently used segments first when over maxDiskBytes', async () => {
    const dir = path.join(tempDir('lru'), 'cache');
    const segmentSize = 16 * 1024;
    const s = SegmentStore.open(dir, { segmentSize, maxDiskBytes: 5 * segmentSize });
    // ~7 records of ~2 KiB per segment; write 3 segments' worth.
    for (let i = 0; i < 21; i++) s.put(keyOf('lru', i), 'python', payloadOf('lru', i, 2000));
    await s.flush();
    const firstSegKeys = range(0, 21).filter((i) => fileHolding(dir, keyOf('lru', i)) === fileHolding(dir, keyOf('lru', 0)));
    const secondSeg = fileHolding(dir, keyOf('lru', 10));
    expect(secondSeg).not.toBe(fileHolding(dir, keyOf('lru', 0)));
    const secondSegKeys = range(0, 21).filter((i) => fileHolding(dir, keyOf('lru', i)) === secondSeg);
    await new Promise((r) => setTimeout(r, 5));
    expectAll(s, 'lru', firstSegKeys, 2000); // the oldest segment is now the most recently used
    for (let i = 21; i < 40; i++) s.put(keyOf('lru', i), 'python', payloadOf('lru', i, 2000));
    await s.flush();
    const st = s.stats();
    expect(st.bytes).toBeLessThanOrEqual(5 * segmentSize);
    expect(st.evictedSegments).toBeGreaterThan(0);
    expect(fs.existsSync(secondSeg)).toBe(false);
    expectAll(s, 'lru', firstSegKeys, 2000);
    for (const i of secondSegKeys) expect(s.get(keyOf('lru', i))).toBeUndefined();
    expectAll(s, 'lru', range(35, 40), 2000);
    s.close();
  });

  it('across restarts, segment mtime is the LRU hint', async () => {
    const dir = path.join(tempDir('lru2'), 'cache');
    const segmentSize = 16 * 1024;
    (await fill(dir, 'm', 42, 2000, { segmentSize })).close();
    const files = segFiles(dir).map((n) => path.join(dir, 'segments', n));
    expect(files.length).toBeGreaterThanOrEqual(6);
    // Make the *last* written segments look oldest.
    const now = Date.now() / 1000;
    files.forEach((f, i) => fs.utimesSync(f, now - 1000 * (files.length - i), now - 1000 * i));
    const total = files.reduce((a, f) => a + fs.statSync(f).size, 0);
    const s = SegmentStore.open(dir, { segmentSize, maxDiskBytes: total - 1 });
    expect(s.stats().evictedSegments).toBe(1);
    expect(fs.existsSync(files[files.length - 1]!)).toBe(false);
    expect(fs.existsSync(files[0]!)).toBe(true);
    s.close();
  });
});

describe('segment store: maintenance', () => {
  it('clear by language, cleanup by age, clear all', async () => {
    const dir = path.join(tempDir('maint'), 'cache');
    const s = await fill(dir, 'mt', 90, 1000, { segmentSize: 8 * 1024, language: (i) => (i % 3 === 0 ? 'rust' : 'python') });
    const r = await s.clear({ language: 'rust' });
    expect(r.removedRecords).toBe(30);
    expect(s.summary().languages).toEqual({ python: { records: 60, bytes: expect.any(Number) } });
    for (let i = 0; i < 90; i++) expect(s.has(keyOf('mt', i))).toBe(i % 3 !== 0);
    // age every segment but one by two hours
    const files = segFiles(dir).map((n) => path.join(dir, 'segments', n));
    const old = Date.now() / 1000 - 7200;
    for (const f of files.slice(1)) fs.utimesSync(f, old, old);
    s.close();
    const t = SegmentStore.open(dir);
    const c = await t.cleanup({ olderThanMs: 3_600_000 });
    expect(c.removedSegments).toBe(files.length - 1);
    expect(segFiles(dir)).toEqual([path.basename(files[0]!)]);
    const all = await t.clear();
    expect(all.removedSegments).toBe(1);
    expect(t.stats()).toMatchObject({ records: 0, segments: 0 });
    t.close();
    expect(fs.existsSync(path.join(dir, 'cst-store.json'))).toBe(true);
    expect(SegmentStore.open(dir).stats().records).toBe(0);
  });
});
