// Connection wiring only: capabilities, handler registration, configuration.
// Syntax lives in syntax/, trees and tiers in cache/, answers in features/.
import { createHash } from 'node:crypto';
import {
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
  DidChangeConfigurationNotification,
  MessageType,
  ShowMessageNotification,
  PositionEncodingKind,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { applyClientSettings, describeChanges, settingsFromEnv, type Settings } from './config.js';
import { logger, setLogLevel } from './log.js';
import { GrammarRegistry } from './syntax/grammars.js';
import { ParserPool } from './syntax/parser.js';
import { serializeNodes } from './syntax/walk.js';
import { DocumentStore, type OpenDocument } from './cache/documents.js';
import { TierManager, type FrozenStore } from './cache/tiers.js';
import { SegmentStore } from './cache/segmentStore.js';
import { fileURLToPath } from 'node:url';
import { DidChangeWatchedFilesNotification, DidChangeWorkspaceFoldersNotification, FileChangeType, type CancellationToken, type DidChangeWorkspaceFoldersParams } from 'vscode-languageserver';
import { BACKGROUND_NICE, WorkerPool } from './workspace/workers.js';
import { Indexer, type IndexProgress } from './workspace/indexer.js';
import { IndexManifest } from './workspace/manifest.js';
import { isInside } from './workspace/walker.js';
import { CacheCounters } from './telemetry/stats.js';
import { cstStats, health, type StatsSources } from './telemetry/health.js';
import { syntaxDiagnostics } from './features/diagnostics.js';
import { toSymbolInformation } from './features/symbols.js';
import { foldingRanges } from './features/folding.js';
import { selectionRanges } from './features/selection.js';
import { documentHighlights } from './features/highlights.js';
import { complete, completionTriggers, resolveCompletion } from './features/completion.js';
import { IdleCompletion, KEYSTROKE_BUILD_BUDGET } from './idleCompletion.js';
import { formatDocument, formatOnType, formatRange, hasFormatter, onTypeTriggers, FORMAT_DEFAULTS, type FormatOptions } from './features/formatting.js';
import { editorconfigOptions } from './features/editorconfig.js';
import type { Snapshot } from './cache/tiers.js';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { ReadPolicy } from './access.js';
import { closeAudit } from './telemetry/audit.js';
import { startOperations } from './operations.js';
import { indexSettingsChanged, restartOnlyChanges, TrackedWorkspaceIndex } from './reconfigure.js';
import type { Traffic } from './transport/traffic.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionList, FormattingOptions, Position } from 'vscode-languageserver';
import {
  CstStatsRequest,
  DebugGcRequest,
  DebugSetTierRequest,
  DebugTreeRequest,
  HealthRequest,
  TIERS,
  type CstStatsParams,
  type DebugSetTierParams,
  type DebugTreeParams,
  type DebugTreeResult,
} from './protocol.js';

export const SERVER_NAME = 'cst-language-server';
export const SERVER_VERSION = '0.1.0';

export interface ServerHandle {
  documents: DocumentStore;
  settings: () => Settings;
  /** What `shutdown` does: cancel indexing, flush the store, stop workers, delete every tree. Idempotent. */
  shutdown: () => Promise<void>;
  /** Whether shutdown was requested (exit code 0 on exit or when the client goes away). */
  shutdownRequested: () => boolean;
}

function requestCancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

/** Custom requests may arrive with `{}`, `[]` (Neovim 0.7's empty Lua table) or nothing. */
function paramsObject<T>(params: unknown): Partial<T> {
  return params && typeof params === 'object' && !Array.isArray(params) ? (params as Partial<T>) : {};
}

/** Local folders of the workspace (workspaceFolders, else rootUri, else rootPath). */
function workspaceRoots(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  const out = uris.filter((u) => typeof u === 'string' && u.startsWith('file:')).map((u) => fileURLToPath(u));
  if (!out.length && typeof params.rootPath === 'string' && params.rootPath) out.push(params.rootPath);
  return out;
}


export function startServer(connection: Connection, options: { traffic?: Traffic } = {}): ServerHandle {
  const log = logger();
  const startedAt = Date.now();
  const fromEnv = settingsFromEnv();
  for (const p of fromEnv.problems) log.warn(p);
  let settings = fromEnv.settings;
  setLogLevel(settings.logLevel);

  const registry = GrammarRegistry.fromDisk();
  const parsers = new ParserPool();
  const counters = new CacheCounters();
  parsers.onParse((outcome) => counters.recordParse(outcome));
  const diagnosticTimers = new Map<string, NodeJS.Timeout>();
  let canRegisterConfiguration = false;
  let hierarchicalSymbols = false;
  let tiers: TierManager | undefined;
  let pool: WorkerPool | undefined;
  let indexer: Indexer | undefined;
  const workspaceIndex = new TrackedWorkspaceIndex();
  let roots: string[] = [];
  let canWatchFiles = false;
  let canReportProgress = false;
  /** A file: URI inside a workspace folder (and indexing on). */
  const inWorkspace = (uri: string): boolean => {
    if (!settings.index.enabled || !uri.startsWith('file:')) return false;
    const p = fileURLToPath(uri);
    return roots.some((r) => isInside(p, r));
  };
  /** Reads of user files outside the workspace walk stay inside the workspace folders and the cache dir. */
  const readPolicy = new ReadPolicy(() => roots, () => [settings.cacheDir]);
  let foldingOptions: { rangeLimit?: number; lineFoldingOnly?: boolean } = {};
  let storeWarned = false;

  /** A one-way warning for the user (window/showMessage; no reply expected, nothing to await). */
  function tell(message: string): void {
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  }

  const documents = new DocumentStore({
    registry,
    parsers,
    settings: () => settings,
    notify: (_doc, _reason, message) => tell(message),
    onTreeChanged: (doc) => scheduleDiagnostics(doc),
    restore: (doc) => tiers?.restore(doc) ?? false,
    settle,
    onParsed: (doc, kind) => tiers?.parsed(doc, kind),
  });
  const idle = new IdleCompletion({ documents, tiers: () => tiers, registry, workspace: workspaceIndex, traffic: options.traffic, settle });

  function openStore(): FrozenStore | null {
    let store: FrozenStore | null = null;
    let reason: string | undefined;
    try {
      store = SegmentStore.open(settings.cacheDir, { segmentSize: settings.segmentSize, maxDiskBytes: Math.round(settings.diskMb * 1048576) });
      reason = store.stats().degraded;
    } catch (err) {
      reason = (err as Error).message;
    }
    if (!store) warnStore(reason ?? 'unavailable');
    return store;
  }

  const sources = (): StatsSources => ({
    counters,
    tiers: tiers!,
    documents,
    registry,
    indexed: () => workspaceIndex.fileCount,
    workerThreads: () => pool?.live ?? 0,
    indexCheck: () => indexer?.check() ?? 'ok',
    version: SERVER_VERSION,
    startedAt,
  });

  /** Tell the user once that the on-disk cache is off (read-only, missing or full disk). */
  function warnStore(reason: string): void {
    if (storeWarned) return;
    storeWarned = true;
    // The store itself logs the reason once; the user is told here.
    tell(`cst: the on-disk cache at ${settings.cacheDir} is unavailable (${reason}); the cache is memory-only until restart.`);
  }

  /** After every handled message: the budget holds; a store that degraded meanwhile is reported once. */
  function settle(): void {
    tiers?.enforce();
    const degraded = tiers?.frozenStore?.stats().degraded;
    if (degraded) warnStore(degraded);
  }

  function publishDiagnostics(doc: OpenDocument): void {
    // Before the first parse there is nothing to say: [] would tell the client this version has no errors.
    if (documents.get(doc.uri) !== doc || doc.noTreeReason === 'loading') return;
    let diagnostics = [] as ReturnType<typeof syntaxDiagnostics>;
    if (settings.diagnostics.enabled && doc.treeVersion === doc.version) {
      const max = settings.diagnostics.maxPerFile;
      if (doc.tree) diagnostics = syntaxDiagnostics(doc.tree.tree, doc.text, max);
      else if (doc.tier !== 'none') {
        // Below hot: the derived index has them (cold and frozen data is promoted to warm).
        const snap = tiers?.snapshot(doc.uri);
        if (snap) {
          diagnostics = snap.index.diagnostics.slice(0, max);
          snap.release();
        }
      }
    }
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.treeVersion >= 0 ? doc.treeVersion : doc.version, diagnostics });
  }

  function scheduleDiagnostics(doc: OpenDocument): void {
    clearTimeout(diagnosticTimers.get(doc.uri));
    diagnosticTimers.set(
      doc.uri,
      setTimeout(() => {
        diagnosticTimers.delete(doc.uri);
        publishDiagnostics(doc);
        // Reading a demoted document's diagnostics brings it back to warm: the budget holds after timers too.
        settle();
      }, settings.diagnostics.debounceMs),
    );
  }

  function applySettings(input: unknown, source: string): void {
    const result = applyClientSettings(settings, input);
    for (const p of result.problems) {
      log.warn({ source }, p);
      tell(`cst: ${p}`);
    }
    if (result.changed.length === 0) return;
    const before = settings;
    settings = result.settings;
    log.info({ source, changed: describeChanges(before, settings, result.changed) }, `configuration changed: ${result.changed.join(', ')}`);
    if (before.logLevel !== settings.logLevel) setLogLevel(settings.logLevel);
    if (before.maxFileBytes !== settings.maxFileBytes || before.parseTimeoutMs !== settings.parseTimeoutMs) documents.recheckLimits();
    if (before.diagnostics.enabled !== settings.diagnostics.enabled || before.diagnostics.maxPerFile !== settings.diagnostics.maxPerFile) {
      for (const doc of documents.all()) scheduleDiagnostics(doc);
    }
    const later = restartOnlyChanges(before, settings);
    if (tiers && later.length) log.warn({ settings: later }, `${later.join(', ')} take${later.length === 1 ? 's' : ''} effect when the server restarts`);
    if (indexer && indexSettingsChanged(before, settings)) void reindex();
    settle();
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    applySettings(params.initializationOptions, 'initializationOptions');
    canRegisterConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    hierarchicalSymbols = params.capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    pool = new WorkerPool(settings.maxWorkers, settings.backgroundWorkers, BACKGROUND_NICE, () => settings.workerIdleMs);
    tiers = new TierManager(documents, registry, () => settings, counters, pool, openStore());
    tiers.needsFacts = inWorkspace;
    tiers.onSymbols = (uri, symbols, completion) => {
      if (inWorkspace(uri)) workspaceIndex.set(uri, symbols, completion);
    };
    const store = tiers.frozenStore;
    const manifest = store && !store.stats().degraded ? IndexManifest.load(settings.cacheDir) : undefined;
    indexer = new Indexer({ registry, pool, store: () => store, settings: () => settings, index: workspaceIndex, isOpen: (uri) => documents.get(uri) !== undefined, onParsed: () => counters.parses.background++, manifest });
    roots = workspaceRoots(params);
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    canReportProgress = params.capabilities.window?.workDoneProgress === true;
    const folding = params.capabilities.textDocument?.foldingRange;
    foldingOptions = { rangeLimit: folding?.rangeLimit, lineFoldingOnly: folding?.lineFoldingOnly };
    const onType = onTypeTriggers(registry);
    ops.initialized();
    log.info({ client: params.clientInfo, pid: process.pid, languages: registry.languages.length, cacheDir: settings.cacheDir }, 'initialize');
    return {
      capabilities: {
        positionEncoding: PositionEncodingKind.UTF16,
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: { label: 'CST' },
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        documentHighlightProvider: true,
        completionProvider: { triggerCharacters: completionTriggers(registry), resolveProvider: true },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        documentOnTypeFormattingProvider: { firstTriggerCharacter: onType.first, moreTriggerCharacter: onType.more },
        experimental: { cstStatsProvider: true, healthProvider: true, cstDebugTreeProvider: true, cstQueryProvider: true },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    // Registered here: vscode-languageserver installs its own cancel handler (for its reporters) during initialize.
    connection.onNotification(WorkDoneProgressCancelNotification.type, (params) => {
      if (params?.token === progressToken) indexer?.cancel();
    });
    // Likewise: its workspace-folders feature takes this notification during initialize.
    connection.onNotification(DidChangeWorkspaceFoldersNotification.type, onWorkspaceFolders);
    settle();
    if (canWatchFiles) {
      const extensions = registry.languages.flatMap((l) => l.extensions.map((e) => e.slice(1)));
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/*.{${extensions.join(',')}}` }] })
        .catch(() => undefined);
    }
    if (settings.index.enabled && roots.length) void indexWorkspace();
    if (canRegisterConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'cst' }).catch(() => undefined);
    }
  });

  let progressToken: string | undefined;

  /** Index `walk` (all workspace folders by default) in the background, with progress when the client takes it. */
  async function indexWorkspace(walk: string[] = roots): Promise<void> {
    let progress: IndexProgress | undefined;
    if (canReportProgress) {
      // Our own token (created, then begin/report/end with a closing message); the client's cancel stops indexing.
      const token = `cst-index-${process.pid}-${Date.now()}`;
      const created = await connection.sendRequest(WorkDoneProgressCreateRequest.type, { token }).then(
        () => true,
        () => false,
      );
      if (created) {
        progressToken = token;
        const send = (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => void connection.sendProgress(WorkDoneProgress.type, token, value);
        progress = {
          begin: (total) => send({ kind: 'begin', title: 'Indexing workspace', percentage: 0, message: `0/${total} files`, cancellable: true }),
          report: (done, total) => send({ kind: 'report', percentage: total ? Math.floor((done / total) * 100) : 100, message: `${done}/${total} files` }),
          end: (message) => send({ kind: 'end', message }),
        };
      }
    }
    try {
      await indexer!.run(walk, progress, roots);
      workspaceIndex.prepareCompletion();
    } catch (err) {
      log.error({ err }, 'workspace indexing failed');
      progress?.end('failed');
    }
    settle();
  }

  /** Index settings changed: walk again under the new rules (the disk store spares the parses), then drop what they leave out. */
  async function reindex(): Promise<void> {
    indexer!.cancel();
    const isOpen = (uri: string) => documents.get(uri) !== undefined;
    if (!settings.index.enabled || !roots.length) {
      workspaceIndex.pruneBefore(Infinity, isOpen);
      return;
    }
    const generation = workspaceIndex.nextGeneration();
    await indexWorkspace();
    if (indexer!.state === 'done') {
      const removed = workspaceIndex.pruneBefore(generation, isOpen);
      log.info({ removed, files: workspaceIndex.fileCount }, 'workspace re-indexed under the new settings');
    }
  }

  connection.onWorkspaceSymbol((params, token: CancellationToken) => {
    if (token.isCancellationRequested) return [];
    const query = typeof params?.query === 'string' ? params.query : '';
    return workspaceIndex.search(query, settings.workspaceSymbolLimit, () => token.isCancellationRequested);
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of Array.isArray(changes) ? changes : []) {
      if (typeof change?.uri !== 'string' || !change.uri.startsWith('file:')) continue;
      const path = fileURLToPath(change.uri);
      if (!settings.index.enabled || !roots.some((r) => isInside(path, r))) continue;
      if (change.type === FileChangeType.Deleted) indexer?.remove(path);
      else if (!documents.get(change.uri)) void indexer?.indexPath(path);
    }
  });

  // Folders added: index them (all folders again if indexing was under way: the new run replaces it).
  // Folders removed: their files leave the workspace index. Registered on initialized (see there).
  function onWorkspaceFolders(params: DidChangeWorkspaceFoldersParams | undefined): void {
    const paths = (list: unknown): string[] =>
      (Array.isArray(list) ? list : [])
        .map((f: { uri?: unknown } | null) => f?.uri)
        .filter((u): u is string => typeof u === 'string' && u.startsWith('file:'))
        .map((u) => fileURLToPath(u));
    const added = paths(params?.event?.added).filter((p) => !roots.includes(p));
    const removed = paths(params?.event?.removed).filter((p) => roots.includes(p));
    if (!added.length && !removed.length) return;
    roots = [...roots.filter((r) => !removed.includes(r)), ...added];
    const dropped = workspaceIndex.deleteWhere((uri) => {
      const p = fileURLToPath(uri);
      return removed.some((r) => isInside(p, r)) && !roots.some((r) => isInside(p, r));
    });
    log.info({ added, removed, dropped }, 'workspace folders changed');
    if (!settings.index.enabled) return;
    if (removed.length && indexer?.state === 'indexing') void indexWorkspace(roots);
    else if (added.length) void indexWorkspace(indexer?.state === 'indexing' ? roots : added);
  }

  connection.onDidChangeConfiguration((params) => applySettings(params?.settings, 'didChangeConfiguration'));

  connection.onDidOpenTextDocument(({ textDocument: td }) => {
    if (!td || typeof td.uri !== 'string' || typeof td.text !== 'string') {
      log.warn('didOpen without uri or text: ignored');
      return;
    }
    tiers?.forget(td.uri);
    const doc = documents.open(td.uri, String(td.languageId ?? ''), Number(td.version) || 0, td.text);
    scheduleDiagnostics(doc);
    idle.opened(td.uri);
    settle();
  });

  connection.onDidChangeTextDocument(({ textDocument: td, contentChanges }) => {
    if (!td || typeof td.uri !== 'string') return;
    const changes = Array.isArray(contentChanges) ? contentChanges.filter((c) => c && typeof c.text === 'string') : [];
    const doc = documents.change(td.uri, Number(td.version) || 0, changes);
    if (!doc) {
      log.warn({ uri: td.uri }, 'didChange for a document that is not open: ignored');
      return;
    }
    if (changes.length > 0) scheduleDiagnostics(doc);
    settle();
  });

  connection.onDidCloseTextDocument(({ textDocument: td }) => {
    if (!td || typeof td.uri !== 'string') return;
    clearTimeout(diagnosticTimers.get(td.uri));
    diagnosticTimers.delete(td.uri);
    tiers?.forget(td.uri);
    if (documents.close(td.uri)) void connection.sendDiagnostics({ uri: td.uri, diagnostics: [] });
    // The file on disk is what the workspace index holds once the editor lets go.
    if (td.uri.startsWith('file:') && inWorkspace(td.uri)) void indexer?.indexPath(fileURLToPath(td.uri));
  });

  // Right after didOpen the grammar may still be loading: withSnapshot answers once the first tree exists, not [].
  connection.onDocumentSymbol((params, token) =>
    withSnapshot(params.textDocument.uri, [], (snap) => (hierarchicalSymbols ? snap.index.symbols : toSymbolInformation(snap.index.symbols, snap.doc.uri)), token),
  );



  /** Run a read-only feature on a snapshot of the document (any tier), after its first parse; a cancelled request stops before the work. */
  async function withSnapshot<T>(uri: string, empty: T, fn: (snap: Snapshot) => T, token?: CancellationToken): Promise<T> {
    if (token?.isCancellationRequested) throw requestCancelled();
    await documents.whenReady(uri);
    if (token?.isCancellationRequested) throw requestCancelled();
    const snap = tiers?.snapshot(uri);
    if (!snap) return empty;
    try {
      return fn(snap);
    } finally {
      snap.release();
      settle();
    }
  }

  connection.onFoldingRanges((params, token) => withSnapshot(params.textDocument.uri, [], (snap) => foldingRanges(snap, foldingOptions), token));
  connection.onSelectionRanges((params, token) => withSnapshot(params.textDocument.uri, [], (snap) => selectionRanges(snap, Array.isArray(params.positions) ? params.positions : []), token));
  connection.onDocumentHighlight((params, token) => withSnapshot(params.textDocument.uri, [], (snap) => documentHighlights(snap, params.position), token));

  connection.onCompletion(async (params, token: CancellationToken) => {
    const empty: CompletionList = { isIncomplete: true, items: [] };
    if (token.isCancellationRequested) return empty;
    const uri = params.textDocument.uri;
    const list = await withSnapshot(uri, empty, (snap) =>
      complete(snap, params.position, {
        registry,
        workspace: workspaceIndex,
        limit: 100,
        isCancelled: () => token.isCancellationRequested,
        triggerCharacter: params.context?.triggerCharacter,
        keystrokeBudget: KEYSTROKE_BUILD_BUDGET,
      }),
      token,
    );
    idle.answered(uri);
    return list;
  });

  connection.onCompletionResolve((item) =>
    resolveCompletion(item, {
      // A closed file is read only inside the workspace folders; anything else reads as empty (no documentation).
      getText: (uri) => {
        const doc = documents.get(uri);
        if (doc) return doc.text.getText();
        if (!uri.startsWith('file:')) return '';
        try {
          return readPolicy.readText(fileURLToPath(uri)) ?? '';
        } catch {
          return '';
        }
      },
    }),
  );

  /**
   * Formatting needs a live tree: a demoted document is parsed again (a miss).
   * The request's options win; .editorconfig fills in what it does not say.
   */
  async function withTreeForFormatting<T>(uri: string, request: FormattingOptions, fn: (tree: import('web-tree-sitter').Tree, options: FormatOptions, doc: OpenDocument) => T, empty: T, token?: CancellationToken): Promise<T> {
    if (token?.isCancellationRequested) throw requestCancelled();
    await documents.whenReady(uri);
    const doc = documents.get(uri);
    const grammar = doc?.spec && (registry.loaded(doc.spec.id) ?? (await registry.load(doc.spec.id)));
    if (!doc || !grammar || !hasFormatter(grammar, registry) || documents.get(uri) !== doc) return empty;
    // .editorconfig files are looked up from the file's folder up to its workspace folder, never above.
    const filePath = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
    const root = filePath && readPolicy.rootOf(filePath);
    const fromEditorconfig = root ? await editorconfigOptions(filePath, { root, read: (f) => readPolicy.readText(f, 1024 * 1024) }).catch(() => ({})) : {};
    if (token?.isCancellationRequested) throw requestCancelled();
    const given = Object.fromEntries(Object.entries(request ?? {}).filter(([, v]) => v !== undefined));
    const options = { ...FORMAT_DEFAULTS, ...fromEditorconfig, ...given } as FormatOptions;
    if (documents.get(uri) !== doc) return empty;
    if (!doc.tree) {
      doc.dropBelowHot();
      documents.parseNow(doc);
    }
    const ref = doc.tree;
    if (!ref) return empty;
    const tree = ref.acquire();
    try {
      return fn(tree, options, doc);
    } finally {
      ref.release();
      settle();
    }
  }

  connection.onDocumentFormatting((params, token) =>
    withTreeForFormatting(params.textDocument.uri, params.options, (tree, options, doc) => formatDocument(tree, doc.text, registry.loaded(doc.spec!.id)!, registry, options), [], token),
  );
  connection.onDocumentRangeFormatting((params, token) =>
    withTreeForFormatting(params.textDocument.uri, params.options, (tree, options, doc) => formatRange(tree, doc.text, registry.loaded(doc.spec!.id)!, registry, params.range, options), [], token),
  );
  connection.onDocumentOnTypeFormatting((params, token) =>
    withTreeForFormatting(params.textDocument.uri, params.options, (tree, options, doc) => formatOnType(tree, doc.text, registry.loaded(doc.spec!.id)!, registry, params.position as Position, params.ch, options), [], token),
  );

  connection.onRequest(CstStatsRequest, (params: unknown) => cstStats(sources(), paramsObject<CstStatsParams>(params).uri));
  connection.onRequest(HealthRequest, () => health(sources()));

  connection.onRequest(DebugGcRequest, () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    return { collected: Boolean(gc), process: cstStats(sources()).process, memoryUsage: process.memoryUsage() };
  });

  connection.onRequest(DebugSetTierRequest, (raw: unknown) => {
    const params = paramsObject<DebugSetTierParams>(raw);
    if (typeof params.uri !== 'string' || !TIERS.includes(params.tier!)) throw new Error('expected { uri, tier: hot|warm|cold|frozen }');
    return { tier: tiers?.setTier(params.uri, params.tier!) ?? 'none' };
  });

  connection.onRequest(DebugTreeRequest, (raw: unknown): DebugTreeResult | null => {
    const params = paramsObject<DebugTreeParams>(raw);
    const doc = typeof params.uri === 'string' ? documents.get(params.uri) : undefined;
    if (!doc) return null;
    const tree = doc.tree?.tree;
    const wantDigest = params.digest !== false || params.nodes === true;
    const nodes = tree && wantDigest ? serializeNodes(tree) : [];
    const result: DebugTreeResult = {
      uri: doc.uri,
      version: doc.version,
      languageId: doc.languageId,
      language: doc.spec?.id ?? null,
      hasTree: Boolean(tree),
      tier: doc.tier,
      noTreeReason: doc.noTreeReason,
      textLength: doc.text.length,
      lastUpdateMs: doc.lastUpdateMs,
      lastParse: doc.lastParse,
      nodeCount: tree ? (wantDigest ? nodes.length : doc.nodeCount) : 0,
      digest: wantDigest ? createHash('sha256').update(nodes.join('\n')).digest('hex') : '',
    };
    if (params.nodes) result.nodes = nodes;
    if (params.text) result.text = doc.text.getText();
    if (params.sexp && tree) result.sexp = tree.rootNode.toString();
    const cache = doc.indexMemo?.completion;
    const built = cache?.last;
    if (cache && built && built.chunks + built.chunkHits > 0) result.completionBuild = { chunks: built.chunks, chunkHits: built.chunkHits, large: built.large, largeHits: built.largeHits, deferred: cache.deferred, deferrals: cache.deferrals };
    return result;
  });

  let shutdownDone: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    shutdownDone ??= (async () => {
      for (const t of diagnosticTimers.values()) clearTimeout(t);
      diagnosticTimers.clear();
      indexer?.cancel();
      // Persistence never waits for `exit` (eglot SIGKILLs right after it): flush now.
      await tiers?.flush();
      await pool?.close();
      documents.disposeAll();
      parsers.dispose();
      await ops.close();
      log.info('shutdown: store flushed, every tree deleted');
      closeAudit();
    })();
    return shutdownDone;
  }

  connection.onShutdown(() => shutdown());

  const ops = startOperations({
    connection,
    registry,
    parsers,
    documents,
    traffic: options.traffic,
    stats: () => (tiers ? cstStats(sources()) : undefined),
    health: () => (tiers ? health(sources()) : undefined),
    indexing: () => ({ state: indexer?.state ?? 'idle', done: indexer?.done ?? 0, total: indexer?.total ?? 0 }),
    settle,
    tell,
  });

  return { documents, settings: () => settings, shutdown, shutdownRequested: () => shutdownDone !== undefined };
}
