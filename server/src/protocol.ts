// The wire contract of every custom request and notification. The VS Code
// client and the tests import these types; keep them free of server internals.

/** Test and debugging aid: the server's current tree for a document, flattened. */
export const DebugTreeRequest = '$/cstDebugTree';
export interface DebugTreeParams {
  uri: string;
  /** Include the full node list (otherwise only its digest). */
  nodes?: boolean;
  /** Include the document text as the server holds it. */
  text?: boolean;
  /** Include the S-expression. */
  sexp?: boolean;
  /** Compute the digest over all nodes (default true; false makes the request O(1)). */
  digest?: boolean;
}
export interface DebugTreeResult {
  uri: string;
  version: number;
  languageId: string;
  /** The language resolved from the manifest, or null when unknown. */
  language: string | null;
  hasTree: boolean;
  /** Tier of the document's syntax data ('none' when it has none). */
  tier: Tier | 'none';
  /** Why the document has no tree (unknown language, too large, timed out, binary...). */
  noTreeReason?: string;
  textLength: number;
  /** Server-side time spent applying the last didChange (text update, tree edit and reparse), in ms. */
  lastUpdateMs: number;
  /** Kind of the last parse of this document. */
  lastParse: 'full' | 'incremental' | 'none';
  nodeCount: number;
  /** sha256 of the node list ('' when digest: false) (see serializeNodes): one line per node, "type start end startRow:startCol endRow:endCol". */
  digest: string;
  nodes?: string[];
  text?: string;
  sexp?: string;
  /**
   * Counters of the last build of the hot document's completion facts (absent
   * before the first): chunks computed and reused; whether the last attempt
   * was deferred (over the keystroke budget: completion read the last build's
   * facts), and how many were.
   */
  completionBuild?: { chunks: number; chunkHits: number; large: number; largeHits: number; deferred: boolean; deferrals: number };
}

export type Tier = 'hot' | 'warm' | 'cold' | 'frozen';
export const TIERS: readonly Tier[] = ['hot', 'warm', 'cold', 'frozen'];

/** `$/cstStats`: cache and parser statistics. Never promotes, parses or touches the LRU order. */
export const CstStatsRequest = '$/cstStats';
export interface CstStatsParams {
  uri?: string;
}
export interface TierStats {
  entries: number;
  /** Accounted bytes (frozen: bytes on disk). */
  bytes: number;
  /** Lookups this tier served. */
  hits: number;
  /** Lookups that found nothing in this tier and went further down. */
  misses: number;
}
export interface CstStats {
  budgetBytes: number;
  /** Accounted bytes of hot + warm + cold (see ARCHITECTURE.md, "Budget"). */
  usedBytes: number;
  tiers: Record<Tier, TierStats>;
  /** Lookups served without a parse / all lookups. 1 when there were none. */
  hitRatio: number;
  lookups: number;
  promotions: number;
  demotions: number;
  evictions: number;
  parses: {
    full: number;
    incremental: number;
    /** Idle full parses of the document opened last, restored from the cache without a parse, made hot before its first edit. */
    prepared: number;
    /** Full parses in worker threads (workspace indexing). */
    background: number;
    failed: number;
    timedOut: number;
    latencyMs: { p50: number; p95: number; p99: number; max: number };
  };
  /** givenUp: confirmations stopped in their worker by an edit of the document (the idle timer starts them again). */
  confirmations: { confirmed: number; mismatches: number; pending: number; givenUp: number };
  /** workerThreads: parse workers alive now (started on demand, ended after workerIdleMs without work). */
  process: { rssBytes: number; heapUsedBytes: number; wasmHeapBytes: number; liveTrees: number; workerThreads: number };
  documents: { open: number; indexed: number };
  frozen: { segments: number; segmentLoads: number; corruptRecords: number; records: number; writes: number; writeErrors: number; degraded?: string };
  document?: { uri: string; languageId: string; version: number; tier: Tier | 'none'; nodeCount: number; bytes: number };
}

/** `$/health`: a summary for status bars and probes. */
export const HealthRequest = '$/health';
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';
export interface Health {
  status: HealthStatus;
  uptimeSeconds: number;
  memoryUsageMb: number;
  cacheEntries: number;
  version: string;
  checks: { parser: string; cache: string; frozenStore: string; index: string };
  message: string;
}

/** Test aid: run a full garbage collection (only when node runs with --expose-gc), then answer $/cstStats' process figures. */
export const DebugGcRequest = '$/cstDebugGc';

/** Test and operations aid: move a document's syntax data to a tier (promotion or demotion). */
export const DebugSetTierRequest = '$/cstDebugSetTier';
export interface DebugSetTierParams {
  uri: string;
  tier: Tier;
}

/**
 * `$/cstQuery`: run a tree-sitter query (S-expression patterns with @captures,
 * https://tree-sitter.github.io/tree-sitter/using-parsers/queries) on an open
 * document's tree. Advertised as `experimental.cstQueryProvider`.
 * Errors: InvalidParams (-32602) for a query that does not compile (message
 * "invalid query at LINE:COL: ...", data: CstQueryErrorData), a bad limit or a
 * document that is not open or has no tree; ContentModified when the document
 * changed before the query ran; RequestCancelled when cancelled.
 */
export const CstQueryRequest = '$/cstQuery';
export interface CstQueryParams {
  uri: string;
  query: string;
  /** Only captures of nodes intersecting this range. */
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** Default 1000, at most 100000. */
  maxResults?: number;
  /** Query time budget; default 1000 ms, at most 10000. */
  timeoutMs?: number;
}
export interface CstQueryCapture {
  /** Capture name without the @. */
  name: string;
  /** Node type. */
  type: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** The node's text, at most 200 characters. */
  text: string;
  /** Present (true) when `text` was cut. */
  truncated?: boolean;
}
export interface CstQueryResult {
  language: string;
  captures: CstQueryCapture[];
  /** More captures matched than maxResults. */
  truncated: boolean;
  /** The time budget ran out: the captures are those found so far. */
  timedOut: boolean;
}
export interface CstQueryErrorData {
  kind: 'syntax' | 'node-name' | 'field-name' | 'capture-name' | 'pattern-structure' | 'predicate' | 'too-long' | 'empty';
  /** 0-based offset, line and character in the query text, when known. */
  offset?: number;
  line?: number;
  character?: number;
}
