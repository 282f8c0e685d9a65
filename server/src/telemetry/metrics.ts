// Prometheus metrics (prom-client). Nothing here is computed on the request
// path: cache, parse and store figures are read from the counters the server
// keeps anyway (one $/cstStats snapshot per scrape, taken in render()), and
// the only live observations are two histogram observe() calls (a parse, an
// answered request). Rendering runs on the main thread at most once per
// scrape window (the HTTP worker coalesces concurrent scrapes; endpoint.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCodes, LSPErrorCodes } from 'vscode-languageserver/node';
import { TIERS, type CstStats } from '../protocol.js';
import type { ParserPool } from '../syntax/parser.js';
import type { Traffic } from '../transport/traffic.js';
import { errorCounts } from './errors.js';

export interface MetricsSources {
  /** The $/cstStats object (never promotes or parses); undefined before initialize. */
  stats: () => CstStats | undefined;
  /** Grammar load failures so far. */
  grammarFailures: () => number;
  indexing: () => { state: string; done: number; total: number };
  parsers: ParserPool;
  traffic?: Traffic;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Label values for methods are capped: a client inventing method names must not grow the registry without bound. */
const MAX_METHOD_LABELS = 64;

/** The kind of error a JSON-RPC error code stands for (the `kind` label of cst_errors_total). */
export function requestErrorKind(code: number): string {
  switch (code) {
    case LSPErrorCodes.ContentModified:
      return 'request_content_modified';
    case LSPErrorCodes.RequestCancelled:
      return 'request_cancelled';
    case ErrorCodes.InternalError:
      return 'request_internal';
    case ErrorCodes.InvalidParams:
    case ErrorCodes.InvalidRequest:
    case ErrorCodes.ParseError:
      return 'request_invalid';
    case ErrorCodes.MethodNotFound:
      return 'request_method_not_found';
    default:
      return 'request_other';
  }
}

/** Figures before initialize: all zero. */
function zeroStats(): CstStats {
  const tier = { entries: 0, bytes: 0, hits: 0, misses: 0 };
  return {
    budgetBytes: 0,
    usedBytes: 0,
    tiers: { hot: { ...tier }, warm: { ...tier }, cold: { ...tier }, frozen: { ...tier } },
    hitRatio: 1,
    lookups: 0,
    promotions: 0,
    demotions: 0,
    evictions: 0,
    parses: { full: 0, incremental: 0, prepared: 0, background: 0, failed: 0, timedOut: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } },
    confirmations: { confirmed: 0, mismatches: 0, pending: 0, givenUp: 0 },
    process: { rssBytes: 0, heapUsedBytes: 0, wasmHeapBytes: 0, liveTrees: 0, workerThreads: 0 },
    documents: { open: 0, indexed: 0 },
    frozen: { segments: 0, segmentLoads: 0, corruptRecords: 0, records: 0, writes: 0, writeErrors: 0 },
  };
}

export class ServerMetrics {
  readonly registry = new Registry();
  private snap: CstStats | undefined;
  private readonly methods = new Set<string>();
  private readonly requestErrors = new Map<string, number>();
  private readonly renders: Counter;

  constructor(private readonly src: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const snap = () => this.snap!;

    const counter = (name: string, help: string, labelNames: string[], values: () => [Record<string, string>, number][]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [labels, v] of values()) this.inc(labels, v);
        },
      });
    const gauge = (name: string, help: string, labelNames: string[], values: () => [Record<string, string>, number][]) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [labels, v] of values()) this.set(labels, v);
        },
      });

    counter('cst_cache_hits_total', 'Lookups served by each tier.', ['tier'], () => TIERS.map((t) => [{ tier: t }, snap().tiers[t].hits]));
    counter('cst_cache_misses_total', 'Lookups that found nothing in a tier and went further down.', ['tier'], () => TIERS.map((t) => [{ tier: t }, snap().tiers[t].misses]));
    counter('cst_cache_lookups_total', 'All lookups of syntax data (hits in any tier or a parse).', [], () => [[{}, snap().lookups]]);
    counter('cst_cache_promotions_total', 'Documents moved up a tier.', [], () => [[{}, snap().promotions]]);
    counter('cst_cache_demotions_total', 'Documents moved down a tier (budget).', [], () => [[{}, snap().demotions]]);
    counter('cst_cache_evictions_total', 'Documents whose syntax data left memory for the disk store.', [], () => [[{}, snap().evictions]]);
    gauge('cst_cache_bytes', 'Accounted bytes per tier (frozen: bytes on disk).', ['tier'], () => TIERS.map((t) => [{ tier: t }, snap().tiers[t].bytes]));
    gauge('cst_cache_entries', 'Documents per tier.', ['tier'], () => TIERS.map((t) => [{ tier: t }, snap().tiers[t].entries]));
    gauge('cst_cache_used_bytes', 'Accounted bytes of hot + warm + cold.', [], () => [[{}, snap().usedBytes]]);
    gauge('cst_cache_budget_bytes', 'The memory budget (memoryMb).', [], () => [[{}, snap().budgetBytes]]);
    counter('cst_parses_total', 'Parses by kind (full and incremental on the main thread, prepared: idle full parses before a first edit, background in workers, failed, timed out).', ['kind'], () =>
      (['full', 'incremental', 'prepared', 'background', 'failed', 'timedOut'] as const).map((k) => [{ kind: k }, snap().parses[k]]),
    );
    counter('cst_store_writes_total', 'Records written to the disk store.', [], () => [[{}, snap().frozen.writes]]);
    gauge('cst_store_records', 'Live records in the disk store.', [], () => [[{}, snap().frozen.records]]);
    gauge('cst_store_segments', 'Segment files of the disk store.', [], () => [[{}, snap().frozen.segments]]);
    gauge('cst_documents', 'Open documents and indexed workspace files.', ['state'], () => [
      [{ state: 'open' }, snap().documents.open],
      [{ state: 'indexed' }, snap().documents.indexed],
    ]);
    gauge('cst_indexing_files', 'Workspace indexing progress: files done and total of the current or last run.', ['state'], () => {
      const i = this.src.indexing();
      return [
        [{ state: 'done' }, i.done],
        [{ state: 'total' }, i.total],
      ];
    });
    gauge('cst_indexing_active', '1 while workspace indexing runs.', [], () => [[{}, this.src.indexing().state === 'indexing' ? 1 : 0]]);
    gauge('cst_wasm_heap_bytes', 'Size of the web-tree-sitter WASM linear memory (it never shrinks).', [], () => [[{}, snap().process.wasmHeapBytes]]);
    gauge('cst_live_trees', 'Live web-tree-sitter trees.', [], () => [[{}, snap().process.liveTrees]]);
    gauge('cst_worker_threads', 'Parse worker threads alive (they end after workerIdleMs without work).', [], () => [[{}, snap().process.workerThreads]]);
    gauge('cst_requests_in_flight', 'Requests received and not answered yet (queued or running).', [], () => [[{}, this.src.traffic?.inFlight ?? 0]]);
    counter('cst_requests_dropped_total', 'Requests answered without their result: content_modified (their document changed again first), cancelled_before_run ($/cancelRequest while queued).', ['reason'], () => [
      [{ reason: 'content_modified' }, this.src.traffic?.counts.contentModified ?? 0],
      [{ reason: 'cancelled_before_run' }, this.src.traffic?.counts.cancelledBeforeRun ?? 0],
    ]);
    counter('cst_errors_total', 'Errors by kind.', ['kind'], () => {
      const s = snap();
      const out: [Record<string, string>, number][] = [
        [{ kind: 'parse_failed' }, s.parses.failed],
        [{ kind: 'parse_timeout' }, s.parses.timedOut],
        [{ kind: 'store_write' }, s.frozen.writeErrors],
        [{ kind: 'store_corrupt_record' }, s.frozen.corruptRecords],
        [{ kind: 'confirmation_mismatch' }, s.confirmations.mismatches],
        [{ kind: 'grammar_load' }, this.src.grammarFailures()],
      ];
      for (const [kind, n] of this.requestErrors) out.push([{ kind }, n]);
      for (const [kind, n] of errorCounts()) out.push([{ kind }, n]);
      return out;
    });
    this.renders = new Counter({ name: 'cst_metrics_renders_total', help: 'Times the main thread rendered these metrics (concurrent scrapes share one render).', registers });

    const parseSeconds = new Histogram({ name: 'cst_parse_duration_seconds', help: 'Main-thread parse time by kind and language.', labelNames: ['kind', 'language'], buckets: LATENCY_BUCKETS, registers });
    src.parsers.onParse((outcome, language) => {
      if (outcome.tree) parseSeconds.observe({ kind: outcome.kind, language }, outcome.ms / 1000);
    });
    const requestSeconds = new Histogram({ name: 'cst_request_duration_seconds', help: 'Request latency by method, from arrival to the answer written (queueing included).', labelNames: ['method'], buckets: LATENCY_BUCKETS, registers });
    src.traffic?.onOutcome((o) => {
      requestSeconds.observe({ method: this.methodLabel(o.method) }, o.ms / 1000);
      if (o.code !== undefined) {
        const kind = requestErrorKind(o.code);
        this.requestErrors.set(kind, (this.requestErrors.get(kind) ?? 0) + 1);
      }
    });
  }

  private methodLabel(method: string): string {
    if (this.methods.has(method)) return method;
    if (this.methods.size >= MAX_METHOD_LABELS) return 'other';
    this.methods.add(method);
    return method;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private rendering: Promise<string> | undefined;

  /** The Prometheus text exposition, from one statistics snapshot. Concurrent callers share one render. */
  render(): Promise<string> {
    this.rendering ??= (async () => {
      this.renders.inc();
      this.snap = this.src.stats() ?? zeroStats();
      try {
        return await this.registry.metrics();
      } finally {
        this.snap = undefined;
        this.rendering = undefined;
      }
    })();
    return this.rendering;
  }
}
