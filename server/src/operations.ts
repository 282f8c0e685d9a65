// Operations wiring, kept out of server.ts: the metrics endpoint and its
// readiness verdict, and the $/cstQuery request. server.ts calls
// startOperations() once and close() on shutdown.
import * as fs from 'node:fs';
import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver';
import { logger } from './log.js';
import { CstQueryRequest, type CstQueryErrorData, type CstQueryParams, type CstQueryResult, type CstStats, type Health } from './protocol.js';
import { initTreeSitter, type GrammarRegistry } from './syntax/grammars.js';
import type { ParserPool } from './syntax/parser.js';
import type { DocumentStore } from './cache/documents.js';
import type { Traffic } from './transport/traffic.js';
import { ServerMetrics } from './telemetry/metrics.js';
import { MetricsEndpoint, endpointFromEnv, type Readiness } from './telemetry/endpoint.js';
import { compileQuery, QueryProblem, runQuery } from './features/cstQuery.js';

export interface OperationsContext {
  connection: Connection;
  registry: GrammarRegistry;
  parsers: ParserPool;
  documents: DocumentStore;
  traffic?: Traffic;
  /** $/cstStats and $/health (undefined before initialize). */
  stats: () => CstStats | undefined;
  health: () => Health | undefined;
  indexing: () => { state: string; done: number; total: number };
  /** After every handled request: the budget holds. */
  settle: () => void;
  /** Tell the user (window/showMessage). */
  tell: (message: string) => void;
}

export interface Operations {
  /** initialize was handled. */
  initialized(): void;
  /** Stop the endpoint (shutdown). */
  close(): Promise<void>;
  /** The endpoint's URL once listening (undefined when off or failed). */
  readonly endpointUrl: Promise<string | undefined>;
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

function invalid(message: string, data?: CstQueryErrorData): ResponseError<CstQueryErrorData | undefined> {
  return new ResponseError(ErrorCodes.InvalidParams, message, data);
}

function isPosition(p: unknown): boolean {
  const q = p as { line?: unknown; character?: unknown } | undefined;
  return Boolean(q) && Number.isInteger(q!.line) && Number.isInteger(q!.character) && (q!.line as number) >= 0 && (q!.character as number) >= 0;
}

export function startOperations(ctx: OperationsContext): Operations {
  const log = logger();
  let initialized = false;
  let runtime: string = 'not started';
  let endpoint: MetricsEndpoint | undefined;

  // ----- $/cstQuery ------------------------------------------------------------
  ctx.connection.onRequest(CstQueryRequest, async (raw: unknown, token: CancellationToken): Promise<CstQueryResult> => {
    const params = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Partial<CstQueryParams>;
    if (typeof params.uri !== 'string' || typeof params.query !== 'string') throw invalid('expected { uri, query, range?, maxResults?, timeoutMs? }');
    if (params.range !== undefined && (!params.range || !isPosition(params.range.start) || !isPosition(params.range.end))) throw invalid('range must be { start: {line, character}, end: {line, character} }');
    if (token.isCancellationRequested) throw cancelled();
    await ctx.documents.whenReady(params.uri);
    if (token.isCancellationRequested) throw cancelled();
    const doc = ctx.documents.get(params.uri);
    if (!doc) throw invalid(`${params.uri} is not open`);
    const grammar = doc.spec && (ctx.registry.loaded(doc.spec.id) ?? (await ctx.registry.load(doc.spec.id)));
    if (token.isCancellationRequested) throw cancelled();
    if (!grammar || ctx.documents.get(params.uri) !== doc) throw invalid(`${params.uri} has no syntax tree (${doc.noTreeReason ?? 'no grammar'})`);
    let query;
    try {
      query = compileQuery(grammar.language, params.query);
    } catch (err) {
      if (err instanceof QueryProblem) throw invalid(err.message, { kind: err.kind, ...(err.where ?? {}) });
      throw err;
    }
    try {
      // Queries run on a live tree: a document below hot is parsed again (a miss), as formatting does.
      if (!doc.tree && doc.tier !== 'none') {
        doc.dropBelowHot();
        ctx.documents.parseNow(doc);
      }
      const ref = doc.tree;
      if (!ref) throw invalid(`${params.uri} has no syntax tree (${doc.noTreeReason ?? 'not parsed'})`);
      const tree = ref.acquire();
      try {
        return runQuery(query, tree, doc.text, grammar.spec.id, { range: params.range, maxResults: params.maxResults, timeoutMs: params.timeoutMs });
      } catch (err) {
        if (err instanceof RangeError) throw invalid(err.message);
        throw err;
      } finally {
        ref.release();
      }
    } finally {
      query.delete();
      ctx.settle();
    }
  });

  // ----- metrics endpoint ------------------------------------------------------
  const config = endpointFromEnv();
  let listening: Promise<string | undefined> = Promise.resolve(undefined);
  if (config && 'problem' in config) {
    log.warn(config.problem);
    ctx.tell(`cst: ${config.problem}`);
  } else if (config) {
    runtime = 'loading';
    initTreeSitter().then(
      () => (runtime = 'ok'),
      (err: unknown) => (runtime = `failed: ${(err as Error).message}`),
    );
    // Whether each grammar's .wasm can be found (they load on first use: loading all would grow the WASM heap for good).
    const missing: string[] = [];
    for (const spec of ctx.registry.languages) {
      try {
        if (!fs.existsSync(ctx.registry.wasmPath(spec))) missing.push(`${spec.id} (${spec.grammar.wasm} not found)`);
      } catch (err) {
        missing.push(`${spec.id} (${(err as Error).message})`);
      }
    }
    const readiness = (): Readiness => {
      const failed = ctx.registry.failures().map((f) => `${f.id} (${f.error})`);
      const grammarProblems = [...missing, ...failed];
      const checks = {
        initialized: initialized ? 'ok' : 'waiting for initialize',
        runtime,
        grammars: grammarProblems.length ? `unavailable: ${grammarProblems.join('; ')}` : `ok (${ctx.registry.languages.length} available)`,
      };
      return { ready: initialized && runtime === 'ok' && grammarProblems.length === 0, checks };
    };
    const metrics = new ServerMetrics({
      stats: () => ctx.stats(),
      grammarFailures: () => ctx.registry.failures().length,
      indexing: ctx.indexing,
      parsers: ctx.parsers,
      traffic: ctx.traffic,
    });
    endpoint = new MetricsEndpoint(config, {
      metrics,
      health: () => ctx.health() ?? { status: 'degraded', uptimeSeconds: 0, memoryUsageMb: 0, cacheEntries: 0, version: '', checks: { parser: 'ok', cache: 'ok', frozenStore: 'ok', index: 'ok' }, message: 'waiting for initialize' },
      readiness,
    });
    listening = endpoint.listening;
  }

  return {
    initialized: () => {
      initialized = true;
    },
    close: async () => {
      await endpoint?.close();
      endpoint = undefined;
    },
    endpointUrl: listening,
  };
}
