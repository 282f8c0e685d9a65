// Counters behind $/cstStats: cheap to update on every event, cheap to read.
import type { ParseOutcome } from '../syntax/parser.js';
import { TIERS, type Tier } from '../protocol.js';

/** Fixed-size ring of recent samples; percentiles are computed on read. */
export class LatencyRing {
  private readonly samples: Float64Array;
  private count = 0;
  private maxSeen = 0;

  constructor(size = 2048) {
    this.samples = new Float64Array(size);
  }

  add(ms: number): void {
    this.samples[this.count % this.samples.length] = ms;
    this.count++;
    if (ms > this.maxSeen) this.maxSeen = ms;
  }

  percentiles(): { p50: number; p95: number; p99: number; max: number } {
    const n = Math.min(this.count, this.samples.length);
    if (n === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, n).sort();
    const at = (q: number) => round(sorted[Math.min(n - 1, Math.floor(q * n))]!);
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(this.maxSeen) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class CacheCounters {
  readonly hits: Record<Tier, number> = { hot: 0, warm: 0, cold: 0, frozen: 0 };
  readonly misses: Record<Tier, number> = { hot: 0, warm: 0, cold: 0, frozen: 0 };
  /** Lookups that ended in a parse. */
  parsedLookups = 0;
  promotions = 0;
  demotions = 0;
  evictions = 0;
  confirmed = 0;
  mismatches = 0;
  /** Confirmations given up because the document was edited while a worker parsed it (cache/tiers.ts). */
  confirmationsGivenUp = 0;
  /**
   * full/incremental: main-thread parses of open documents that a request or an edit needed;
   * prepared: idle full parses making the document opened last hot before its first edit (it was
   * restored without a parse); background: full parses in workers (indexing).
   */
  readonly parses = { full: 0, incremental: 0, prepared: 0, failed: 0, timedOut: 0, background: 0 };
  readonly parseLatency = new LatencyRing();

  /** A lookup served by `tier` (undefined: by a parse): a hit there, a miss in every tier above. */
  lookup(tier: Tier | undefined): void {
    for (const t of TIERS) {
      if (t === tier) {
        this.hits[t]++;
        return;
      }
      this.misses[t]++;
    }
    this.parsedLookups++;
  }

  get lookups(): number {
    return TIERS.reduce((n, t) => n + this.hits[t], 0) + this.parsedLookups;
  }

  get hitRatio(): number {
    const all = this.lookups;
    return all === 0 ? 1 : Math.round(((all - this.parsedLookups) / all) * 10000) / 10000;
  }

  recordParse(outcome: ParseOutcome): void {
    if (outcome.tree) {
      this.parses[outcome.prepared ? 'prepared' : outcome.kind]++;
      this.parseLatency.add(outcome.ms);
    } else if (outcome.timedOut) this.parses.timedOut++;
    else this.parses.failed++;
  }
}
