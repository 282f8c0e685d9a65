// What the last indexing runs learned about each file: its stat signature when
// it was read, and the content key of its entry. On a restart, a file whose
// signature is unchanged is served from the frozen tier by that key without
// being read and hashed again (git's index does the same for `git status`).
//
// Safe by construction:
//   - a signature is trusted only when the file's mtime was at least
//     RACY_MS older than the moment its read began: a write after the read
//     would have moved mtime past it even on file systems with coarse
//     timestamps (FAT: 2 s), so "same signature" means "same bytes";
//   - the key carries the grammar identity and every format version
//     (cache/entry.ts contentKey), and the caller still looks it up in the
//     store: an entry that is gone (cleared, evicted, corrupt) means a read;
//   - the file is a hint: unreadable, corrupt or foreign content is ignored,
//     and a failed write (read-only or full disk) costs only the next start's
//     reads.
// One file per cache directory (`index-manifest.json`), written atomically
// (temporary file, then rename) at the end of an indexing run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logger } from '../log.js';
import type { FileSignature } from './walker.js';
import { INDEX_MANIFEST_FILE as MANIFEST_FILE, TEMP_EXT } from '../cache/segmentFormat.js';
const FORMAT = 1;
/** A signature is trusted when the file is at least this much older than its last read. */
const RACY_MS = 3000;

/** [size, mtimeMs, ctimeMs, ino, readAtMs, grammar identity, content key] */
type Row = [number, number, number, number, number, string, string];

export class IndexManifest {
  private readonly rows = new Map<string, Row>();
  private readonly seen = new Set<string>();
  private dirty = false;

  private constructor(private readonly file: string | undefined) {}

  /** The manifest of a cache directory (empty when it has none, or none usable). */
  static load(cacheDir: string | undefined): IndexManifest {
    const file = cacheDir ? path.join(cacheDir, MANIFEST_FILE) : undefined;
    const m = new IndexManifest(file);
    if (!file) return m;
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: unknown; files?: unknown };
      if (data.format !== FORMAT || !data.files || typeof data.files !== 'object') return m;
      for (const [p, row] of Object.entries(data.files as Record<string, unknown>)) if (validRow(row)) m.rows.set(p, row);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger().debug({ err, file }, 'index manifest unusable; files are read again');
    }
    return m;
  }

  /** The key recorded for this file under this grammar identity, when its signature says it is unchanged since it was read. */
  lookup(filePath: string, sig: FileSignature | undefined, identity: string): string | undefined {
    const row = this.rows.get(filePath);
    if (!row || !sig) return undefined;
    const [size, mtimeMs, ctimeMs, ino, readAt, id, key] = row;
    if (id !== identity || size !== sig.size || mtimeMs !== sig.mtimeMs || ctimeMs !== sig.ctimeMs || ino !== sig.ino) return undefined;
    if (mtimeMs > readAt - RACY_MS || ctimeMs > readAt - RACY_MS) return undefined;
    this.seen.add(filePath);
    return key;
  }

  /** A file read at `readAt` (taken before the read began) has this key. */
  record(filePath: string, sig: FileSignature | undefined, readAt: number, identity: string, key: string): void {
    if (!sig) return;
    this.rows.set(filePath, [sig.size, sig.mtimeMs, sig.ctimeMs, sig.ino, readAt, identity, key]);
    this.seen.add(filePath);
    this.dirty = true;
  }

  /**
   * Write it, without the files under `roots` that this run did not see
   * (deleted, now excluded); files of other workspaces that share the cache
   * directory are kept.
   */
  save(roots: readonly string[]): void {
    for (const p of this.rows.keys()) {
      if (!this.seen.has(p) && roots.some((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) {
        this.rows.delete(p);
        this.dirty = true;
      }
    }
    this.seen.clear();
    if (!this.file || !this.dirty) return;
    const tmp = `${this.file}.${process.pid}${TEMP_EXT}`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, files: Object.fromEntries(this.rows) }));
      fs.renameSync(tmp, this.file);
      this.dirty = false;
    } catch (err) {
      logger().debug({ err, file: this.file }, 'index manifest not written; the next start reads every file');
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
}

function validRow(row: unknown): row is Row {
  return (
    Array.isArray(row) &&
    row.length === 7 &&
    row.slice(0, 5).every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    typeof row[5] === 'string' &&
    typeof row[6] === 'string' &&
    /^[0-9a-f]{64}$/.test(row[6])
  );
}
