// The open documents: text (vscode-languageserver-textdocument, which keeps
// LSP line offsets incrementally) and the live tree. This is the one owner of
// trees: features read through snapshots and never parse.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { Edit, type Tree } from 'web-tree-sitter';
import type { GrammarRegistry, LanguageSpec, LoadedGrammar } from '../syntax/grammars.js';
import type { ParserPool } from '../syntax/parser.js';
import { hasLoneCR, loneCRAfterEdit, planEdit, rangeOffsets } from '../syntax/edits.js';
import { DocumentText } from '../syntax/text.js';
import type { Settings } from '../config.js';
import { logger } from '../log.js';
import { TreeRef } from './treeRef.js';
import type { DerivedIndex, IndexMemo, WarmData } from './entry.js';
import type { Tier } from '../protocol.js';

export type NoTreeReason =
  | 'unknown-language'
  | 'loading'
  | 'grammar-failed'
  | 'too-large'
  | 'binary'
  | 'timed-out'
  | 'parse-error';

/** Reasons that stay until the text or the settings change the verdict. */
const RECHECK_ON_CHANGE: ReadonlySet<NoTreeReason> = new Set(['too-large', 'binary', 'parse-error']);

export class OpenDocument {
  /** Version of the text the current tree (or syntax data below hot) was parsed from. */
  treeVersion = -1;
  /** Hot tier: the live tree. Exactly one of tree / warm / cold / frozen holds the syntax data. */
  tree: TreeRef | null = null;
  /** Node count of the hot tree (for accounting). */
  nodeCount = 0;
  /** The index derived from the hot tree, memoized per tree version. */
  hotIndex: { version: number; index: DerivedIndex; bytes: () => number } | null = null;
  /** What index builds of successive hot versions share (completion chunk facts); dropped below hot. */
  indexMemo: IndexMemo | null = null;
  /** Warm tier: compact CST + derived index. */
  warm: WarmData | null = null;
  /** Cold tier: the warm entry encoded and compressed. */
  cold: Buffer | null = null;
  /** Frozen tier: the syntax data is only on disk, under `key`. */
  frozen = false;
  /** Content key of the current text's syntax data (memoized; null until needed). */
  key: string | null = null;
  /** The syntax data came from a full parse (or a worker's full parse confirmed it). */
  confirmed = false;
  /** LRU clock value of the last access. */
  lastAccess = 0;
  /** Settles when the first attempt to give the opened text a tree is over (parsed, restored or refused). */
  ready: Promise<void> = Promise.resolve();
  noTreeReason: NoTreeReason | undefined;
  loneCR: boolean;
  /** Server-side ms spent on the last didChange (text, tree edit, reparse). */
  lastUpdateMs = 0;
  lastParse: 'full' | 'incremental' | 'none' = 'none';
  /** Reasons the user has already been told about for this document. */
  readonly told = new Set<NoTreeReason>();

  constructor(
    readonly uri: string,
    readonly languageId: string,
    readonly spec: LanguageSpec | undefined,
    public text: DocumentText,
  ) {
    this.loneCR = hasLoneCR(text.getText());
    this.noTreeReason = spec ? 'loading' : 'unknown-language';
  }

  get version(): number {
    return this.text.version;
  }

  get tier(): Tier | 'none' {
    if (this.tree) return 'hot';
    if (this.warm) return 'warm';
    if (this.cold) return 'cold';
    return this.frozen ? 'frozen' : 'none';
  }

  /** Forget every representation below hot (the text changed). */
  dropBelowHot(): void {
    this.warm = null;
    this.cold = null;
    this.frozen = false;
    this.key = null;
  }
}

export interface DocumentStoreOptions {
  registry: GrammarRegistry;
  parsers: ParserPool;
  settings: () => Settings;
  /** Tell the user once per document and reason (showMessage). */
  notify: (doc: OpenDocument, reason: NoTreeReason, message: string) => void;
  /** The tree (or its absence) changed: diagnostics and dependants refresh. */
  onTreeChanged: (doc: OpenDocument) => void;
  /** Before a full parse of an opened text: serve it from the cache instead (true = restored: no parse, no grammar load). */
  restore?: (doc: OpenDocument) => boolean;
  /**
   * Enforce the memory budget after a tree adopted outside a message handler
   * (a parse that waited for its grammar's load); handlers enforce it themselves.
   */
  settle?: () => void;
  /** Every parse outcome (statistics); 'prepared': an idle full parse no request needed (parseNow). */
  onParsed?: (doc: OpenDocument, kind: 'full' | 'incremental' | 'prepared') => void;
}

/** Binary content: a NUL in the first 64K code units (as git and ripgrep decide). */
function looksBinary(text: DocumentText): boolean {
  return text.slice(0, 65536).includes('\u0000');
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(private readonly options: DocumentStoreOptions) {}

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  get size(): number {
    return this.docs.size;
  }

  /** didOpen. Reopening an open URI replaces it (clients do this after a crash or rename). */
  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const spec = this.options.registry.resolveDocument(languageId, uri);
    const doc = new OpenDocument(uri, languageId, spec, DocumentText.create(uri, languageId, version, text));
    this.docs.set(uri, doc);
    if (!spec) logger().debug({ uri, languageId }, 'unknown language: document kept, features answer empty');
    doc.ready = this.ensureTree(doc, true).catch((err: unknown) => logger().error({ err, uri }, 'first parse failed'));
    return doc;
  }

  /** didChange: apply each change in order, editing the tree, then reparse once. */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const started = performance.now();
    try {
      return this.applyChanges(doc, version, changes);
    } finally {
      doc.lastUpdateMs = performance.now() - started;
    }
  }

  private applyChanges(doc: OpenDocument, version: number, changes: readonly TextDocumentContentChangeEvent[]): OpenDocument {
    const uri = doc.uri;
    if (changes.length === 0) {
      // Only the version changes (Neovim sends this): a tree that matched the text still does,
      // so diagnostics published for the new version keep the errors.
      const current = doc.treeVersion === doc.version;
      doc.text = doc.text.withEdit(0, 0, '', version);
      if (current) {
        if (doc.hotIndex?.version === doc.treeVersion) doc.hotIndex.version = version;
        doc.treeVersion = version;
      }
      return doc;
    }
    const hadSyntaxBelowHot = !doc.tree && doc.tier !== 'none';
    doc.dropBelowHot();
    const base = doc.tree;
    // A pinned tree is being read by an async operation: edit a copy instead.
    let tree: Tree | null = base ? (base.pinned ? base.tree.copy() : base.tree) : null;
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        if (tree && tree !== base?.tree) tree.delete();
        tree = null;
        doc.indexMemo?.completion.forget();
        doc.text = doc.text.withText(change.text, version);
        doc.loneCR = hasLoneCR(change.text);
        continue;
      }
      const [start, end] = rangeOffsets(doc.text, change.range);
      if (tree) tree.edit(new Edit(planEdit(doc.text, doc.loneCR, start, end, change.text)));
      doc.indexMemo?.completion.noteEdit(start, end, start + change.text.length);
      doc.text = doc.text.withEdit(start, end, change.text, version);
      doc.loneCR = loneCRAfterEdit(doc.loneCR, doc.text, start, change.text.length);
    }
    if (base && tree !== base.tree) {
      // Replaced by a copy or by a full-text change: base stays intact for its readers.
      base.retire();
      doc.tree = tree ? new TreeRef(tree) : null;
    }
    if (doc.tree) {
      this.reparse(doc, doc.tree);
    } else {
      if (doc.noTreeReason && RECHECK_ON_CHANGE.has(doc.noTreeReason)) doc.noTreeReason = 'loading';
      if (hadSyntaxBelowHot) doc.noTreeReason = undefined; // demoted: an edit brings it back hot with a full parse
      if (!doc.noTreeReason || doc.noTreeReason === 'loading') void this.ensureTree(doc);
      else this.options.onTreeChanged(doc);
    }
    return doc;
  }

  close(uri: string): boolean {
    const doc = this.docs.get(uri);
    if (!doc) return false;
    this.docs.delete(uri);
    doc.tree?.retire();
    doc.tree = null;
    doc.hotIndex = null;
    doc.indexMemo = null;
    doc.dropBelowHot();
    return true;
  }

  /** Delete every tree (shutdown). */
  disposeAll(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }

  /** Settings changed: documents without a tree because of a limit get another chance. */
  recheckLimits(): void {
    for (const doc of this.docs.values()) {
      if (!doc.tree && (doc.noTreeReason === 'too-large' || doc.noTreeReason === 'timed-out')) {
        doc.noTreeReason = 'loading';
        void this.ensureTree(doc);
      }
    }
  }

  /** Wait (at most timeoutMs) until an opened document's grammar has loaded and its first parse is done. */
  async whenReady(uri: string, timeoutMs = 5000): Promise<void> {
    const doc = this.docs.get(uri);
    if (!doc || doc.noTreeReason !== 'loading') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([doc.ready, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private reparse(doc: OpenDocument, ref: TreeRef): void {
    const grammar = doc.spec && this.options.registry.loaded(doc.spec.id);
    if (!grammar) return;
    const settings = this.options.settings();
    if (doc.text.length > settings.maxFileBytes) {
      ref.retire();
      doc.tree = null;
      doc.indexMemo = null;
      this.refuseTooLarge(doc);
      return;
    }
    const outcome = this.options.parsers.parse(grammar, doc.text.input(), ref.tree, settings.parseTimeoutMs);
    doc.lastParse = outcome.kind;
    ref.retire();
    doc.tree = null;
    this.adopt(doc, outcome.tree, outcome.timedOut, outcome.error);
  }

  private adopt(doc: OpenDocument, tree: Tree | null, timedOut: boolean, error: string | undefined, prepared = false): void {
    if (tree) {
      doc.dropBelowHot();
      doc.tree = new TreeRef(tree);
      doc.nodeCount = tree.rootNode.descendantCount;
      doc.hotIndex = null;
      doc.treeVersion = doc.version;
      doc.confirmed = doc.lastParse === 'full';
      doc.noTreeReason = undefined;
      this.options.onParsed?.(doc, prepared ? 'prepared' : doc.lastParse === 'full' ? 'full' : 'incremental');
      this.options.onTreeChanged(doc);
      return;
    }
    if (timedOut) {
      this.refuse(doc, 'timed-out', `Parsing ${doc.uri} took longer than ${this.options.settings().parseTimeoutMs} ms (cst.parseTimeoutMs): syntax features are off for it until it is reopened.`);
    } else {
      this.refuse(doc, 'parse-error', `Parsing ${doc.uri} failed (${error ?? 'no tree'}): syntax features are off for it.`);
    }
  }

  private refuseTooLarge(doc: OpenDocument): void {
    const limit = this.options.settings().maxFileBytes;
    this.refuse(doc, 'too-large', `${doc.uri} is ${mb(doc.text.length)}, over the ${mb(limit)} limit (cst.maxFileSizeMb): syntax features are off for it.`);
  }

  private refuse(doc: OpenDocument, reason: NoTreeReason, message: string): void {
    doc.noTreeReason = reason;
    doc.indexMemo = null;
    if (!doc.told.has(reason)) {
      doc.told.add(reason);
      logger().warn({ uri: doc.uri, reason }, message);
      this.options.notify(doc, reason, message);
    }
    this.options.onTreeChanged(doc);
  }

  /**
   * Synchronous full parse for a lookup that found no syntax data in any tier
   * (evicted). Returns whether the document now has a tree.
   */
  parseNow(doc: OpenDocument, prepared = false): boolean {
    if (doc.tree) return true;
    const grammar = doc.spec && this.options.registry.loaded(doc.spec.id);
    if (!grammar) return false;
    const settings = this.options.settings();
    if (doc.text.length > settings.maxFileBytes || looksBinary(doc.text)) return false;
    const outcome = this.options.parsers.parse(grammar, doc.text.input(), null, settings.parseTimeoutMs, prepared);
    doc.lastParse = outcome.kind;
    this.adopt(doc, outcome.tree, outcome.timedOut, outcome.error, prepared);
    return Boolean(doc.tree);
  }

  /** Full parse of the current text when the document has no tree and may have one. */
  private async ensureTree(doc: OpenDocument, fromOpen = false): Promise<void> {
    if (!doc.spec || doc.tree || doc.tier !== 'none') return;
    const settings = this.options.settings();
    if (doc.text.length > settings.maxFileBytes) {
      this.refuseTooLarge(doc);
      return;
    }
    if (looksBinary(doc.text)) {
      this.refuse(doc, 'binary', `${doc.uri} looks binary (it contains NUL characters): syntax features are off for it.`);
      return;
    }
    // An opened text may come from the cache, before (and without waiting for) the grammar's load;
    // a document being edited is parsed into hot.
    if (fromOpen && this.options.restore?.(doc)) {
      doc.treeVersion = doc.version;
      doc.noTreeReason = undefined;
      this.options.onTreeChanged(doc);
      void this.options.registry.load(doc.spec.id); // ready for the first edit
      return;
    }
    let grammar: LoadedGrammar | undefined = this.options.registry.loaded(doc.spec.id);
    const afterLoad = !grammar;
    if (!grammar) {
      grammar = await this.options.registry.load(doc.spec.id);
      if (this.docs.get(doc.uri) !== doc || doc.tree || doc.tier !== 'none') return; // closed, replaced or parsed meanwhile
      if (!grammar) {
        doc.noTreeReason = 'grammar-failed';
        this.options.onTreeChanged(doc);
        return;
      }
    }
    const outcome = this.options.parsers.parse(grammar, doc.text.input(), null, settings.parseTimeoutMs);
    doc.lastParse = outcome.kind;
    this.adopt(doc, outcome.tree, outcome.timedOut, outcome.error);
    if (afterLoad) this.options.settle?.();
  }
}
