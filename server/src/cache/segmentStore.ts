// The frozen tier's on-disk store: opaque payloads (already-compressed cache
// entries) keyed by a 32-byte content key, in append-only, checksummed segment
// files. The record layout is in segmentFormat.ts.
//
// Invariants
// - Reads are synchronous; writes are queued by put() and written in the
//   background in batches (one positional write per batch). flushSync() writes
//   whatever is pending before returning (the LSP `shutdown` path: Emacs eglot
//   SIGKILLs the server right after `exit`).
// - A record is visible only once complete: both checksums must match, and a
//   length that runs past the end of the file is an incomplete tail. A kill -9
//   mid-write leaves such a tail; the next open skips it and loads the rest.
// - Each process appends only to segment files it created (named with its pid
//   and a random part) and readers index every segment, so two servers can
//   share a directory. A miss rescans (throttled) for files and tails written
//   by others since. A writer seals a segment it is done with (full, or at
//   close) by clearing the file's write-permission bits; an unsealed segment
//   whose creator pid is alive and which changed in the last 10 minutes is
//   "busy": other processes' maintenance (defrag, clear --language, cleanup)
//   leaves it alone, and its incomplete tail is not counted as damage.
// - Nothing is rewritten in place. Compaction writes new segments under a
//   temporary name, fsyncs, renames, fsyncs the directory, and only then
//   unlinks the old ones: a live record always exists in at least one file.
// - Disk use is bounded by maxDiskBytes: least recently used segments go first
//   (in-process access time; the file's mtime, touched on use, persists it).
// - I/O problems never throw out of open(), get(), has(), put(), delete(),
//   flush() or close(): damage is a miss (counted, logged once per segment),
//   and a read-only, uncreatable, foreign or full directory degrades the store
//   to memory-only (no new writes) with one warning and a `degraded` reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { logger } from '../log.js';
import { audit } from '../telemetry/audit.js';
import { makeDirs } from '../makeDirs.js';
import {
  KEY_BYTES,
  MARKER_FILE,
  INDEX_MANIFEST_FILE,
  MARKER_FORMAT,
  MAX_LANGUAGE_BYTES,
  RECORD_HEADER_SIZE,
  SEGMENTS_DIR,
  SEGMENT_HEADER_SIZE,
  STORE_FORMAT_VERSION,
  TEMP_EXT,
  checkRecord,
  checkRecordHeader,
  checkSegmentHeader,
  encodeRecord,
  encodeSegmentHeader,
  isSegmentName,
  pidFromName,
  recordCrc,
  resync,
  segmentFileName,
} from './segmentFormat.js';

export { STORE_FORMAT_VERSION } from './segmentFormat.js';

export const DEFAULT_SEGMENT_SIZE = 262_144;
export const DEFAULT_MAX_DISK_BYTES = 1024 * 1024 * 1024;

export interface SegmentStoreOptions {
  /** Target size of a segment file (CST_SEGMENT_SIZE). A record larger than this gets a segment of its own. */
  segmentSize?: number;
  /** Disk bound over all segments (CST_DISK_MB). Least recently used segments are removed first. */
  maxDiskBytes?: number;
  /** Create the directory (and its marker) when missing. Default true; cst-cli passes false. */
  create?: boolean;
  /** Never write, touch or remove anything (cst-cli stats/verify). */
  readOnly?: boolean;
  /** Log damage and degradation at debug instead of warn (cst-cli reports them itself). */
  quiet?: boolean;
  /** A miss rescans the directory for other writers' records at most this often. Default 1000 ms. */
  rescanIntervalMs?: number;
  /** put() refuses (returns false) while this many bytes wait to be written. Default 64 MiB. */
  maxPendingBytes?: number;
}

export interface SegmentStoreStats {
  segments: number;
  records: number;
  bytes: number;
  segmentLoads: number;
  corruptRecords: number;
  writes: number;
  writeErrors: number;
  degraded?: string;
  /** Records queued and not yet on disk. */
  pendingWrites: number;
  hits: number;
  misses: number;
  evictedSegments: number;
  maxDiskBytes: number;
}

export interface SegmentReport {
  name: string;
  bytes: number;
  /** Complete, valid records (including tombstones and superseded ones). */
  records: number;
  /** Records the index serves from this segment. */
  live: number;
  tombstones: number;
  corrupt: number;
  problems: { offset: number; detail: string }[];
  /** 'writing': a live writer is appending; 'truncated': a dead writer left a partial record (counted corrupt). */
  incompleteTail?: 'writing' | 'truncated';
}

export interface VerifyReport {
  dir: string;
  ok: boolean;
  segments: SegmentReport[];
  /** Files in segments/ that are not segments, or whose header is not ours, with the reason. */
  foreignFiles: { name: string; detail: string }[];
  /** Temporary files of an interrupted or running defrag/clear. */
  tempFiles: { name: string; writerRunning: boolean }[];
  records: number;
  liveRecords: number;
  corruptRecords: number;
}

export interface MaintenanceResult {
  removedSegments: number;
  /** Live records removed as asked (clear, cleanup). */
  removedRecords: number;
  /** Dead, deleted or damaged records not carried over by a rewrite (defrag, clear --language). */
  droppedRecords: number;
  writtenSegments: number;
  keptRecords: number;
  bytesBefore: number;
  bytesAfter: number;
  /** Files removed that were not valid segments (foreign, corrupt header, stale temporary). */
  removedOtherFiles: number;
  /** Segments left alone because another running process is writing them. */
  skippedBusySegments: number;
}

export interface StoreSummary {
  languages: Record<string, { records: number; bytes: number }>;
  liveRecords: number;
  /** Complete records that are superseded, deleted or duplicated (defrag drops them). */
  deadRecords: number;
  tombstones: number;
  oldestWriteMs?: number;
  newestWriteMs?: number;
  foreignFiles: number;
}

export type CacheDirState =
  | { kind: 'missing' }
  | { kind: 'not-a-directory' }
  | { kind: 'unreadable'; detail: string }
  | { kind: 'empty' }
  | { kind: 'store'; markerVersion?: number; markerMissing?: boolean }
  | { kind: 'foreign'; detail: string };

/**
 * What a directory is, as far as the store is concerned. A store is a
 * directory with our marker file, or one holding nothing but `segments/`
 * (marker lost). Anything else non-empty is foreign and left alone.
 */
export function inspectCacheDir(dir: string): CacheDirState {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'not-a-directory' };
    return { kind: 'unreadable', detail: code };
  }
  if (!st.isDirectory()) return { kind: 'not-a-directory' };
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (err) {
    return { kind: 'unreadable', detail: errCode(err) };
  }
  if (entries.length === 0) return { kind: 'empty' };
  if (entries.includes(MARKER_FILE)) {
    try {
      const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8')) as { format?: unknown; version?: unknown };
      if (marker && marker.format === MARKER_FORMAT) return { kind: 'store', markerVersion: typeof marker.version === 'number' ? marker.version : undefined };
      return { kind: 'foreign', detail: `${MARKER_FILE} does not name a cst-language-server store` };
    } catch (err) {
      return { kind: 'foreign', detail: `${MARKER_FILE} is unreadable (${err instanceof SyntaxError ? 'not JSON' : errCode(err)})` };
    }
  }
  const others = entries.filter((e) => e !== SEGMENTS_DIR && !((e.startsWith(MARKER_FILE) || e.startsWith(INDEX_MANIFEST_FILE)) && e.endsWith(TEMP_EXT)) && e !== INDEX_MANIFEST_FILE);
  if (others.length === 0) {
    try {
      if (fs.statSync(path.join(dir, SEGMENTS_DIR)).isDirectory()) return { kind: 'store', markerMissing: true };
    } catch {
      // fall through
    }
  }
  return { kind: 'foreign', detail: `no ${MARKER_FILE}, and it holds ${others.length} other entr${others.length === 1 ? 'y' : 'ies'} (e.g. ${others.slice(0, 3).join(', ')})` };
}

// ---------------------------------------------------------------------------

interface Segment {
  name: string;
  path: string;
  /** Creator pid (from the segment header). */
  pid: number;
  /** Bytes known: scanned for others' segments, written (incl. in flight) for our own. */
  size: number;
  /** Offset up to which complete records have been indexed (or skipped as damaged). */
  scanned: number;
  mtimeMs: number;
  /** Last use: max(mtime at scan, in-process access). The LRU order. */
  lastUsed: number;
  /** When this process last set the file's mtime. */
  touchedAt: number;
  /** Keys indexed from this segment (may include keys since moved elsewhere). */
  keys: string[];
  /** Complete, valid records in this segment (including tombstones and superseded ones). */
  records: number;
  corruptOffsets: Set<number>;
  warned: boolean;
  /** Its writer has finished with it (the file's write permission bits are cleared): it never grows again. */
  sealed: boolean;
  /** Our write fd while this is our active segment. */
  writeFd?: number;
  closeWriteFdWhenSettled?: boolean;
}

interface Loc {
  seg: Segment;
  offset: number;
  length: number;
  time: number;
  lang: string;
}

interface Pending {
  key: string;
  language: string;
  buf: Buffer;
  payloadOffset: number;
  time: number;
  tombstone: boolean;
  cancelled: boolean;
}

interface Batch {
  seg: Segment;
  offset: number;
  buf: Buffer;
  recs: Pending[];
  /** Written (by flushSync or the async write) and committed to the index. */
  done: boolean;
  settled: boolean;
}

/** Segment files being appended to by a store instance in this process (so instances in one process see each other as alive). */
const ACTIVE_SEGMENTS = new Set<string>();
/** A segment that is not ours, whose owner is alive and which changed this recently, is left alone by maintenance. */
const BUSY_WINDOW_MS = 10 * 60_000;
const TOUCH_INTERVAL_MS = 60_000;
const MAX_BATCH_BYTES = 1 << 20;
const MAX_READ_FDS = 64;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

let lastWriteTime = 0;
/** Write times are strictly increasing within a process (tombstones are ordered against puts by time). */
function nextWriteTime(): number {
  let t = Date.now();
  if (t <= lastWriteTime) t = lastWriteTime + 1 / 1024;
  lastWriteTime = t;
  return t;
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}

const pidCache = new Map<number, { alive: boolean; at: number }>();
function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // kill(0) would signal our own process group
  if (pid === process.pid) return true;
  const now = Date.now();
  const hit = pidCache.get(pid);
  if (hit && now - hit.at < 2000) return hit.alive;
  let alive: boolean;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch (err) {
    alive = errCode(err) === 'EPERM';
  }
  pidCache.set(pid, { alive, at: now });
  return alive;
}

function writeAllSync(fd: number, buf: Buffer, position: number): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off, position + off);
}

function readAllSync(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, buf, off, length - off, position + off);
    if (n === 0) return buf.subarray(0, off);
    off += n;
  }
  return buf;
}

/** Scans read whole segments into one reused buffer (nothing keeps a reference to it: keys are copied out as strings). */
let scratch = Buffer.allocUnsafe(0);
function readIntoScratch(fd: number, length: number, position: number): Buffer {
  // A segment holding one huge record gets a buffer of its own rather than growing the shared one for good.
  const target = length > 4 << 20 ? Buffer.allocUnsafe(length) : scratch.length >= length ? scratch : (scratch = Buffer.allocUnsafe(Math.max(length, 512 << 10)));
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, target, off, length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return target.subarray(0, off);
}

function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void => {
      if (off >= buf.length) return resolve();
      fs.write(fd, buf, off, buf.length - off, position + off, (err, n) => (err ? reject(err) : step(off + n)));
    };
    step(0);
  });
}

function describeWriteError(err: unknown, where: string): string {
  const code = errCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return `disk full (${code}) writing ${where}`;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return `read-only (${code}): cannot write ${where}`;
  return `write error (${code}) on ${where}`;
}

class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  values(): T[] {
    return this.items.slice(this.head);
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class SegmentStore {
  readonly dir: string;
  readonly segmentsDir: string;
  readonly segmentSize: number;
  readonly maxDiskBytes: number;

  private readonly readOnly: boolean;
  private readonly quiet: boolean;
  private readonly rescanIntervalMs: number;
  private readonly maxPendingBytes: number;

  /** Reads are possible (the directory is ours and was found). */
  private readable = false;
  /** New records may be written. */
  private writable = false;
  private closed = false;
  private degradedReason: string | undefined;

  private readonly segments = new Map<string, Segment>();
  /** Files in segments/ that are not usable segments, already counted and logged: name -> reason. */
  private readonly badFiles = new Map<string, string>();
  private readonly index = new Map<string, Loc>();
  private readonly tombstones = new Map<string, { time: number; seg: Segment; offset: number; length: number }>();
  private readonly languages = new Map<string, string>();
  private readonly readFds = new Map<Segment, number>();

  private readonly pending = new Map<string, Pending>();
  private readonly queue = new Queue<Pending>();
  private pendingBytes = 0;
  private active: Segment | undefined;
  private inflight: Batch | undefined;
  private draining: Promise<void> | undefined;
  private drainScheduled = false;
  private maintenance = false;

  private lastRefresh = 0;
  private lastDirMtime = -1;

  private counters = { segmentLoads: 0, corruptRecords: 0, writes: 0, writeErrors: 0, hits: 0, misses: 0, evictedSegments: 0 };

  private constructor(dir: string, options: SegmentStoreOptions) {
    this.dir = path.resolve(dir);
    this.segmentsDir = path.join(this.dir, SEGMENTS_DIR);
    this.segmentSize = Math.max(1024, Math.floor(options.segmentSize ?? DEFAULT_SEGMENT_SIZE));
    this.maxDiskBytes = options.maxDiskBytes && options.maxDiskBytes > 0 ? options.maxDiskBytes : DEFAULT_MAX_DISK_BYTES;
    this.readOnly = options.readOnly ?? false;
    this.quiet = options.quiet ?? false;
    this.rescanIntervalMs = options.rescanIntervalMs ?? 1000;
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  }

  /** Open (and create unless `create: false`) the store in `dir`. Never throws for I/O problems: see stats().degraded. */
  static open(dir: string, options: SegmentStoreOptions = {}): SegmentStore {
    const store = new SegmentStore(dir, options);
    try {
      store.init(options.create ?? true);
    } catch (err) {
      // Belt and braces: whatever went wrong, the server goes on without a disk tier.
      store.degrade(`unexpected error opening ${store.dir}: ${err instanceof Error ? err.message : String(err)}`);
      store.readable = false;
    }
    return store;
  }

  private init(create: boolean): void {
    let state = inspectCacheDir(this.dir);
    if (state.kind === 'missing' && create && !this.readOnly) {
      try {
        makeDirs(this.dir);
        state = { kind: 'empty' };
      } catch (err) {
        this.degrade(`unavailable: cannot create ${this.dir} (${errCode(err)})`);
        return;
      }
    }
    switch (state.kind) {
      case 'missing':
        this.degrade(`unavailable: ${this.dir} does not exist`);
        return;
      case 'not-a-directory':
        this.degrade(`unavailable: ${this.dir} is not a directory`);
        return;
      case 'unreadable':
        this.degrade(`unavailable: cannot read ${this.dir} (${state.detail})`);
        return;
      case 'foreign':
        this.degrade(`foreign directory: ${this.dir} is not a cst-language-server cache (${state.detail}); not touching it`);
        return;
      case 'store':
        if (state.markerVersion !== undefined && state.markerVersion !== STORE_FORMAT_VERSION) {
          logger().info({ dir: this.dir, markerVersion: state.markerVersion, version: STORE_FORMAT_VERSION }, 'frozen store was created by another store format version; records of other versions are skipped');
        }
        break;
      case 'empty':
        break;
    }
    this.readable = true;
    if (this.readOnly) {
      this.refresh(true);
      return;
    }
    try {
      if (!fs.existsSync(this.segmentsDir)) fs.mkdirSync(this.segmentsDir);
      if (state.kind === 'empty' || (state.kind === 'store' && state.markerMissing)) this.writeMarker();
      // Probe: as root, permission bits say nothing; a read-only mount or a full disk does.
      const probe = path.join(this.segmentsDir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      const fd = fs.openSync(probe, 'wx');
      try {
        fs.writeSync(fd, Buffer.from([0]));
      } finally {
        fs.closeSync(fd);
        fs.rmSync(probe, { force: true });
      }
      this.writable = true;
    } catch (err) {
      this.degrade(describeWriteError(err, this.segmentsDir));
    }
    if (fs.existsSync(this.segmentsDir)) this.refresh(true);
    this.enforceDiskBound();
  }

  private writeMarker(): void {
    const marker = {
      format: MARKER_FORMAT,
      version: STORE_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      note: 'Frozen tier of cst-language-server: a cache, safe to delete. Manage it with cst-cli (stats, verify, clear, cleanup, defrag).',
    };
    const tmp = path.join(this.dir, `${MARKER_FILE}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_EXT}`);
    fs.writeFileSync(tmp, JSON.stringify(marker, null, 2) + '\n');
    fs.renameSync(tmp, path.join(this.dir, MARKER_FILE));
    audit('store-write', path.join(this.dir, MARKER_FILE), 'ok');
  }

  private degrade(reason: string): void {
    this.writable = false;
    if (this.degradedReason !== undefined) return;
    this.degradedReason = reason;
    const log = logger();
    (this.quiet ? log.debug.bind(log) : log.warn.bind(log))({ dir: this.dir, reason }, `frozen store is memory-only: ${reason}`);
    for (const p of this.queue.values()) p.cancelled = true;
    this.queue.clear();
    this.pending.clear();
    this.pendingBytes = 0;
    if (this.active) this.sealActive();
  }

  // ----- reads ---------------------------------------------------------------

  /** The payload stored under `key` (64 hex digits), checksum-verified; undefined on a miss or damage. */
  get(key: string): Buffer | undefined {
    if (this.closed) return undefined;
    key = normalizeKey(key);
    const p = this.pending.get(key);
    if (p) {
      if (p.tombstone) return this.miss();
      this.counters.hits++;
      // A copy: the pending bytes are what gets written (and checksummed) later.
      return Buffer.from(p.buf.subarray(p.payloadOffset));
    }
    let loc = this.index.get(key);
    if (!loc) {
      this.maybeRefresh();
      loc = this.index.get(key);
      if (!loc) return this.miss();
    }
    for (let attempt = 0; ; attempt++) {
      let rec: Buffer;
      try {
        rec = readAllSync(this.readFd(loc.seg), loc.length, loc.offset);
      } catch (err) {
        // The file went away (another process evicted or compacted it): forget it and look again.
        this.forgetSegment(loc.seg);
        if (attempt > 0) return this.miss();
        logger().debug({ segment: loc.seg.name, code: errCode(err) }, 'frozen segment vanished; rescanning');
        this.refresh(true);
        const again = this.index.get(key);
        if (!again) return this.miss();
        loc = again;
        continue;
      }
      const check = checkRecord(rec, Buffer.from(key, 'hex'));
      if (!check.ok) {
        this.corrupt(loc.seg, loc.offset, rec.length < loc.length ? 'record cut short' : check.detail);
        if (this.index.get(key) === loc) this.index.delete(key);
        return this.miss();
      }
      this.touch(loc.seg);
      this.counters.hits++;
      return rec.subarray(RECORD_HEADER_SIZE + check.header.languageBytes);
    }
  }

  /** Whether `key` is stored or pending (index only: the checksum is checked by get()). */
  has(key: string): boolean {
    if (this.closed) return false;
    key = normalizeKey(key);
    const p = this.pending.get(key);
    if (p) return !p.tombstone;
    if (this.index.has(key)) return true;
    this.maybeRefresh();
    return this.index.has(key);
  }

  private miss(): undefined {
    this.counters.misses++;
    return undefined;
  }

  private readFd(seg: Segment): number {
    let fd = this.readFds.get(seg);
    if (fd !== undefined) {
      // Keep the map in LRU order.
      this.readFds.delete(seg);
      this.readFds.set(seg, fd);
      return fd;
    }
    fd = fs.openSync(seg.path, 'r');
    audit('read', seg.path, 'ok');
    this.readFds.set(seg, fd);
    if (this.readFds.size > MAX_READ_FDS) {
      const [oldSeg, oldFd] = this.readFds.entries().next().value as [Segment, number];
      this.readFds.delete(oldSeg);
      closeQuietly(oldFd);
    }
    return fd;
  }

  private touch(seg: Segment): void {
    const now = Date.now();
    seg.lastUsed = now;
    if (!this.writable || now - seg.touchedAt < TOUCH_INTERVAL_MS || seg.writeFd !== undefined) return;
    seg.touchedAt = now;
    const t = now / 1000;
    fs.utimes(seg.path, t, t, () => undefined);
  }

  // ----- scanning ------------------------------------------------------------

  private maybeRefresh(): void {
    if (Date.now() - this.lastRefresh >= this.rescanIntervalMs) this.refresh(false);
  }

  /**
   * Pick up segments created, grown or removed by other processes. Cheap when
   * nothing changed: one stat of the directory plus one of each segment that
   * may still grow. `full` also rereads the directory listing unconditionally.
   */
  refresh(full = true): void {
    if (!this.readable || this.closed) return;
    this.lastRefresh = Date.now();
    let dirMtime: number;
    try {
      dirMtime = fs.statSync(this.segmentsDir).mtimeMs;
    } catch {
      // segments/ missing (never created, or removed by hand): nothing to read.
      for (const seg of [...this.segments.values()]) if (seg !== this.active) this.forgetSegment(seg);
      return;
    }
    if (full || dirMtime !== this.lastDirMtime) {
      this.lastDirMtime = dirMtime;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(this.segmentsDir, { withFileTypes: true });
      } catch {
        return;
      }
      const names = new Set(entries.map((e) => e.name));
      // Forget removed files first, then index new ones (a compaction's new segment replaces the old).
      for (const seg of [...this.segments.values()]) if (!names.has(seg.name) && seg !== this.active) this.forgetSegment(seg);
      for (const name of [...this.badFiles.keys()]) if (!names.has(name)) this.badFiles.delete(name);
      for (const e of entries) {
        if (this.segments.has(e.name) || this.badFiles.has(e.name)) continue;
        if (e.name.startsWith('.probe-') || e.name.endsWith(TEMP_EXT)) continue;
        if (e.isFile() && isSegmentName(e.name)) {
          this.loadSegment(e.name);
        } else {
          this.badFile(e.name, e.isFile() ? 'foreign file in the segments directory' : 'foreign entry in the segments directory (not a regular file)');
        }
      }
    }
    // Tails that other writers may have appended to: segments whose owner is alive, or that changed
    // lately (a writer in another pid namespace looks dead from here).
    const now = Date.now();
    for (const seg of [...this.segments.values()]) {
      if (seg === this.active || seg.writeFd !== undefined) continue;
      if (seg.sealed && seg.scanned > 0 && seg.scanned >= seg.size) continue;
      if (!this.ownerMayWrite(seg) && now - seg.mtimeMs > BUSY_WINDOW_MS) continue;
      this.scanTail(seg);
    }
  }

  private loadSegment(name: string): void {
    const seg: Segment = {
      name,
      path: path.join(this.segmentsDir, name),
      pid: pidFromName(name) ?? 0,
      size: 0,
      scanned: 0,
      mtimeMs: 0,
      lastUsed: 0,
      touchedAt: 0,
      keys: [],
      records: 0,
      corruptOffsets: new Set(),
      warned: false,
      sealed: false,
    };
    this.segments.set(name, seg);
    this.scanTail(seg);
  }

  /** Index complete records from seg.scanned to the end of the file. */
  private scanTail(seg: Segment): void {
    let fd: number;
    let st: fs.Stats;
    try {
      fd = this.readFd(seg);
      st = fs.fstatSync(fd);
    } catch {
      this.forgetSegment(seg);
      return;
    }
    if (st.nlink === 0) {
      this.forgetSegment(seg);
      return;
    }
    seg.mtimeMs = st.mtimeMs;
    seg.lastUsed = Math.max(seg.lastUsed, st.mtimeMs);
    seg.sealed = (st.mode & 0o222) === 0;
    const size = st.size;
    // Nothing new since the last look (seg.size is what we have seen or written).
    if (seg.scanned > 0 && size <= seg.size) return;
    if (seg.scanned === 0) {
      if (size < SEGMENT_HEADER_SIZE) {
        seg.size = size;
        // Just created by its writer (header not written yet), or a writer that died at once.
        if (size > 0 && !this.ownerMayWrite(seg)) this.markBad(seg, `file is ${size} bytes, shorter than a segment header`);
        return;
      }
      let head: Buffer;
      try {
        head = readAllSync(fd, SEGMENT_HEADER_SIZE, 0);
      } catch (err) {
        this.markBad(seg, `unreadable (${errCode(err)})`);
        return;
      }
      const h = checkSegmentHeader(head);
      if (!h.ok) {
        this.markBad(seg, h.detail);
        return;
      }
      seg.pid = h.pid;
      seg.scanned = SEGMENT_HEADER_SIZE;
    }
    seg.size = size;
    if (size <= seg.scanned) return;
    let buf: Buffer;
    try {
      buf = readIntoScratch(fd, size - seg.scanned, seg.scanned);
    } catch (err) {
      this.corrupt(seg, seg.scanned, `unreadable (${errCode(err)})`);
      return;
    }
    this.counters.segmentLoads++;
    const base = seg.scanned;
    let pos = 0;
    while (pos < buf.length) {
      const h = checkRecordHeader(buf, pos);
      if (h.ok && pos + h.header.length <= buf.length) {
        this.indexRecord(seg, buf, pos, base + pos, h.header.length, h.header.tombstone, h.header.time, h.header.languageBytes);
        pos += h.header.length;
        continue;
      }
      if ((h.ok || h.problem === 'short')) {
        // A record that runs past the end of the file: still being written, or cut by a crash.
        if (!this.ownerMayWrite(seg)) this.corrupt(seg, base + pos, h.ok ? `truncated record: needs ${h.header.length} bytes, ${buf.length - pos} left in the file` : `truncated record header: ${buf.length - pos} bytes`);
        break;
      }
      this.corrupt(seg, base + pos, h.detail);
      const next = resync(buf, pos + 1);
      if (!next) {
        pos = buf.length;
        break;
      }
      pos = next.at;
      if (!next.complete) {
        if (!this.ownerMayWrite(seg)) this.corrupt(seg, base + pos, 'truncated record header');
        break;
      }
    }
    seg.scanned = base + pos;
  }

  private indexRecord(seg: Segment, buf: Buffer, pos: number, offset: number, length: number, tombstone: boolean, time: number, langBytes: number): void {
    const key = buf.toString('hex', pos + 20, pos + 52);
    seg.records++;
    if (tombstone) {
      const t = this.tombstones.get(key);
      if (!t || t.time < time) this.tombstones.set(key, { time, seg, offset, length });
      const cur = this.index.get(key);
      if (cur && cur.time <= time) this.index.delete(key);
      return;
    }
    const t = this.tombstones.get(key);
    if (t && t.time >= time) return;
    const cur = this.index.get(key);
    if (cur && cur.time >= time) return;
    const lang = this.intern(buf.toString('utf8', pos + RECORD_HEADER_SIZE, pos + RECORD_HEADER_SIZE + langBytes));
    this.index.set(key, { seg, offset, length, time, lang });
    seg.keys.push(key);
  }

  private intern(lang: string): string {
    const hit = this.languages.get(lang);
    if (hit !== undefined) return hit;
    this.languages.set(lang, lang);
    return lang;
  }

  /** Whether some process (or another store instance here) may still append to `seg`. */
  private ownerMayWrite(seg: Segment): boolean {
    if (ACTIVE_SEGMENTS.has(seg.path)) return true;
    return !seg.sealed && seg.pid !== process.pid && pidAlive(seg.pid);
  }

  /** Left alone by maintenance: someone else is appending to it right now. */
  private busyElsewhere(seg: Segment): boolean {
    if (seg === this.active) return false;
    return this.ownerMayWrite(seg) && Date.now() - seg.mtimeMs < BUSY_WINDOW_MS;
  }

  private corrupt(seg: Segment, offset: number, detail: string): void {
    if (seg.corruptOffsets.has(offset)) return;
    seg.corruptOffsets.add(offset);
    this.counters.corruptRecords++;
    if (!seg.warned) {
      seg.warned = true;
      const log = logger();
      (this.quiet ? log.debug.bind(log) : log.warn.bind(log))({ segment: seg.path, offset, detail }, `frozen store: damaged record skipped in ${seg.name} (${detail}); further damage in this segment is counted, not logged`);
    }
  }

  /** A .seg file whose header is not ours: skipped, counted once, logged once. */
  private markBad(seg: Segment, detail: string): void {
    this.forgetSegment(seg);
    this.badFile(seg.name, detail);
  }

  private badFile(name: string, detail: string): void {
    if (this.badFiles.has(name)) return;
    this.badFiles.set(name, detail);
    this.counters.corruptRecords++;
    const log = logger();
    (this.quiet ? log.debug.bind(log) : log.warn.bind(log))({ file: path.join(this.segmentsDir, name), detail }, `frozen store: skipping ${name}: ${detail}`);
  }

  /** Drop a segment from memory (not from disk). */
  private forgetSegment(seg: Segment): void {
    if (this.segments.get(seg.name) === seg) this.segments.delete(seg.name);
    for (const key of seg.keys) if (this.index.get(key)?.seg === seg) this.index.delete(key);
    for (const [key, t] of this.tombstones) if (t.seg === seg) this.tombstones.delete(key);
    const fd = this.readFds.get(seg);
    if (fd !== undefined) {
      this.readFds.delete(seg);
      closeQuietly(fd);
    }
    if (seg === this.active) this.sealActive();
  }

  // ----- writes --------------------------------------------------------------

  /**
   * Queue `payload` under `key` for the background writer and return at once.
   * Returns false when the store cannot take it (memory-only, closed, or too
   * much pending): the caller keeps the entry in memory or drops it.
   * A key already stored is not rewritten (keys are content hashes).
   */
  put(key: string, language: string, payload: Buffer | Uint8Array): boolean {
    if (this.closed || !this.writable) return false;
    key = normalizeKey(key);
    if (Buffer.byteLength(language, 'utf8') > MAX_LANGUAGE_BYTES) throw new RangeError(`language id longer than ${MAX_LANGUAGE_BYTES} bytes`);
    const existing = this.pending.get(key);
    if (existing && !existing.tombstone) return true;
    if (!existing && this.index.has(key)) return true;
    if (this.pendingBytes > this.maxPendingBytes) return false;
    const payloadBuf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const time = nextWriteTime();
    const lang = this.intern(language);
    const buf = encodeRecord({ key: Buffer.from(key, 'hex'), language: lang, payload: payloadBuf, time });
    this.enqueue({ key, language: lang, buf, payloadOffset: buf.length - payloadBuf.length, time, tombstone: false, cancelled: false });
    return true;
  }

  /** Remove `key`: from memory at once, and from disk by a tombstone record (other processes and restarts honour it). */
  delete(key: string): void {
    if (this.closed) return;
    key = normalizeKey(key);
    const p = this.pending.get(key);
    if (p) {
      p.cancelled = true;
      this.pending.delete(key);
    }
    this.index.delete(key);
    if (!this.writable) return;
    const time = nextWriteTime();
    const buf = encodeRecord({ key: Buffer.from(key, 'hex'), language: '', payload: Buffer.alloc(0), time, tombstone: true });
    this.enqueue({ key, language: '', buf, payloadOffset: buf.length, time, tombstone: true, cancelled: false });
  }

  private enqueue(p: Pending): void {
    this.pending.set(p.key, p);
    this.queue.push(p);
    this.pendingBytes += p.buf.length;
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.draining) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.startDrain();
    });
  }

  private startDrain(): void {
    if (this.draining || this.queue.size === 0 || !this.writable) return;
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.queue.size > 0 && this.writable) this.scheduleDrain();
    });
  }

  private async drainLoop(): Promise<void> {
    while (this.writable && !this.closed) {
      const batch = this.takeBatch();
      if (!batch) return;
      this.inflight = batch;
      let error: unknown;
      try {
        await writeAll(batch.seg.writeFd!, batch.buf, batch.offset);
      } catch (err) {
        error = err;
      }
      batch.settled = true;
      if (this.inflight === batch) this.inflight = undefined;
      if (batch.seg.closeWriteFdWhenSettled) this.closeWriteFd(batch.seg);
      if (!batch.done) {
        if (error === undefined) this.commit(batch);
        else this.writeFailed(batch, error);
      }
    }
  }

  /** Take the next batch from the queue, assigning it a place in our active segment (created on demand). */
  private takeBatch(): Batch | undefined {
    while (this.queue.size > 0 && this.queue.peek()!.cancelled) this.dropPending(this.queue.shift()!);
    const first = this.queue.peek();
    if (!first) return undefined;
    const seg = this.activeSegmentFor(first.buf.length);
    if (!seg) return undefined;
    const recs: Pending[] = [];
    let len = 0;
    for (let p = this.queue.peek(); p; p = this.queue.peek()) {
      if (p.cancelled) {
        this.dropPending(this.queue.shift()!);
        continue;
      }
      if (recs.length > 0 && (seg.size + len + p.buf.length > this.segmentSize || len + p.buf.length > MAX_BATCH_BYTES)) break;
      recs.push(this.queue.shift()!);
      len += p.buf.length;
    }
    const buf = recs.length === 1 ? recs[0]!.buf : Buffer.concat(recs.map((r) => r.buf), len);
    const batch: Batch = { seg, offset: seg.size, buf, recs, done: false, settled: false };
    seg.size += len;
    return batch;
  }

  private dropPending(p: Pending): void {
    this.pendingBytes -= p.buf.length;
    if (this.pending.get(p.key) === p) this.pending.delete(p.key);
  }

  /** Our segment to append `len` bytes to: the current one if it fits and still exists, else a new one. */
  private activeSegmentFor(len: number): Segment | undefined {
    const cur = this.active;
    if (cur) {
      let gone = false;
      try {
        gone = fs.fstatSync(cur.writeFd!).nlink === 0;
      } catch {
        gone = true;
      }
      if (gone) {
        // Removed under us (cst-cli clear, or another process's eviction): start afresh.
        logger().debug({ segment: cur.name }, 'frozen store: active segment was removed; starting a new one');
        this.forgetSegment(cur);
      } else if (cur.size > SEGMENT_HEADER_SIZE && cur.size + len > this.segmentSize) {
        this.sealActive();
      } else {
        return cur;
      }
    }
    const now = Date.now();
    const name = segmentFileName(process.pid, now, randomBytes(4).toString('hex'));
    const file = path.join(this.segmentsDir, name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o644);
    } catch (err) {
      this.counters.writeErrors++;
      this.degrade(describeWriteError(err, file));
      return undefined;
    }
    try {
      writeAllSync(fd, encodeSegmentHeader(process.pid, now), 0);
    } catch (err) {
      this.counters.writeErrors++;
      closeQuietly(fd);
      fs.rmSync(file, { force: true });
      this.degrade(describeWriteError(err, file));
      return undefined;
    }
    const seg: Segment = {
      name,
      path: file,
      pid: process.pid,
      size: SEGMENT_HEADER_SIZE,
      scanned: SEGMENT_HEADER_SIZE,
      mtimeMs: now,
      lastUsed: now,
      touchedAt: now,
      keys: [],
      records: 0,
      corruptOffsets: new Set(),
      warned: false,
      sealed: false,
      writeFd: fd,
    };
    ACTIVE_SEGMENTS.add(file);
    this.segments.set(name, seg);
    this.active = seg;
    return seg;
  }

  /** Stop appending to the active segment (it is full, gone, or we are closing). */
  private sealActive(): void {
    const seg = this.active;
    if (!seg) return;
    this.active = undefined;
    ACTIVE_SEGMENTS.delete(seg.path);
    this.closeWriteFd(seg);
  }

  private closeWriteFd(seg: Segment): void {
    if (seg.writeFd === undefined) return;
    // Never close an fd an async write is still using: the number could be reused by the next open.
    if (this.inflight && !this.inflight.settled && this.inflight.seg === seg) {
      seg.closeWriteFdWhenSettled = true;
      return;
    }
    sealFd(seg.writeFd);
    seg.sealed = true;
    closeQuietly(seg.writeFd);
    seg.writeFd = undefined;
    seg.closeWriteFdWhenSettled = false;
  }

  private commit(batch: Batch): void {
    batch.done = true;
    const seg = batch.seg;
    let offset = batch.offset;
    for (const p of batch.recs) {
      const length = p.buf.length;
      if (!p.cancelled || p.tombstone) {
        if (p.tombstone) {
          const t = this.tombstones.get(p.key);
          if (!t || t.time < p.time) this.tombstones.set(p.key, { time: p.time, seg, offset, length });
          const cur = this.index.get(p.key);
          if (cur && cur.time <= p.time) this.index.delete(p.key);
        } else {
          const t = this.tombstones.get(p.key);
          if (!t || t.time < p.time) {
            this.index.set(p.key, { seg, offset, length, time: p.time, lang: p.language });
            seg.keys.push(p.key);
          }
        }
      }
      seg.records++;
      this.dropPending(p);
      this.counters.writes++;
      audit(p.tombstone ? 'store-delete' : 'store-write', `${seg.path}#${p.key}`, 'ok', { bytes: length });
      offset += length;
    }
    seg.scanned = Math.max(seg.scanned, offset);
    const now = Date.now();
    seg.mtimeMs = now;
    seg.lastUsed = now;
    seg.touchedAt = now;
    this.enforceDiskBound();
  }

  private writeFailed(batch: Batch, err: unknown): void {
    batch.done = true;
    this.counters.writeErrors++;
    const seg = batch.seg;
    // Cut back a partial write so the segment ends on a record boundary.
    if (seg.writeFd !== undefined) {
      try {
        fs.ftruncateSync(seg.writeFd, batch.offset);
      } catch {
        // best effort: a later open sees an incomplete tail and skips it
      }
    }
    seg.size = Math.min(seg.size, batch.offset);
    for (const p of batch.recs) {
      this.dropPending(p);
      audit(p.tombstone ? 'store-delete' : 'store-write', `${seg.path}#${p.key}`, errCode(err));
    }
    this.degrade(describeWriteError(err, seg.path));
  }

  /** Wait until everything queued so far is on disk (or dropped because the store degraded). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.draining) {
        await this.draining;
        continue;
      }
      if (this.queue.size > 0 && this.writable && !this.closed) {
        this.startDrain();
        continue;
      }
      return;
    }
  }

  /**
   * Write everything pending before returning, synchronously. Safe while a
   * background write is in flight: that batch is rewritten at the same place
   * with the same bytes.
   */
  flushSync(): void {
    if (this.closed) return;
    const inflight = this.inflight;
    if (inflight && !inflight.done) {
      try {
        writeAllSync(inflight.seg.writeFd!, inflight.buf, inflight.offset);
        this.commit(inflight);
      } catch (err) {
        this.writeFailed(inflight, err);
      }
    }
    while (this.writable && this.queue.size > 0) {
      const batch = this.takeBatch();
      if (!batch) break;
      try {
        writeAllSync(batch.seg.writeFd!, batch.buf, batch.offset);
        this.commit(batch);
      } catch (err) {
        this.writeFailed(batch, err);
      }
    }
  }

  /** Flush synchronously and release files. Later calls are no-ops or misses. */
  close(): void {
    if (this.closed) return;
    this.flushSync();
    this.sealActive();
    for (const fd of this.readFds.values()) closeQuietly(fd);
    this.readFds.clear();
    this.closed = true;
  }

  // ----- disk bound ----------------------------------------------------------

  private totalBytes(): number {
    let total = 0;
    for (const seg of this.segments.values()) total += seg.size;
    return total;
  }

  private enforceDiskBound(): void {
    if (!this.writable || this.maintenance || !Number.isFinite(this.maxDiskBytes)) return;
    // The bound is for the directory, shared with other writers: take in what they added (throttled).
    this.maybeRefresh();
    let total = this.totalBytes();
    if (total <= this.maxDiskBytes) return;
    const victims = [...this.segments.values()].filter((s) => s !== this.active).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const seg of victims) {
      if (total <= this.maxDiskBytes) break;
      total -= seg.size;
      this.removeSegmentFile(seg);
      this.counters.evictedSegments++;
      logger().debug({ segment: seg.name, bytes: seg.size, lastUsed: new Date(seg.lastUsed).toISOString() }, 'frozen store: evicted least recently used segment');
    }
  }

  private removeSegmentFile(seg: Segment): void {
    this.forgetSegment(seg);
    try {
      fs.unlinkSync(seg.path);
      audit('store-remove', seg.path, 'ok');
    } catch (err) {
      if (errCode(err) !== 'ENOENT') logger().debug({ segment: seg.path, code: errCode(err) }, 'frozen store: could not remove segment');
    }
  }

  // ----- stats ---------------------------------------------------------------

  stats(): SegmentStoreStats {
    const s: SegmentStoreStats = {
      segments: this.segments.size,
      records: this.index.size,
      bytes: this.totalBytes(),
      segmentLoads: this.counters.segmentLoads,
      corruptRecords: this.counters.corruptRecords,
      writes: this.counters.writes,
      writeErrors: this.counters.writeErrors,
      pendingWrites: this.queue.size,
      hits: this.counters.hits,
      misses: this.counters.misses,
      evictedSegments: this.counters.evictedSegments,
      maxDiskBytes: this.maxDiskBytes,
    };
    if (this.degradedReason !== undefined) s.degraded = this.degradedReason;
    return s;
  }

  /** Per-language counts and dead-record totals, from the index (no I/O). */
  summary(): StoreSummary {
    const languages: Record<string, { records: number; bytes: number }> = {};
    let oldest: number | undefined;
    let newest: number | undefined;
    for (const loc of this.index.values()) {
      const l = (languages[loc.lang] ??= { records: 0, bytes: 0 });
      l.records++;
      l.bytes += loc.length;
      if (oldest === undefined || loc.time < oldest) oldest = loc.time;
      if (newest === undefined || loc.time > newest) newest = loc.time;
    }
    let all = 0;
    for (const seg of this.segments.values()) all += seg.records;
    let tombstones = 0;
    for (const t of this.tombstones.values()) if (this.segments.get(t.seg.name) === t.seg) tombstones++;
    return {
      languages,
      liveRecords: this.index.size,
      deadRecords: Math.max(0, all - this.index.size - tombstones),
      tombstones,
      oldestWriteMs: oldest,
      newestWriteMs: newest,
      foreignFiles: this.badFiles.size,
    };
  }

  // ----- maintenance (cst-cli) -----------------------------------------------

  private requireWritable(what: string): void {
    if (this.closed) throw new Error(`${what}: the store is closed`);
    if (!this.readable) throw new Error(`${what}: ${this.degradedReason ?? 'the store is unavailable'}`);
    if (this.readOnly) throw new Error(`${what}: the store was opened read-only`);
    if (!this.writable) throw new Error(`${what}: ${this.degradedReason ?? 'the store is not writable'}`);
  }

  /** Check every record of every segment (both checksums). Reads only. */
  async verify(): Promise<VerifyReport> {
    await this.flush();
    this.refresh(true);
    const report: VerifyReport = { dir: this.dir, ok: true, segments: [], foreignFiles: [], tempFiles: [], records: 0, liveRecords: 0, corruptRecords: 0 };
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(this.segmentsDir, { withFileTypes: true });
    } catch (err) {
      if (errCode(err) !== 'ENOENT') throw new Error(`cannot list ${this.segmentsDir}: ${errCode(err)}`);
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.probe-')) continue;
      if (e.name.endsWith(TEMP_EXT)) {
        const pid = pidFromName(e.name);
        report.tempFiles.push({ name: e.name, writerRunning: pid !== undefined && pidAlive(pid) && pid !== process.pid });
        continue;
      }
      if (!e.isFile() || !isSegmentName(e.name)) {
        report.foreignFiles.push({ name: e.name, detail: e.isFile() ? 'not a segment file name' : 'not a regular file' });
        continue;
      }
      const seg = this.segments.get(e.name);
      let buf: Buffer;
      try {
        buf = fs.readFileSync(path.join(this.segmentsDir, e.name));
      } catch (err) {
        if (errCode(err) === 'ENOENT') continue;
        report.foreignFiles.push({ name: e.name, detail: `unreadable (${errCode(err)})` });
        continue;
      }
      const pid = seg?.pid ?? pidFromName(e.name) ?? 0;
      let sealed = false;
      try {
        sealed = (fs.statSync(path.join(this.segmentsDir, e.name)).mode & 0o222) === 0;
      } catch {
        // gone meanwhile: judged by its owner alone
      }
      const writing = ACTIVE_SEGMENTS.has(path.join(this.segmentsDir, e.name)) || (!sealed && pid !== process.pid && pidAlive(pid));
      const head = checkSegmentHeader(buf);
      if (!head.ok) {
        if (head.problem === 'short' && (buf.length === 0 || writing)) {
          report.segments.push({ name: e.name, bytes: buf.length, records: 0, live: 0, tombstones: 0, corrupt: 0, problems: [], ...(writing ? { incompleteTail: 'writing' as const } : {}) });
          continue;
        }
        report.foreignFiles.push({ name: e.name, detail: head.detail });
        continue;
      }
      const r: SegmentReport = { name: e.name, bytes: buf.length, records: 0, live: 0, tombstones: 0, corrupt: 0, problems: [] };
      let pos = SEGMENT_HEADER_SIZE;
      while (pos < buf.length) {
        const h = checkRecordHeader(buf, pos);
        if (h.ok && pos + h.header.length <= buf.length) {
          const rec = buf.subarray(pos, pos + h.header.length);
          if (rec.readUInt32LE(56) !== recordCrc(rec)) {
            r.corrupt++;
            r.problems.push({ offset: pos, detail: 'record checksum mismatch' });
          } else {
            r.records++;
            if (h.header.tombstone) r.tombstones++;
            else {
              const loc = this.index.get(rec.toString('hex', 20, 52));
              if (loc && loc.seg === seg && loc.offset === pos) r.live++;
            }
          }
          pos += h.header.length;
          continue;
        }
        if (h.ok || h.problem === 'short') {
          if (writing) r.incompleteTail = 'writing';
          else {
            r.incompleteTail = 'truncated';
            r.corrupt++;
            r.problems.push({ offset: pos, detail: h.ok ? `truncated record: needs ${h.header.length} bytes, ${buf.length - pos} left` : `truncated record header: ${buf.length - pos} bytes` });
          }
          break;
        }
        r.corrupt++;
        r.problems.push({ offset: pos, detail: h.detail });
        const next = resync(buf, pos + 1);
        if (!next) break;
        pos = next.at;
      }
      report.segments.push(r);
      report.records += r.records;
      report.liveRecords += r.live;
      report.corruptRecords += r.corrupt;
    }
    report.ok = report.corruptRecords === 0 && report.foreignFiles.length === 0;
    return report;
  }

  /** Remove every record (no language), or every record of `language`. */
  async clear(options: { language?: string } = {}): Promise<MaintenanceResult> {
    this.requireWritable('clear');
    const language = options.language;
    for (const p of this.queue.values()) {
      if (language === undefined || (!p.tombstone && p.language === language)) {
        p.cancelled = true;
        if (this.pending.get(p.key) === p) this.pending.delete(p.key);
      }
    }
    if (language !== undefined) {
      return this.rewrite('clear', (loc) => loc.lang !== language, { tombstoneBusy: (loc) => loc.lang === language });
    }
    await this.flush();
    this.sealActive();
    this.refresh(true);
    const bytesBefore = this.totalBytes();
    const removedRecords = this.index.size;
    const removedSegments = this.segments.size;
    for (const seg of [...this.segments.values()]) this.removeSegmentFile(seg);
    let removedOtherFiles = 0;
    for (const name of this.listSegmentsDir()) {
      if (name.startsWith('.probe-')) continue;
      if (name.endsWith(TEMP_EXT) && this.tempBusy(name)) continue;
      if (this.removeFile(name)) removedOtherFiles++;
    }
    this.badFiles.clear();
    this.tombstones.clear();
    this.index.clear();
    return { removedSegments, removedRecords, droppedRecords: 0, writtenSegments: 0, keptRecords: 0, bytesBefore, bytesAfter: this.totalBytes(), removedOtherFiles, skippedBusySegments: 0 };
  }

  /** Remove segments not used (read or written) for longer than `olderThanMs`, and stale temporary files. */
  async cleanup(options: { olderThanMs: number }): Promise<MaintenanceResult> {
    this.requireWritable('cleanup');
    await this.flush();
    this.refresh(true);
    const cutoff = Date.now() - options.olderThanMs;
    const bytesBefore = this.totalBytes();
    let removedSegments = 0;
    let removedRecords = 0;
    let skippedBusySegments = 0;
    for (const seg of [...this.segments.values()]) {
      if (seg === this.active || seg.lastUsed >= cutoff) continue;
      if (this.busyElsewhere(seg)) {
        skippedBusySegments++;
        continue;
      }
      removedRecords += this.liveIn(seg);
      this.removeSegmentFile(seg);
      removedSegments++;
    }
    let removedOtherFiles = 0;
    for (const name of this.listSegmentsDir()) {
      if (!name.endsWith(TEMP_EXT) || this.tempBusy(name)) continue;
      if (this.removeFile(name)) removedOtherFiles++;
    }
    return { removedSegments, removedRecords, droppedRecords: 0, writtenSegments: 0, keptRecords: this.index.size, bytesBefore, bytesAfter: this.totalBytes(), removedOtherFiles, skippedBusySegments };
  }

  /** Rewrite live records into fresh segments (atomically), dropping dead, deleted and damaged ones, and files that are not ours. */
  async defrag(): Promise<MaintenanceResult> {
    this.requireWritable('defrag');
    return this.rewrite('defrag', () => true, {});
  }

  private liveIn(seg: Segment): number {
    let n = 0;
    const seen = new Set<string>();
    for (const key of seg.keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.index.get(key)?.seg === seg) n++;
    }
    return n;
  }

  private listSegmentsDir(): string[] {
    try {
      return fs.readdirSync(this.segmentsDir);
    } catch {
      return [];
    }
  }

  private tempBusy(name: string): boolean {
    const pid = pidFromName(name);
    if (pid === undefined || pid === process.pid) return false;
    if (!pidAlive(pid)) return false;
    try {
      return Date.now() - fs.statSync(path.join(this.segmentsDir, name)).mtimeMs < BUSY_WINDOW_MS;
    } catch {
      return false;
    }
  }

  private removeFile(name: string): boolean {
    try {
      fs.rmSync(path.join(this.segmentsDir, name), { recursive: false, force: false });
      audit('store-remove', path.join(this.segmentsDir, name), 'ok');
      return true;
    } catch (err) {
      if (errCode(err) === 'ERR_FS_EISDIR' || errCode(err) === 'EISDIR') {
        logger().warn({ entry: path.join(this.segmentsDir, name) }, 'frozen store: a directory in segments/ is not ours; left in place');
      }
      return false;
    }
  }

  /**
   * Rewrite every segment not busy elsewhere: keep records the index serves
   * from it and `keep` accepts. New segments are written as temp files, fsynced,
   * renamed and the directory fsynced before any old segment is unlinked.
   */
  private async rewrite(what: string, keep: (loc: Loc) => boolean, options: { tombstoneBusy?: (loc: Loc) => boolean }): Promise<MaintenanceResult> {
    await this.flush();
    this.sealActive();
    this.refresh(true);
    this.maintenance = true;
    const created: string[] = [];
    try {
      const bytesBefore = this.totalBytes();
      const all = [...this.segments.values()];
      const busy = all.filter((s) => this.busyElsewhere(s));
      const candidates = all.filter((s) => !busy.includes(s)).sort((a, b) => a.lastUsed - b.lastUsed);
      const candidateSet = new Set(candidates);
      // Tombstones must outlive the records they hide: keep them while any segment stays behind.
      const keepTombstones = busy.length > 0;

      const moves: { key: string; from: Loc | undefined; to: Omit<Loc, 'seg'>; tomb: boolean; segIndex: number }[] = [];
      const outputs: { name: string; tmp: string; chunks: Buffer[]; size: number; lastUsed: number }[] = [];
      let removedRecords = 0;
      let keptRecords = 0;
      let keptTombstones = 0;
      let recordsBefore = 0;
      for (const seg of candidates) recordsBefore += seg.records;
      const startOutput = () => {
        const now = Date.now();
        const name = segmentFileName(process.pid, now, randomBytes(4).toString('hex'));
        const out = { name, tmp: path.join(this.segmentsDir, name + TEMP_EXT), chunks: [encodeSegmentHeader(process.pid, now)], size: SEGMENT_HEADER_SIZE, lastUsed: 0 };
        outputs.push(out);
        return out;
      };
      let out: (typeof outputs)[number] | undefined;
      const finishOutput = (o: (typeof outputs)[number]) => {
        const fd = fs.openSync(o.tmp, 'wx', 0o644);
        created.push(o.tmp);
        try {
          writeAllSync(fd, Buffer.concat(o.chunks, o.size), 0);
          sealFd(fd);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        o.chunks = [];
      };
      const append = (rec: Buffer, lastUsed: number): number => {
        if (!out || (out.size > SEGMENT_HEADER_SIZE && out.size + rec.length > this.segmentSize)) {
          if (out) finishOutput(out);
          out = startOutput();
        }
        const offset = out.size;
        out.chunks.push(rec);
        out.size += rec.length;
        out.lastUsed = Math.max(out.lastUsed, lastUsed);
        return offset;
      };

      for (const seg of candidates) {
        const seen = new Set<string>();
        for (const key of seg.keys) {
          if (seen.has(key)) continue;
          seen.add(key);
          const loc = this.index.get(key);
          if (!loc || loc.seg !== seg) continue;
          if (!keep(loc)) {
            removedRecords++;
            continue;
          }
          let rec: Buffer;
          try {
            rec = readAllSync(this.readFd(seg), loc.length, loc.offset);
          } catch {
            continue; // removed by someone else meanwhile
          }
          const check = checkRecord(rec, Buffer.from(key, 'hex'));
          if (!check.ok) {
            this.corrupt(seg, loc.offset, check.detail);
            continue;
          }
          const offset = append(rec, seg.lastUsed);
          moves.push({ key, from: loc, to: { offset, length: loc.length, time: loc.time, lang: loc.lang }, tomb: false, segIndex: outputs.length - 1 });
          keptRecords++;
        }
        if (keepTombstones) {
          for (const [key, t] of this.tombstones) {
            if (t.seg !== seg) continue;
            let rec: Buffer;
            try {
              rec = readAllSync(this.readFd(seg), t.length, t.offset);
            } catch {
              continue;
            }
            if (!checkRecord(rec).ok) continue;
            const offset = append(rec, seg.lastUsed);
            moves.push({ key, from: undefined, to: { offset, length: t.length, time: t.time, lang: '' }, tomb: true, segIndex: outputs.length - 1 });
            keptTombstones++;
          }
        }
        await new Promise((r) => setImmediate(r));
      }
      if (out && out.chunks.length > 0) finishOutput(out);

      // Publish: rename every new segment, make the renames durable, then (only then) drop the old files.
      const newSegs: Segment[] = [];
      for (const o of outputs) {
        const file = path.join(this.segmentsDir, o.name);
        fs.renameSync(o.tmp, file);
        audit('store-write', file, 'ok', { bytes: o.size });
        created.splice(created.indexOf(o.tmp), 1);
        const lastUsed = o.lastUsed || Date.now();
        try {
          fs.utimesSync(file, lastUsed / 1000, lastUsed / 1000);
        } catch {
          // mtime is only a hint
        }
        newSegs.push({ name: o.name, path: file, pid: process.pid, size: o.size, scanned: o.size, mtimeMs: lastUsed, lastUsed, touchedAt: Date.now(), keys: [], records: 0, corruptOffsets: new Set(), warned: false, sealed: true });
      }
      fsyncDir(this.segmentsDir);
      for (const s of newSegs) this.segments.set(s.name, s);
      for (const m of moves) {
        const seg = newSegs[m.segIndex]!;
        seg.records++;
        if (m.tomb) {
          const t = this.tombstones.get(m.key);
          if (t && t.time === m.to.time) this.tombstones.set(m.key, { time: m.to.time, seg, offset: m.to.offset, length: m.to.length });
        } else if (this.index.get(m.key) === m.from) {
          this.index.set(m.key, { seg, ...m.to });
          seg.keys.push(m.key);
        }
      }
      for (const seg of candidates) this.removeSegmentFile(seg);
      // Only files known to be bad, and stale temp files: a file that appeared meanwhile is some writer's new segment.
      let removedOtherFiles = 0;
      for (const name of this.listSegmentsDir()) {
        const bad = this.badFiles.has(name);
        const staleTemp = name.endsWith(TEMP_EXT) && !created.includes(path.join(this.segmentsDir, name)) && !this.tempBusy(name);
        if (!bad && !staleTemp) continue;
        if (this.removeFile(name)) removedOtherFiles++;
        this.badFiles.delete(name);
      }
      // Records of `language` in segments another process is still writing: hide them with tombstones.
      let tombstoned = 0;
      if (options.tombstoneBusy) {
        for (const [key, loc] of [...this.index]) {
          if (!candidateSet.has(loc.seg) && busy.includes(loc.seg) && options.tombstoneBusy(loc)) {
            this.delete(key);
            tombstoned++;
          }
        }
        await this.flush();
      }
      return {
        removedSegments: candidates.length,
        removedRecords: removedRecords + tombstoned,
        droppedRecords: Math.max(0, recordsBefore - keptRecords - keptTombstones - removedRecords),
        writtenSegments: newSegs.length,
        keptRecords,
        bytesBefore,
        bytesAfter: this.totalBytes(),
        removedOtherFiles,
        skippedBusySegments: busy.length,
      };
    } catch (err) {
      for (const tmp of created) fs.rmSync(tmp, { force: true });
      throw new Error(`${what} failed, nothing was removed: ${describeWriteError(err, this.segmentsDir)}`);
    } finally {
      this.maintenance = false;
      this.enforceDiskBound();
    }
  }
}

function normalizeKey(key: string): string {
  if (typeof key !== 'string' || !HEX_KEY.test(key)) throw new TypeError(`frozen store key must be ${KEY_BYTES * 2} hex digits (a sha256)`);
  return key.toLowerCase();
}

/** Mark a segment finished: clear its write permission bits (content and mtime are untouched). */
function sealFd(fd: number): void {
  try {
    fs.fchmodSync(fd, fs.fstatSync(fd).mode & 0o7555);
  } catch {
    // best effort: an unsealed segment of a dead writer is recognised by its pid
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}
