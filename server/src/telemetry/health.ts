// $/cstStats and $/health: built from counters and the tier manager's
// accounting. Reading them never promotes, parses or touches the LRU order.
import { TIERS, type CstStats, type Health, type Tier } from '../protocol.js';
import type { CacheCounters } from './stats.js';
import type { TierManager } from '../cache/tiers.js';
import type { DocumentStore } from '../cache/documents.js';
import type { GrammarRegistry } from '../syntax/grammars.js';
import { wasmHeapBytes } from '../syntax/grammars.js';
import { liveTreeCount } from '../cache/treeRef.js';

export interface StatsSources {
  counters: CacheCounters;
  tiers: TierManager;
  documents: DocumentStore;
  registry: GrammarRegistry;
  /** Workspace files indexed (workspace index; 0 until it runs). */
  indexed: () => number;
  indexCheck: () => string;
  /** Parse worker threads alive now. */
  workerThreads: () => number;
  version: string;
  startedAt: number;
}

export function cstStats(src: StatsSources, uri?: string): CstStats {
  const { counters, tiers } = src;
  const usage = tiers.usage();
  const store = tiers.frozenStore?.stats();
  const mem = process.memoryUsage();
  const stats: CstStats = {
    budgetBytes: tiers.budgetBytes(),
    usedBytes: usage.used,
    tiers: Object.fromEntries(
      TIERS.map((t) => [t, { entries: usage.perTier[t].entries, bytes: t === 'frozen' ? (store?.bytes ?? 0) : usage.perTier[t].bytes, hits: counters.hits[t], misses: counters.misses[t] }]),
    ) as CstStats['tiers'],
    hitRatio: counters.hitRatio,
    lookups: counters.lookups,
    promotions: counters.promotions,
    demotions: counters.demotions,
    evictions: counters.evictions,
    parses: { ...counters.parses, latencyMs: counters.parseLatency.percentiles() },
    confirmations: { confirmed: counters.confirmed, mismatches: counters.mismatches, pending: tiers.confirmationsPending, givenUp: counters.confirmationsGivenUp },
    process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, wasmHeapBytes: wasmHeapBytes(), liveTrees: liveTreeCount(), workerThreads: src.workerThreads() },
    documents: { open: src.documents.size, indexed: src.indexed() },
    frozen: {
      segments: store?.segments ?? 0,
      segmentLoads: store?.segmentLoads ?? 0,
      corruptRecords: store?.corruptRecords ?? 0,
      records: store?.records ?? 0,
      writes: store?.writes ?? 0,
      writeErrors: store?.writeErrors ?? 0,
      ...(store?.degraded ? { degraded: store.degraded } : {}),
    },
  };
  if (!tiers.frozenStore) stats.frozen.degraded = 'no store';
  if (uri) {
    const doc = src.documents.get(uri);
    if (doc) {
      stats.document = {
        uri,
        languageId: doc.languageId,
        version: doc.version,
        tier: doc.tier as Tier | 'none',
        nodeCount: doc.tree ? doc.nodeCount : (doc.warm?.nodeCount ?? 0),
        bytes: tiers.bytesOf(doc),
      };
    }
  }
  return stats;
}

export function health(src: StatsSources): Health {
  const stats = cstStats(src);
  const failures = src.registry.failures();
  const memoryRatio = stats.budgetBytes > 0 ? stats.usedBytes / stats.budgetBytes : 0;
  const checks = {
    parser: failures.length ? `grammar failed: ${failures.map((f) => `${f.id} (${f.error})`).join('; ')}` : 'ok',
    cache: memoryRatio > 0.8 ? `memory at ${Math.round(memoryRatio * 100)}% of budget` : 'ok',
    frozenStore: stats.frozen.degraded ? `memory-only: ${stats.frozen.degraded}` : stats.frozen.corruptRecords > 0 ? `ok (${stats.frozen.corruptRecords} corrupt records skipped)` : 'ok',
    index: src.indexCheck(),
  };
  const problems = Object.entries(checks).filter(([, v]) => v !== 'ok' && !v.startsWith('ok ('));
  const status = problems.length === 0 ? 'healthy' : 'degraded';
  return {
    status,
    uptimeSeconds: Math.round((Date.now() - src.startedAt) / 1000),
    memoryUsageMb: Math.round((stats.usedBytes / 1048576) * 10) / 10,
    cacheEntries: TIERS.reduce((n, t) => n + stats.tiers[t].entries, 0),
    version: src.version,
    checks,
    message: status === 'healthy' ? 'all checks ok' : problems.map(([k, v]) => `${k}: ${v}`).join('; '),
  };
}
