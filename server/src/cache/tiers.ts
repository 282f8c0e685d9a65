// The tiered cache: which representation of each document's syntax data is
// kept (hot tree, warm compact CST + index, cold compressed, frozen on disk),
// the memory budget, LRU demotion, promotion on access, and background
// persistence of full-parse results. See ARCHITECTURE.md, "Tiered cache".
import type { Tree } from 'web-tree-sitter';
import type { DocumentSymbol } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentStore, OpenDocument } from './documents.js';
import { compress, IndexMemo, lazyIndex, contentKey, decodeEntry, decompress, encodeEntry, warmFromTree, type DerivedIndex, type WarmData } from './entry.js';
import type { CompactTree } from './compact.js';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import type { Settings } from '../config.js';
import type { CacheCounters } from '../telemetry/stats.js';
import { Priority, type WorkerPool } from '../workspace/workers.js';
import { logger } from '../log.js';
import type { Tier } from '../protocol.js';
import type { PackedSymbols } from '../features/symbolPack.js';
import { ShapeDigest } from '../syntax/shapeDigest.js';
import type { TreeRef } from './treeRef.js';

/**
 * Accounted WASM-heap bytes per node of a live tree. Measured: growth of
 * web-tree-sitter's linear memory per node kept alive is 71-80 bytes on
 * TypeScript and Python files (test/unit/hot-accounting.test.ts checks it).
 */
export const HOT_BYTES_PER_NODE = 72;
/**
 * How long shutdown may spend writing open documents the store lacks. 2 s lost
 * a document in 10 on a loaded 2-core machine (each language's first fold,
 * highlight and completion queries compile during the flush); 4 s stays inside
 * the 5 s a signal allows, and a client that kills the server earlier loses
 * only what was not written yet (the store is crash-safe).
 */
export const SHUTDOWN_PERSIST_BUDGET_MS = 4000;
/**
 * Main-thread time per slice of the live tree's shape digest (confirmation):
 * a message that arrives meanwhile waits at most about this long.
 */
const DIGEST_SLICE_MS = 4;
/** Text is held as a JS string: 2 bytes per UTF-16 code unit. */
export const TEXT_BYTES_PER_CHAR = 2;

/** What the tier manager needs of the on-disk store (cache/segmentStore.ts). */
export interface FrozenStore {
  get(key: string): Buffer | undefined;
  has(key: string): boolean;
  /** Queues a write; false when the store did not accept it (degraded, or too much pending). */
  put(key: string, language: string, payload: Buffer): boolean;
  flush(): Promise<void>;
  flushSync(): void;
  stats(): { segments: number; records: number; bytes: number; segmentLoads: number; corruptRecords: number; writes: number; writeErrors: number; degraded?: string };
  close(): void;
}

/** A read view of one document for features. Call release() when done (it unpins a hot tree). */
export interface Snapshot {
  doc: OpenDocument;
  text: TextDocument;
  tier: Tier;
  /** Live tree, only when served hot. */
  tree: Tree | null;
  /** Compact CST, only when served from below hot. */
  compact: CompactTree | null;
  index: DerivedIndex;
  release(): void;
}

export class TierManager {
  private clock = 0;
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** Confirmations running in a worker, by document: the document's next edit (or close) gives them up. */
  private readonly confirming = new Map<string, AbortController>();
  private pendingConfirmations = 0;
  /** Idle time after the last change before a full-parse confirmation and persistence. */
  confirmDelayMs = 1000;
  /**
   * Whether onSymbols wants this document's facts (a document outside the
   * workspace: no). A confirmation that does not need them asks the worker not
   * to send them: deserializing the symbols and completion facts of 5,000
   * lines took the main thread long enough to be the slowest keystroke when a
   * confirmation landed as the user started typing.
   */
  needsFacts: (uri: string) => boolean = () => true;
  /** A document's symbols from a full parse (open documents keep the workspace index current). */
  onSymbols: ((uri: string, symbols: readonly DocumentSymbol[] | PackedSymbols, completion?: DerivedIndex['completion']) => void) | undefined;

  constructor(
    private readonly docs: DocumentStore,
    private readonly registry: GrammarRegistry,
    private readonly settings: () => Settings,
    private readonly counters: CacheCounters,
    private readonly pool: WorkerPool | null,
    private store: FrozenStore | null,
  ) {}

  get frozenStore(): FrozenStore | null {
    return this.store;
  }

  get confirmationsPending(): number {
    return this.pendingConfirmations;
  }

  touch(doc: OpenDocument): void {
    doc.lastAccess = ++this.clock;
  }

  private grammarOf(doc: OpenDocument): LoadedGrammar | undefined {
    return doc.spec ? this.registry.loaded(doc.spec.id) : undefined;
  }

  /** The content key of the document's current text (identity from the manifest: no grammar load needed). */
  private keyOf(doc: OpenDocument): string {
    if (!doc.key) doc.key = contentKey(this.registry.identity(doc.spec!), doc.text.getText());
    return doc.key;
  }

  /** Accounted bytes of a document in memory: its text plus its syntax data in the tier it is in. */
  bytesOf(doc: OpenDocument): number {
    const text = doc.text.length * TEXT_BYTES_PER_CHAR;
    if (doc.tree) return text + doc.nodeCount * HOT_BYTES_PER_NODE + (doc.hotIndex?.bytes() ?? 0) + (doc.indexMemo?.bytes ?? 0);
    if (doc.warm) return text + doc.warm.bytes;
    if (doc.cold) return text + doc.cold.length;
    return text;
  }

  usage(): { used: number; perTier: Record<Tier, { entries: number; bytes: number }> } {
    const perTier: Record<Tier, { entries: number; bytes: number }> = {
      hot: { entries: 0, bytes: 0 },
      warm: { entries: 0, bytes: 0 },
      cold: { entries: 0, bytes: 0 },
      frozen: { entries: 0, bytes: 0 },
    };
    let used = 0;
    for (const doc of this.docs.all()) {
      const b = this.bytesOf(doc);
      used += b;
      const tier = doc.tier;
      if (tier === 'none') continue;
      perTier[tier].entries++;
      if (tier !== 'frozen') perTier[tier].bytes += b;
    }
    return { used, perTier };
  }

  budgetBytes(): number {
    return Math.round(this.settings().memoryMb * 1024 * 1024);
  }

  /** Demote least recently used documents until the accounted bytes fit the budget. */
  enforce(): void {
    const budget = this.budgetBytes();
    let used = this.usage().used;
    if (used <= budget) return;
    const lru = [...this.docs.all()].sort((a, b) => a.lastAccess - b.lastAccess);
    // Sweep from the least recently used, one tier at a time, until within budget.
    for (let pass = 0; pass < 4 && used > budget; pass++) {
      for (const doc of lru) {
        if (used <= budget) break;
        const before = this.bytesOf(doc);
        if (!this.demote(doc)) continue;
        used += this.bytesOf(doc) - before;
      }
    }
    if (used > budget) logger().debug({ used, budget }, 'budget exceeded by document texts alone');
  }

  /** Move a document's syntax data one tier down. False when it cannot go lower. */
  demote(doc: OpenDocument): boolean {
    const spec = doc.spec;
    if (!spec) return false;
    const grammar = this.grammarOf(doc);
    if (doc.tree) {
      if (!grammar) return false;
      const warm = warmFromTree(doc.tree.tree, grammar, doc.text, this.registry, this.currentHotIndex(doc));
      doc.tree.retire();
      doc.tree = null;
      doc.hotIndex = null;
      doc.indexMemo = null;
      doc.warm = warm;
      this.counters.demotions++;
      return true;
    }
    if (doc.warm) {
      doc.cold = compress(encodeEntry(spec.id, this.keyOf(doc), doc.warm));
      doc.warm = null;
      this.counters.demotions++;
      return true;
    }
    if (doc.cold) {
      const key = this.keyOf(doc);
      const stored = this.storeUsable() && doc.confirmed && (this.store!.has(key) || this.store!.put(key, spec.id, doc.cold));
      if (stored) {
        doc.cold = null;
        doc.frozen = true;
        this.counters.demotions++;
      } else {
        // Not confirmed by a full parse (or no disk): never persisted; dropped and reparsed on demand.
        doc.cold = null;
        this.counters.evictions++;
      }
      return true;
    }
    return false;
  }

  private storeUsable(): boolean {
    return Boolean(this.store && !this.store.stats().degraded);
  }

  /** Bring syntax data up to warm (from cold or frozen). Returns the tier it was found in. */
  private promoteToWarm(doc: OpenDocument): Tier | undefined {
    if (doc.cold) {
      const warm = this.decode(doc, doc.cold);
      doc.cold = null;
      if (warm) {
        doc.warm = warm;
        this.counters.promotions++;
        return 'cold';
      }
      return undefined;
    }
    if (doc.frozen) {
      doc.frozen = false;
      const payload = this.store?.get(this.keyOf(doc));
      const warm = payload && this.decode(doc, payload);
      if (warm) {
        doc.warm = warm;
        this.counters.promotions++;
        return 'frozen';
      }
    }
    return undefined;
  }

  private decode(doc: OpenDocument, compressed: Buffer): WarmData | undefined {
    try {
      return decodeEntry(decompress(compressed), this.keyOf(doc)).warm;
    } catch (err) {
      logger().warn({ uri: doc.uri, error: (err as Error).message }, 'cache entry unreadable; reparsing');
      return undefined;
    }
  }

  /**
   * A read view for features. Promotes cold/frozen data to warm; parses only
   * when no tier has the data. Undefined when the document has no syntax.
   */
  snapshot(uri: string): Snapshot | undefined {
    const doc = this.docs.get(uri);
    if (!doc?.spec) return undefined;
    this.touch(doc);
    let servedBy: Tier | undefined = doc.tier === 'none' ? undefined : (doc.tier as Tier);
    if (servedBy === 'cold' || servedBy === 'frozen') servedBy = this.promoteToWarm(doc);
    if (!doc.tree && !doc.warm) {
      servedBy = undefined;
      if (!this.docs.parseNow(doc)) return undefined;
    }
    this.counters.lookup(servedBy);
    const grammar = this.grammarOf(doc);
    if (doc.tree && grammar) {
      const ref = doc.tree;
      const tree = ref.acquire();
      const index = this.hotIndex(doc, tree, grammar);
      let released = false;
      return { doc, text: doc.text, tier: 'hot', tree, compact: null, index, release: () => { if (!released) { released = true; ref.release(); } } };
    }
    const warm = doc.warm;
    if (!warm) return undefined;
    return {
      doc,
      text: doc.text,
      tier: 'warm',
      tree: null,
      // Decoded on first use: features that need only the index never pay for it.
      get compact() {
        return warm.compact;
      },
      index: warm.index,
      release: () => undefined,
    };
  }

  /** The hot index already built for the current tree (parts computed so far are reused by demotion). */
  private currentHotIndex(doc: OpenDocument): DerivedIndex | undefined {
    return doc.hotIndex?.version === doc.treeVersion ? doc.hotIndex.index : undefined;
  }

  private hotIndex(doc: OpenDocument, tree: Tree, grammar: LoadedGrammar): DerivedIndex {
    if (doc.hotIndex?.version !== doc.treeVersion) {
      const ref = doc.tree;
      doc.indexMemo ??= new IndexMemo();
      const lazy = lazyIndex(tree, grammar, doc.text, this.registry, () => Boolean(ref?.alive) && doc.tree === ref, doc.indexMemo);
      doc.hotIndex = { version: doc.treeVersion, index: lazy.index, bytes: lazy.bytes };
    }
    return doc.hotIndex.index;
  }

  /** didOpen of an unedited text: serve it from the store by content key, without a parse. */
  restore(doc: OpenDocument): boolean {
    this.touch(doc);
    if (!this.store || !doc.spec) return false;
    const key = this.keyOf(doc);
    const payload = this.store.has(key) ? this.store.get(key) : undefined;
    const warm = payload && this.decode(doc, payload);
    if (!warm) return false;
    doc.warm = warm;
    doc.confirmed = true;
    this.counters.lookup('frozen');
    this.counters.promotions++;
    this.onSymbols?.(doc.uri, warm.index.symbols, warm.index.completion);
    return true;
  }

  /** After a parse: count the lookup (a prepared parse served none) and schedule the idle confirmation/persistence. */
  parsed(doc: OpenDocument, kind: 'full' | 'incremental' | 'prepared'): void {
    this.touch(doc);
    // The user is typing: a confirmation of an older version would only take a core from the keystrokes
    // (on two cores, the first keystrokes after a pause of a second were twice as slow). The idle timer
    // starts it again.
    if (kind !== 'prepared') {
      this.confirming.get(doc.uri)?.abort();
      this.counters.lookup(kind === 'full' ? undefined : 'hot');
    }
    this.scheduleIdle(doc);
  }

  /**
   * Make a document restored without a parse (warm, cold or frozen) hot now,
   * at idle, before its first edit would have to (idleCompletion.ts prepares the
   * document opened last). Counted as a prepared parse. True when it is hot.
   */
  prepareHot(uri: string): boolean {
    const doc = this.docs.get(uri);
    if (!doc?.spec || doc.tier === 'none') return false;
    if (doc.tier === 'hot') return true;
    doc.dropBelowHot();
    return this.docs.parseNow(doc, true);
  }

  /** Move a document to a tier now (tests and operations). */
  setTier(uri: string, tier: Tier): Tier | 'none' {
    const doc = this.docs.get(uri);
    if (!doc?.spec) return 'none';
    const order: Tier[] = ['hot', 'warm', 'cold', 'frozen'];
    if (doc.tier === 'none') this.docs.parseNow(doc);
    if (order.indexOf(tier) < order.indexOf(doc.tier as Tier)) {
      if (doc.tier === 'cold' || doc.tier === 'frozen') this.promoteToWarm(doc);
      if (tier === 'hot' && doc.warm) {
        doc.dropBelowHot();
        this.docs.parseNow(doc);
      }
    }
    while (doc.tier !== 'none' && order.indexOf(doc.tier as Tier) < order.indexOf(tier)) {
      if (!this.demote(doc)) break;
    }
    return doc.tier;
  }

  private scheduleIdle(doc: OpenDocument): void {
    if (!this.pool || !this.storeUsable()) return;
    clearTimeout(this.idleTimers.get(doc.uri));
    const timer = setTimeout(() => {
      this.idleTimers.delete(doc.uri);
      void this.confirmAndPersist(doc);
    }, this.confirmDelayMs);
    timer.unref();
    this.idleTimers.set(doc.uri, timer);
  }

  /**
   * Off the keystroke path: a worker fully parses the text; its payload is what
   * reaches the disk (so an incremental-parse bug can never be persisted), and
   * it confirms (or corrects) the live incremental tree.
   */
  private async confirmAndPersist(doc: OpenDocument): Promise<void> {
    const grammar = this.grammarOf(doc);
    if (!grammar || !this.pool || !this.store || this.docs.get(doc.uri) !== doc) return;
    const key = this.keyOf(doc);
    if (doc.confirmed && this.store.has(key)) {
      // Decoding the stored entry (inflate, parse) is main-thread work: only when its facts are wanted.
      if (this.onSymbols && this.needsFacts(doc.uri)) {
        const payload = this.store.get(key);
        const index = payload && this.decode(doc, payload)?.index;
        if (index) this.onSymbols(doc.uri, index.symbols, index.completion);
      }
      return;
    }
    const version = doc.version;
    const nodeCount = doc.tree ? doc.nodeCount : -1;
    this.pendingConfirmations++;
    const giveUp = new AbortController();
    this.confirming.get(doc.uri)?.abort();
    this.confirming.set(doc.uri, giveUp);
    try {
      const result = await this.pool.run(grammar.spec.id, doc.text.getText(), { uri: doc.uri, timeoutMs: this.settings().parseTimeoutMs, priority: Priority.confirm, facts: Boolean(this.onSymbols) && this.needsFacts(doc.uri), digest: nodeCount >= 0, signal: giveUp.signal });
      if (result.cancelled) this.counters.confirmationsGivenUp++;
      if (!result.ok || !result.payload || result.key !== key) return;
      if (!this.store.has(key)) this.store.put(key, grammar.spec.id, result.payload);
      if (result.symbols && this.docs.get(doc.uri) === doc) this.onSymbols?.(doc.uri, result.symbols, result.completion);
      if (this.docs.get(doc.uri) !== doc || doc.version !== version) return;
      // Same node count is not the same tree: the shapes are compared too (the live tree's digest is
      // taken in slices between messages; an edit meanwhile gives the comparison up with the rest).
      const ref = doc.tree;
      let differs = nodeCount >= 0 && ref !== null && result.nodeCount !== nodeCount;
      if (!differs && nodeCount >= 0 && ref && result.digest) {
        const live = await this.liveDigest(ref, giveUp.signal);
        if (live === undefined || this.docs.get(doc.uri) !== doc || doc.version !== version || doc.tree !== ref) return;
        differs = live !== result.digest;
      }
      if (differs && doc.tree) {
        this.counters.mismatches++;
        logger().error({ uri: doc.uri, incremental: nodeCount, full: result.nodeCount }, 'incremental tree differs from a full parse; replaced by the full parse');
        const warm = this.decode(doc, result.payload);
        if (warm) {
          doc.tree.retire();
          doc.tree = null;
          doc.hotIndex = null;
          doc.indexMemo = null;
          doc.warm = warm;
        }
      }
      if (!doc.confirmed) this.counters.confirmed++;
      doc.confirmed = true;
    } finally {
      this.pendingConfirmations--;
      if (this.confirming.get(doc.uri) === giveUp) this.confirming.delete(doc.uri);
    }
  }

  /** The shape digest of a live tree, in slices of DIGEST_SLICE_MS between messages; undefined when given up or replaced meanwhile. */
  private async liveDigest(ref: TreeRef, signal: AbortSignal): Promise<string | undefined> {
    const digest = new ShapeDigest(ref.acquire());
    try {
      while (!digest.step(DIGEST_SLICE_MS)) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted || !ref.alive) return undefined;
      }
      return digest.value;
    } finally {
      digest.dispose();
      ref.release();
    }
  }

  forget(uri: string): void {
    clearTimeout(this.idleTimers.get(uri));
    this.idleTimers.delete(uri);
  }

  /**
   * Shutdown: persist what is pending, stop timers. Documents still waiting for
   * their idle persistence are written now when their tree came from a full
   * parse (confirmed by definition); incrementally edited ones are not
   * (nothing unconfirmed reaches the disk).
   */
  async flush(): Promise<void> {
    for (const t of this.idleTimers.values()) clearTimeout(t);
    // Every open document whose confirmed data the store lacks: waiting for its
    // idle timer, or with a worker confirmation still in flight. Smallest first,
    // within a time budget: shutdown must stay prompt (the next start simply
    // parses what was not written).
    const deadline = performance.now() + SHUTDOWN_PERSIST_BUDGET_MS;
    const docs = [...this.docs.all()].sort((a, b) => a.text.length - b.text.length);
    for (const doc of docs) {
      if (performance.now() > deadline) {
        logger().debug('shutdown persistence budget spent; the rest is parsed on the next start');
        break;
      }
      const grammar = this.grammarOf(doc);
      if (!grammar || !this.storeUsable() || !doc.confirmed || doc.frozen || doc.tier === 'none') continue;
      const key = this.keyOf(doc);
      if (this.store!.has(key)) continue;
      try {
        const data = doc.tree ? warmFromTree(doc.tree.tree, grammar, doc.text, this.registry, this.currentHotIndex(doc)) : doc.warm;
        const payload = doc.cold ?? (data ? compress(encodeEntry(grammar.spec.id, key, data)) : undefined);
        if (payload) this.store!.put(key, grammar.spec.id, payload);
      } catch (err) {
        logger().warn({ uri: doc.uri, error: (err as Error).message }, 'could not persist at shutdown');
      }
    }
    this.idleTimers.clear();
    await this.store?.flush();
  }
}
