// The second half of a completion build (features/completionBuild.ts): the
// records of the build, in document order, turned into one document's
// completion index. The Collector gathers every record's facts at absolute
// offsets into flat arrays (reused from one build to the next); assemble
// orders and deduplicates scopes and definitions, binds each definition to
// its scope, sorts the comment/string ranges, and exposes the identifier and
// member counts through the aggregate (countsView) and lazily built tables.
import { BINDS_OUTSIDE, COMPLETION_INDEX_VERSION, INDEX_MEMBER_OPERATORS, SKIP_COMMENT, SKIP_HOLE, SKIP_STRING, memberOperatorBefore, setCountsView, wordBefore, wordRegex, type CompletionIndex } from './completionIndex.js';
import { EMPTY_SCAN, addPair, orderOf, sortedSkip, type QueryFacts, type ScanFacts } from './completionFacts.js';
import type { Rec, WordAggregate } from './completionBuild.js';

/**
 * A growable flat array of numbers in a Float64Array, reused from one build
 * to the next: the collected facts of a whole document (tens of thousands of
 * numbers per keystroke in 5,000 lines) then cost no garbage, and being off
 * the JS heap, scavenges neither scan nor copy them.
 */
class NumberBuffer {
  private data = new Float64Array(1024);
  length = 0;

  get array(): Float64Array {
    return this.data;
  }

  reset(): void {
    this.length = 0;
  }

  /** Room for `n` more numbers. */
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const grown = new Float64Array(Math.max(this.data.length * 2, this.length + n));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  push3(a: number, b: number, c: number): void {
    this.reserve(3);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    this.length = n + 3;
  }
}

/** The Collector's arrays, reused by every build. */
class CollectorScratch {
  readonly scopes = new NumberBuffer();
  readonly skip = new NumberBuffer();
  readonly defs = new NumberBuffer();
  defNames: string[] = [];
  defCount = 0;
}

/**
 * One per thread, shared by the builds of every document: a build runs
 * synchronously to its end, and the index it assembles copies what it keeps,
 * so no open document holds buffers of its own.
 */
const SCRATCH = new CollectorScratch();

/** One pass over the records: absolute facts in flat arrays, the scans in use, the records by start. */
export class Collector {
  /** One record per start mostly (nested nodes starting together share a list). */
  readonly byStart = new Map<number, Rec | Rec[]>();
  bytes = 0;
  /** [start, end, isClass] */
  readonly scopes: NumberBuffer;
  /** [kind, offset, end, pattern, parentStart, parentEnd] */
  readonly defs: NumberBuffer;
  /** The first `scratch.defCount` are this build's. */
  readonly defNames: string[];
  /** [start, end, kind] */
  readonly skip: NumberBuffer;
  readonly used = new Map<ScanFacts, number>();
  readonly deferred: number[] = [];
  readonly deferredWords: string[] = [];

  constructor(readonly scratch: CollectorScratch = SCRATCH) {
    this.scopes = scratch.scopes;
    this.defs = scratch.defs;
    this.skip = scratch.skip;
    this.defNames = scratch.defNames;
    this.scopes.reset();
    this.defs.reset();
    this.skip.reset();
    scratch.defCount = 0;
  }

  /** `inside`: within a string or comment of an ancestor. */
  visit(rec: Rec, start: number, inside: boolean): void {
    const there = this.byStart.get(start);
    if (!there) this.byStart.set(start, rec);
    else if (Array.isArray(there)) there.push(rec);
    else this.byStart.set(start, [there, rec]);
    const facts = rec.chunk ?? rec.large!;
    this.bytes += facts.bytes;
    this.query(facts.q, start);
    const self = facts.self;
    if (rec.large) {
      const within = self === SKIP_HOLE ? false : self === SKIP_STRING || self === SKIP_COMMENT ? true : inside;
      const rel = rec.childRel!;
      const children = rec.children!;
      for (let i = 0; i < children.length; i++) this.visit(children[i]!, start + rel[i]!, within);
      return;
    }
    // A chunk self-captured as a string is handled by its own code scan (its holes are code).
    const scan = inside && self !== SKIP_HOLE ? rec.chunk!.holes : rec.chunk!.code;
    if (scan === EMPTY_SCAN) return;
    this.used.set(scan, (this.used.get(scan) ?? 0) + 1);
    for (const [rel, w] of scan.deferred) {
      this.deferred.push(start + rel);
      this.deferredWords.push(w);
    }
  }

  private query(q: QueryFacts, base: number): void {
    for (let i = 0; i < q.scopes.length; i += 3) this.scopes.push3(base + q.scopes[i]!, base + q.scopes[i + 1]!, q.scopes[i + 2]!);
    for (let i = 0; i < q.skip.length; i += 3) this.skip.push3(base + q.skip[i]!, base + q.skip[i + 1]!, q.skip[i + 2]!);
    const d = q.defs;
    const n = q.defNames.length;
    if (!n) return;
    const defs = this.defs;
    defs.reserve(n * 6);
    const a = defs.array;
    let at = defs.length;
    const names = this.defNames;
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      names[scratch.defCount++] = q.defNames[i]!;
      a[at] = d[i * 6]!;
      a[at + 1] = base + d[i * 6 + 1]!;
      a[at + 2] = base + d[i * 6 + 2]!;
      a[at + 3] = d[i * 6 + 3]!;
      a[at + 4] = base + d[i * 6 + 4]!;
      a[at + 5] = base + d[i * 6 + 5]!;
      at += 6;
    }
    defs.length = at;
  }
}

export function assemble(c: Collector, text: string, agg: WordAggregate): CompletionIndex {
  agg.update(c.used);
  const { deferred, deferredWords } = c;
  // Member accesses across a chunk's start, against the whole text.
  const charRe = wordRegex().char;
  const extraMembers = new Map<string, number>();
  const extraPairs = new Map<string, Map<string, number>>();
  for (let i = 0; i < deferred.length; i++) {
    const op = memberOperatorBefore(text, deferred[i]!, INDEX_MEMBER_OPERATORS);
    if (!op) continue;
    const w = deferredWords[i]!;
    extraMembers.set(w, (extraMembers.get(w) ?? 0) + 1);
    const recv = wordBefore(text, op.start, charRe);
    if (recv) addPair(extraPairs, recv, w, 1);
  }

  // Scopes in start order (outer before inner at the same start), deduplicated, with parents.
  const sc = c.scopes.array;
  const scopes: number[] = [];
  const stack: number[] = [];
  let lastStart = -1;
  let lastEnd = -1;
  for (const i of orderOf(sc, 3, (a, b) => sc[a]! - sc[b]! || sc[b + 1]! - sc[a + 1]!, c.scopes.length)) {
    const start = sc[i]!;
    const end = sc[i + 1]!;
    if (start === lastStart && end === lastEnd) continue;
    lastStart = start;
    lastEnd = end;
    while (stack.length && scopes[stack[stack.length - 1]! * 4 + 1]! < end) stack.pop();
    const idx = scopes.length / 4;
    scopes.push(start, end, stack.length ? stack[stack.length - 1]! : -1, sc[i + 2]!);
    stack.push(idx);
  }
  // Definitions: one per name node (the first pattern wins), bound to the innermost scope.
  const df = c.defs.array;
  const out = { defNames: [] as string[], defKinds: [] as number[], defOffsets: [] as number[], defScopes: [] as number[] };
  const nScopes = scopes.length / 4;
  let lastOffset = -1;
  const active: number[] = [];
  let nextScope = 0;
  for (const i of orderOf(df, 6, (a, b) => df[a + 1]! - df[b + 1]! || df[a + 3]! - df[b + 3]!, c.defs.length)) {
    const kind = df[i]!;
    const offset = df[i + 1]!;
    const end = df[i + 2]!;
    if (offset === lastOffset) continue;
    lastOffset = offset;
    while (nextScope < nScopes && scopes[nextScope * 4]! <= offset) {
      while (active.length && scopes[active[active.length - 1]! * 4 + 1]! <= scopes[nextScope * 4]!) active.pop();
      active.push(nextScope++);
    }
    while (active.length && scopes[active[active.length - 1]! * 4 + 1]! < end) active.pop();
    let si = active.length ? active[active.length - 1]! : -1;
    // `def f` / `class C` / `function f`: the name is a child of its own scope node; it binds outside.
    if (si >= 0 && BINDS_OUTSIDE.has(kind) && scopes[si * 4] === df[i + 4] && scopes[si * 4 + 1] === df[i + 5]) si = scopes[si * 4 + 2]!;
    out.defNames.push(c.defNames[i / 6]!);
    out.defKinds.push(kind);
    out.defOffsets.push(offset);
    out.defScopes.push(si);
  }
  // Skip ranges in document order, outer before inner (skipContext relies on it).
  const skipSorted = sortedSkip(c.skip.array, c.skip.length);
  // The scratch names past this build's hold nothing it needs.
  c.defNames.length = c.scratch.defCount;

  const index = {
    v: COMPLETION_INDEX_VERSION,
    scopes,
    ...out,
    skip: skipSorted,
  } as Omit<CompletionIndex, 'words' | 'counts' | 'members' | 'memberCounts' | 'receivers'> as CompletionIndex;
  // Identifier and member tables only when read (encoding, a decoded copy): completion reads the
  // aggregate's maps through the counts view. They come from the aggregate as it is now, so reading
  // them after the document's next build is a bug, reported like a lazy index part read after its
  // tree was deleted (cache/entry.ts).
  const generation = agg.generation;
  let wordTables: Pick<CompletionIndex, 'words' | 'counts'> | undefined;
  const deriveWords = (): NonNullable<typeof wordTables> => {
    if (wordTables) return wordTables;
    if (agg.generation !== generation) throw new Error('completion word tables read after the next build of the same document');
    const words = [...agg.words.keys()];
    wordTables = { words, counts: words.map((w) => agg.words.get(w)!) };
    return wordTables;
  };
  for (const key of ['words', 'counts'] as const) Object.defineProperty(index, key, { enumerable: true, get: () => deriveWords()[key] });
  let tables: Pick<CompletionIndex, 'members' | 'memberCounts' | 'receivers'> | undefined;
  const derive = (): NonNullable<typeof tables> => {
    if (tables) return tables;
    if (agg.generation !== generation) throw new Error('completion member tables read after the next build of the same document');
    const members = [...agg.members.keys()];
    for (const m of extraMembers.keys()) if (!agg.members.has(m)) members.push(m);
    const memberIndex = new Map(members.map((m, i) => [m, i]));
    const receivers: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
    for (const pairs of [agg.receivers, extraPairs]) {
      for (const [recv, per] of pairs) {
        const arr = (receivers[recv] ??= []);
        for (const [m, n] of per) {
          // A pair in both maps: add to the first entry.
          let merged = false;
          if (pairs === extraPairs && agg.receivers.get(recv)?.has(m)) {
            const idx = memberIndex.get(m)!;
            for (let i = 0; i < arr.length; i += 2) {
              if (arr[i] === idx) {
                arr[i + 1]! += n;
                merged = true;
                break;
              }
            }
          }
          if (!merged) arr.push(memberIndex.get(m)!, n);
        }
      }
    }
    tables = { members, memberCounts: members.map((m) => (agg.members.get(m) ?? 0) + (extraMembers.get(m) ?? 0)), receivers };
    return tables;
  };
  for (const key of ['members', 'memberCounts', 'receivers'] as const) Object.defineProperty(index, key, { enumerable: true, get: () => derive()[key] });
  // What completion reads per keystroke, straight from the aggregate (the same sums as the tables).
  const fresh = (): void => {
    if (agg.generation !== generation) throw new Error('completion counts view read after the next build of the same document');
  };
  let allMembers: ReadonlyMap<string, number> | undefined;
  setCountsView(index, {
    words() {
      fresh();
      return agg.words;
    },
    members() {
      fresh();
      return (allMembers ??= sumCounts(agg.members, extraMembers)!);
    },
    pairs(receiver) {
      fresh();
      return sumCounts(agg.receivers.get(receiver), extraPairs.get(receiver));
    },
  });
  return index;
}

/** Counts of `a` plus those of `b`: one of them when the other is missing or empty, else a new map. */
function sumCounts(a: ReadonlyMap<string, number> | undefined, b: ReadonlyMap<string, number> | undefined): ReadonlyMap<string, number> | undefined {
  if (!b?.size) return a ?? b;
  if (!a?.size) return b;
  const sum = new Map(a);
  for (const [k, n] of b) sum.set(k, (sum.get(k) ?? 0) + n);
  return sum;
}
