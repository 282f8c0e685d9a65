// Background indexing of workspace folders: walk, read, look each file up in
// the frozen store by content key (no parse when unchanged), otherwise parse
// it in a worker and store the payload; the symbols go to the workspace index.
// Requests keep being answered meanwhile (all parsing is in workers), and
// documents the user opens are served by the document store, not queued here.
import { pathToFileURL } from 'node:url';
import type { GrammarRegistry } from '../syntax/grammars.js';
import type { Settings } from '../config.js';
import type { FrozenStore } from '../cache/tiers.js';
import { contentKey, decodeStoredIndex, decompress, type DerivedIndex, type EntryKind, type StoredIndex } from '../cache/entry.js';
import type { PackedSymbols } from '../features/symbolPack.js';
import { logger } from '../log.js';
import { Priority, type WorkerPool } from './workers.js';
import { readSourceFile, Walker, type SkipReason, type WalkedFile } from './walker.js';
import type { WorkspaceIndex } from './index.js';
import type { IndexManifest } from './manifest.js';

/** What the server writes itself: the cache dir, the log file, the audit log. A workspace walk never indexes them. */
export function serverPaths(settings: Settings, env: NodeJS.ProcessEnv = process.env): string[] {
  return [settings.cacheDir, env.CST_LOG_FILE, env.CST_AUDIT_LOG].filter((p): p is string => Boolean(p));
}

export interface IndexProgress {
  begin(total: number): void;
  report(done: number, total: number): void;
  end(message: string): void;
}

export interface IndexSummary {
  files: number;
  parsed: number;
  fromCache: number;
  /** Bytes on disk of the files indexed. */
  bytes: number;
  ms: number;
  parseMs: number;
  perLanguage: Record<string, number>;
  skipped: Record<string, number>;
  examples: Record<string, string[]>;
  fileLimitHit: boolean;
  cancelled: boolean;
}

export interface IndexerOptions {
  registry: GrammarRegistry;
  pool: WorkerPool;
  store: () => FrozenStore | null;
  settings: () => Settings;
  index: WorkspaceIndex;
  /** Open documents are the document store's: skipped here. */
  isOpen?: (uri: string) => boolean;
  /** What to store for a parsed file: the derived index only (default), or the compact CST too. */
  entryKind?: EntryKind;
  /** A file was parsed (in a worker): statistics. */
  onParsed?: () => void;
  /** Stat signatures and keys of files read before (a restart does not read unchanged files again); none without a store. */
  manifest?: IndexManifest;
}

export type IndexState = 'idle' | 'indexing' | 'done' | 'cancelled';

/** The symbols and completion facts of a stored entry; undefined when it is missing or damaged (the file is then parsed as if new). */
function storedFacts(store: FrozenStore, key: string): Pick<StoredIndex, 'symbols' | 'completion'> | undefined {
  const payload = store.has(key) ? store.get(key) : undefined;
  if (!payload) return undefined;
  try {
    return decodeStoredIndex(decompress(payload), key).index;
  } catch {
    return undefined;
  }
}

/** Longest stretch of indexing work between two turns of the event loop. */
const YIELD_MS = 8;

export class Indexer {
  state: IndexState = 'idle';
  summary: IndexSummary | undefined;
  done = 0;
  total = 0;
  private abort: AbortController | undefined;
  /** The workspace folders of the last run (watched-file events are checked against the walk's rules there). */
  private roots: string[] | undefined;

  constructor(private readonly options: IndexerOptions) {}

  /** Say what limit was hit, for $/health ("ok" otherwise). */
  check(): string {
    if (this.state === 'indexing') return `ok (indexing ${this.done}/${this.total})`;
    const s = this.summary;
    if (!s) return 'ok';
    const notes: string[] = [];
    if (s.fileLimitHit) notes.push(`file limit reached (${this.options.settings().index.maxFiles} files; index.maxFiles)`);
    if (s.skipped['too-large']) notes.push(`${s.skipped['too-large']} files over the size limit (index.maxFileSizeMb)`);
    return notes.length ? `ok (${notes.join('; ')})` : 'ok';
  }

  cancel(): void {
    this.abort?.abort();
    this.options.pool.clearQueue(Priority.background);
  }

  /** Walk and index `roots`; `allRoots` are the workspace folders watched-file events are checked against. */
  async run(roots: string[], progress?: IndexProgress, allRoots: string[] = roots): Promise<IndexSummary> {
    this.cancel();
    const abort = new AbortController();
    this.abort = abort;
    this.roots = allRoots;
    const settings = this.options.settings();
    const started = performance.now();
    const summary: IndexSummary = { files: 0, parsed: 0, fromCache: 0, bytes: 0, ms: 0, parseMs: 0, perLanguage: {}, skipped: {}, examples: {}, fileLimitHit: false, cancelled: false };
    this.state = 'indexing';
    this.done = 0;
    const walker = new Walker({
      roots,
      registry: this.options.registry,
      include: settings.index.include,
      exclude: settings.index.exclude,
      maxFiles: settings.index.maxFiles,
      maxFileBytes: settings.index.maxFileBytes,
      serverPaths: serverPaths(settings),
      signal: abort.signal,
    });
    const files: WalkedFile[] = [];
    for await (const f of walker.files()) files.push(f);
    this.total = files.length;
    progress?.begin(files.length);
    const skip = (reason: SkipReason | 'parse-failed' | 'timed-out', p: string) => {
      summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
      const ex = (summary.examples[reason] ??= []);
      if (ex.length < 5) ex.push(p);
    };
    const inFlight = new Set<Promise<void>>();
    const limit = Math.max(16, this.options.pool.backgroundWorkers * 2 + 2);
    let lastReport = 0;
    let lastYield = performance.now();
    for (const file of files) {
      if (abort.signal.aborted) break;
      // A file that comes from the store without a read completes without giving the event loop a
      // turn: yield every few milliseconds, so that requests are answered while a restart indexes.
      if (performance.now() - lastYield > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const task = this.indexOne(file, summary, skip).finally(() => {
        inFlight.delete(task);
        this.done++;
        const now = performance.now();
        if (now - lastReport > 100 || this.done === this.total) {
          lastReport = now;
          progress?.report(this.done, this.total);
        }
      });
      inFlight.add(task);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    for (const [reason, n] of walker.summary.skipped) {
      summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
      summary.examples[reason] = [...(summary.examples[reason] ?? []), ...(walker.summary.examples.get(reason) ?? [])].slice(0, 5);
    }
    summary.fileLimitHit = walker.summary.fileLimitHit;
    summary.cancelled = abort.signal.aborted;
    // A cancelled run saw only part of the files: keep the rows of the others.
    this.options.manifest?.save(summary.cancelled ? [] : roots);
    summary.ms = performance.now() - started;
    this.summary = summary;
    this.state = summary.cancelled ? 'cancelled' : 'done';
    const message = `${summary.files} files indexed (${summary.parsed} parsed, ${summary.fromCache} from cache) in ${(summary.ms / 1000).toFixed(1)} s`;
    progress?.end(message);
    const log = logger();
    log.info({ ...summary, examples: undefined }, 'workspace indexed');
    if (summary.fileLimitHit) log.warn({ maxFiles: settings.index.maxFiles }, 'workspace index: file limit reached; the rest is not indexed (index.maxFiles)');
    if (summary.skipped['too-large']) log.warn({ count: summary.skipped['too-large'], examples: summary.examples['too-large'] }, 'workspace index: files over the size limit skipped (index.maxFileSizeMb)');
    return summary;
  }

  /**
   * Index (or re-index) one file now: watched-file changes, closed documents.
   * The walk's rules apply (a file created under node_modules, in an ignored
   * or excluded folder, through a symlink or outside the workspace folders
   * stays out), and a file that can no longer be indexed (now binary, not
   * UTF-8, too large, unparsable) leaves the index instead of keeping stale
   * symbols.
   */
  async indexPath(path: string): Promise<boolean> {
    const settings = this.options.settings();
    const uri = pathToFileURL(path).toString();
    let file: WalkedFile;
    if (this.roots) {
      const walker = new Walker({
        roots: this.roots,
        registry: this.options.registry,
        include: settings.index.include,
        exclude: settings.index.exclude,
        maxFiles: settings.index.maxFiles,
        maxFileBytes: settings.index.maxFileBytes,
        serverPaths: serverPaths(settings),
      });
      const admitted = await walker.admit(path);
      if ('skip' in admitted) {
        if (!this.options.isOpen?.(uri)) this.options.index.delete(uri);
        return false;
      }
      if (!this.options.index.has(uri) && this.options.index.fileCount >= settings.index.maxFiles) return false;
      file = admitted;
    } else {
      // Never walked (indexing is off): no folder rules to apply.
      const spec = this.options.registry.resolve(undefined, path);
      if (!spec) return false;
      file = { path, root: '', language: spec.id, size: 0 };
    }
    const summary: IndexSummary = { files: 0, parsed: 0, fromCache: 0, bytes: 0, ms: 0, parseMs: 0, perLanguage: {}, skipped: {}, examples: {}, fileLimitHit: false, cancelled: false };
    await this.indexOne(file, summary, () => undefined, Priority.interactive);
    if (summary.files === 0 && !this.options.isOpen?.(uri)) this.options.index.delete(uri);
    return summary.files > 0;
  }

  remove(path: string): void {
    this.options.index.delete(pathToFileURL(path).toString());
  }

  private async indexOne(file: WalkedFile, summary: IndexSummary, skip: (reason: SkipReason | 'parse-failed' | 'timed-out', p: string) => void, priority: Priority = Priority.background): Promise<void> {
    const uri = pathToFileURL(file.path).toString();
    if (this.options.isOpen?.(uri)) return;
    const spec = this.options.registry.spec(file.language)!;
    const identity = this.options.registry.identity(spec);
    const store = this.options.store();
    const manifest = store ? this.options.manifest : undefined;
    // Unchanged since a run read it (same stat signature, see manifest.ts): its entry, without reading the file.
    const known = manifest?.lookup(file.path, file.stat, identity);
    const knownFacts = known ? storedFacts(store!, known) : undefined;
    if (knownFacts) {
      summary.fromCache++;
      this.add(uri, file, knownFacts.symbols, knownFacts.completion, file.size, summary);
      return;
    }
    const readAt = Date.now();
    const read = await readSourceFile(file.path);
    if ('skip' in read) {
      skip(read.skip, file.path);
      return;
    }
    const text = read.text;
    // A full entry (the file was open once) serves as well as an index entry.
    const kind = this.options.entryKind ?? 'index';
    const key = contentKey(identity, text, kind);
    // A second hash of the text only when the index entry is missing.
    const fullKey = (): string => (kind === 'full' ? key : contentKey(identity, text, 'full'));
    const cachedKey = !store ? undefined : store.has(key) ? key : store.has(fullKey()) ? fullKey() : undefined;
    let facts = cachedKey ? storedFacts(store!, cachedKey) : undefined;
    if (facts) {
      summary.fromCache++;
      manifest?.record(file.path, file.stat, readAt, identity, cachedKey!);
    } else {
      const result = await this.options.pool.run(file.language, text, { uri, timeoutMs: this.options.settings().parseTimeoutMs, priority, kind });
      if (!result.ok || !result.payload || !result.symbols) {
        skip(result.timedOut ? 'timed-out' : 'parse-failed', file.path);
        return;
      }
      if (result.key === key && store?.put(key, file.language, result.payload)) manifest?.record(file.path, file.stat, readAt, identity, key);
      facts = { symbols: result.symbols, completion: result.completion };
      summary.parsed++;
      this.options.onParsed?.();
      summary.parseMs += result.parseMs ?? 0;
    }
    // Bytes on disk, as a file served from the manifest counts them (file.size): not the text's UTF-16 length.
    this.add(uri, file, facts.symbols, facts.completion, read.bytes, summary);
  }

  private add(uri: string, file: WalkedFile, symbols: PackedSymbols, completion: DerivedIndex['completion'], bytes: number, summary: IndexSummary): void {
    if (this.options.isOpen?.(uri)) return;
    this.options.index.set(uri, symbols, completion);
    summary.files++;
    summary.bytes += bytes;
    summary.perLanguage[file.language] = (summary.perLanguage[file.language] ?? 0) + 1;
  }
}
