// Connection wiring only: capabilities, handler registration, configuration.
// Syntax lives in syntax/, trees in cache/, answers in features/.
import { createHash } from 'node:crypto';
import {
  DidChangeConfigurationNotification,
  MessageType,
  PositionEncodingKind,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { applyClientSettings, settingsFromEnv, type Settings } from './config.js';
import { logger, setLogLevel } from './log.js';
import { GrammarRegistry } from './syntax/grammars.js';
import { ParserPool } from './syntax/parser.js';
import { serializeNodes } from './syntax/walk.js';
import { DocumentStore, type OpenDocument } from './cache/documents.js';
import { syntaxDiagnostics } from './features/diagnostics.js';
import { documentSymbols, toSymbolInformation } from './features/symbols.js';
import { DebugTreeRequest, type DebugTreeParams, type DebugTreeResult } from './protocol.js';

export const SERVER_NAME = 'cst-language-server';
export const SERVER_VERSION = '0.1.0';

export interface ServerHandle {
  documents: DocumentStore;
  settings: () => Settings;
}

export function startServer(connection: Connection): ServerHandle {
  const log = logger();
  const fromEnv = settingsFromEnv();
  for (const p of fromEnv.problems) log.warn(p);
  let settings = fromEnv.settings;
  setLogLevel(settings.logLevel);

  const registry = GrammarRegistry.fromDisk();
  const parsers = new ParserPool();
  const diagnosticTimers = new Map<string, NodeJS.Timeout>();
  let canRegisterConfiguration = false;
  let hierarchicalSymbols = false;

  const documents = new DocumentStore({
    registry,
    parsers,
    settings: () => settings,
    notify: (_doc, _reason, message) => void connection.window.showWarningMessage(message),
    onTreeChanged: (doc) => scheduleDiagnostics(doc),
  });

  function publishDiagnostics(doc: OpenDocument): void {
    if (documents.get(doc.uri) !== doc) return;
    const tree = doc.tree?.tree;
    const diagnostics = settings.diagnostics.enabled && tree && doc.treeVersion === doc.version
      ? syntaxDiagnostics(tree, doc.text, settings.diagnostics.maxPerFile)
      : [];
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.treeVersion >= 0 ? doc.treeVersion : doc.version, diagnostics });
  }

  function scheduleDiagnostics(doc: OpenDocument): void {
    clearTimeout(diagnosticTimers.get(doc.uri));
    diagnosticTimers.set(
      doc.uri,
      setTimeout(() => {
        diagnosticTimers.delete(doc.uri);
        publishDiagnostics(doc);
      }, settings.diagnostics.debounceMs),
    );
  }

  function applySettings(input: unknown, source: string): void {
    const result = applyClientSettings(settings, input);
    for (const p of result.problems) {
      log.warn({ source }, p);
      void connection.window.showWarningMessage(`cst: ${p}`);
    }
    if (result.changed.length === 0) return;
    const before = settings;
    settings = result.settings;
    log.info({ source, changed: result.changed }, 'configuration changed');
    if (before.logLevel !== settings.logLevel) setLogLevel(settings.logLevel);
    if (before.maxFileBytes !== settings.maxFileBytes || before.parseTimeoutMs !== settings.parseTimeoutMs) documents.recheckLimits();
    if (before.diagnostics.enabled !== settings.diagnostics.enabled || before.diagnostics.maxPerFile !== settings.diagnostics.maxPerFile) {
      for (const doc of documents.all()) scheduleDiagnostics(doc);
    }
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    applySettings(params.initializationOptions, 'initializationOptions');
    canRegisterConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    hierarchicalSymbols = params.capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    log.info({ client: params.clientInfo, pid: process.pid, languages: registry.languages.length }, 'initialize');
    return {
      capabilities: {
        positionEncoding: PositionEncodingKind.UTF16,
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        documentSymbolProvider: { label: 'CST' },
        experimental: { cstDebugTreeProvider: true },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'cst' }).catch(() => undefined);
    }
  });

  connection.onDidChangeConfiguration((params) => applySettings(params?.settings, 'didChangeConfiguration'));

  connection.onDidOpenTextDocument(({ textDocument: td }) => {
    if (!td || typeof td.uri !== 'string' || typeof td.text !== 'string') {
      log.warn('didOpen without uri or text: ignored');
      return;
    }
    const doc = documents.open(td.uri, String(td.languageId ?? ''), Number(td.version) || 0, td.text);
    scheduleDiagnostics(doc);
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
  });

  connection.onDidCloseTextDocument(({ textDocument: td }) => {
    if (!td || typeof td.uri !== 'string') return;
    clearTimeout(diagnosticTimers.get(td.uri));
    diagnosticTimers.delete(td.uri);
    if (documents.close(td.uri)) void connection.sendDiagnostics({ uri: td.uri, diagnostics: [] });
  });

  connection.onDocumentSymbol((params) => {
    const doc = documents.get(params.textDocument.uri);
    const tree = doc?.tree?.tree;
    const grammar = doc?.spec && registry.loaded(doc.spec.id);
    if (!doc || !tree || !grammar) return [];
    const symbols = documentSymbols(tree, grammar, doc.text, registry);
    return hierarchicalSymbols ? symbols : toSymbolInformation(symbols, doc.uri);
  });

  connection.onRequest(DebugTreeRequest, (params: DebugTreeParams): DebugTreeResult | null => {
    const doc = params && typeof params.uri === 'string' ? documents.get(params.uri) : undefined;
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
      noTreeReason: doc.noTreeReason,
      textLength: doc.text.getText().length,
      lastUpdateMs: doc.lastUpdateMs,
      lastParse: doc.lastParse,
      nodeCount: tree ? (wantDigest ? nodes.length : tree.rootNode.descendantCount) : 0,
      digest: wantDigest ? createHash('sha256').update(nodes.join('\n')).digest('hex') : '',
    };
    if (params.nodes) result.nodes = nodes;
    if (params.text) result.text = doc.text.getText();
    if (params.sexp && tree) result.sexp = tree.rootNode.toString();
    return result;
  });

  connection.onShutdown(() => {
    for (const t of diagnosticTimers.values()) clearTimeout(t);
    diagnosticTimers.clear();
    documents.disposeAll();
    parsers.dispose();
    log.info('shutdown: every tree deleted');
  });

  void MessageType;
  return { documents, settings: () => settings };
}
