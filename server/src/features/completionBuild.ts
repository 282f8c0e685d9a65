// Builds a document's completion facts (features/completionIndex.ts) from its
// tree in chunks, so that a keystroke recomputes only the part of the
// document it touched.
//
// The tree is cut into chunks: nodes of at most CHUNK_CHARS characters (or
// below MAX_LARGE_DEPTH nested large nodes). Above them are the large nodes.
// A query match is rooted at exactly one node, so the whole tree's captures
// are
//   - every chunk's captures (the query run on the chunk node), and
//   - every large node's own captures (the query run on it with
//     maxStartDepth 0: only patterns whose root is the node itself).
// A chunk's facts (captures, identifier counts and member pairs of its text)
// and a large node's facts are relative to the node's start, so they hold
// wherever the node moves. A per-document ChunkCache keeps the records of the
// last build and the text edits since (cache/documents.ts reports them). The
// next build walks the new tree from the root and reuses, without descending,
// every node whose text no edit touched and whose type and extent are the
// same as a record's: a keystroke walks one path down and computes one chunk.
// Identifier counts are kept up to date from the difference between the chunk
// scans in use before and after (WordAggregate). A fresh build is the same
// algorithm with an empty cache, so the result does not depend on the history
// (the hot, warm and frozen tiers serve the same facts; test/unit/
// completion-index.test.ts checks it on random edits of real files).
//
// Comment and string context crosses chunk borders: a chunk inside a large
// string node has only its interpolation holes as code. Every chunk keeps both
// scans (as code, and holes only) and the collector picks by context. A member
// access whose operator or receiver lies before the chunk's start
// (`a.` + chunk `b`) is resolved at assembly against the whole text.
import { Query, type Node, type Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { boundedCaptures } from '../syntax/queries.js';
import {
  BINDS_OUTSIDE,
  COMPLETION_INDEX_VERSION,
  DEF_KINDS,
  INDEX_MEMBER_OPERATORS,
  SKIP_COMMENT,
  SKIP_HOLE,
  SKIP_STRING,
  codeSpans,
  isDigitStart,
  memberOperatorBefore,
  wordBefore,
  wordRegex,
  type CompletionIndex,
  type DefKind,
} from './completionIndex.js';

/** Nodes up to this many characters are chunks. */
export const CHUNK_CHARS = 4096;
/** Below this many nested large nodes everything is a chunk (bounds the walk on pathological nesting). */
const MAX_LARGE_DEPTH = 64;
const MAX_OP = Math.max(...INDEX_MEMBER_OPERATORS.map((o) => o.length));

/** Query facts of one node, offsets relative to its start. */
interface QueryFacts {
  /** [start, end, isClass] per scope capture. */
  scopes: number[];
  /** [start, end, kind] per skip capture, outer before inner. */
  skip: number[];
  defNames: string[];
  /** [kind, offset, end, pattern, parentStart, parentEnd] per definition (parent NaN: outside the node). */
  defs: number[];
}

/** Identifiers and member pairs of a chunk's code spans. */
interface ScanFacts {
  words: Map<string, number>;
  members: Map<string, number>;
  /** receiver -> member -> count */
  receivers: Map<string, Map<string, number>>;
  /** Words whose member operator or receiver may lie before the chunk: [relative offset, word]. */
  deferred: [number, string][];
}

interface ChunkFacts {
  q: QueryFacts;
  /** The chunk scanned as code (outside comments/strings). */
  code: ScanFacts;
  /** The chunk inside a string or comment: only its holes are code. */
  holes: ScanFacts;
  /** Self-captured as a string/comment (SKIP_*), or -1. */
  self: number;
  bytes: number;
}

interface LargeFacts {
  q: QueryFacts;
  self: number;
  bytes: number;
}

/**
 * A node of the last build: a chunk (its facts) or a large node (its own
 * facts and children). Position-free: a parent holds its children's offsets,
 * so a record moves with its text.
 */
interface Rec {
  len: number;
  type: number;
  chunk?: ChunkFacts;
  large?: LargeFacts;
  childRel?: number[];
  children?: Rec[];
}

/**
 * A document's chunk records of the last build, and the edits since: the next
 * build reuses every node whose text no edit touched (features/completion.ts
 * via cache/entry.ts IndexMemo; the document store reports the edits).
 */
export class ChunkCache {
  private root: Rec | undefined;
  /** Records of the last build by their start offset then. */
  private byStart = new Map<number, Rec | Rec[]>();
  /** [start, oldEnd, newEnd] per edit since the last build, in order. */
  private edits: number[] = [];
  readonly words = new WordAggregate();
  /** Estimated heap bytes of the records. */
  bytes = 0;
  /** Counters of the last build (for tests and benchmarks). */
  last = { chunks: 0, chunkHits: 0, large: 0, largeHits: 0, walkMs: 0, assembleMs: 0 };

  /** `chunkChars`: nodes up to this size are chunks (tests use small ones to cross many borders). */
  constructor(readonly chunkChars = CHUNK_CHARS) {}

  /** A text edit (offsets in the text before it; newEnd after it). */
  noteEdit(start: number, oldEnd: number, newEnd: number): void {
    if (!this.root) return;
    if (this.edits.length >= 3 * MAX_EDITS) this.forget();
    else this.edits.push(start, oldEnd, newEnd);
  }

  /** The record of the last build at [start, end) of today's text with this type, if no edit touched its text. */
  reusable(start: number, end: number, type: number): Rec | undefined {
    if (!this.root) return undefined;
    let s = start;
    let e = end;
    const ed = this.edits;
    for (let i = ed.length - 3; i >= 0; i -= 3) {
      const a = ed[i]!;
      const c = ed[i + 2]!;
      if (e <= a) continue;
      if (s < c) return undefined;
      const shift = c - ed[i + 1]!;
      s -= shift;
      e -= shift;
    }
    const found = this.byStart.get(s);
    if (!found) return undefined;
    if (!Array.isArray(found)) return found.len === e - s && found.type === type ? found : undefined;
    for (const r of found) if (r.len === e - s && r.type === type) return r;
    return undefined;
  }

  /** Adopt a build's records (positions in today's text). */
  adopt(root: Rec, byStart: Map<number, Rec | Rec[]>, bytes: number): void {
    this.root = root;
    this.byStart = byStart;
    this.edits = [];
    this.bytes = bytes;
  }

  forget(): void {
    this.root = undefined;
    this.byStart = new Map();
    this.edits = [];
  }
}

/** More edits than this between two builds: rebuild from scratch. */
const MAX_EDITS = 256;

export function buildCompletionIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, cache: ChunkCache = new ChunkCache()): CompletionIndex | undefined {
  const query = registry.query(grammar, 'completion');
  if (!query) return undefined;
  const text = doc.getText();
  const stats = { chunks: 0, chunkHits: 0, large: 0, largeHits: 0, walkMs: 0, assembleMs: 0 };
  const t0 = performance.now();

  // Walk the nodes no reusable record covers: chunks get facts, large nodes their own facts and children.
  const root: Rec = { len: 0, type: 0, childRel: [], children: [] };
  const cursor = tree.walk();
  try {
    // Explicit stack (nesting can be 100k deep): the open large nodes and their starts.
    const stack: { rec: Rec; start: number }[] = [{ rec: root, start: 0 }];
    let descend = true;
    for (;;) {
      if (descend) {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        const type = cursor.nodeTypeId;
        const parent = stack[stack.length - 1]!;
        let rec = cache.reusable(start, end, type);
        if (rec) {
          if (rec.large) stats.largeHits++;
          else stats.chunkHits++;
        } else if (end - start > cache.chunkChars && stack.length <= MAX_LARGE_DEPTH && cursor.currentNode.childCount > 0) {
          rec = { len: end - start, type, large: largeFacts(query, cursor.currentNode), childRel: [], children: [] };
          stats.large++;
          parent.rec.childRel!.push(start - parent.start);
          parent.rec.children!.push(rec);
          cursor.gotoFirstChild();
          stack.push({ rec, start });
          continue;
        } else {
          rec = { len: end - start, type, chunk: chunkFacts(query, cursor.currentNode, text, start, end) };
          stats.chunks++;
        }
        parent.rec.childRel!.push(start - parent.start);
        parent.rec.children!.push(rec);
      }
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      // Last child done: back to the large node above.
      stack.pop();
      if (stack.length <= 1) break;
      cursor.gotoParent();
      descend = false;
    }
  } finally {
    cursor.delete();
  }
  const top = root.children![0]!;
  // Collect the facts in document order, and index the records by start for the next build.
  const t1 = performance.now();
  const c = new Collector();
  c.visit(top, root.childRel![0]!, false);
  cache.adopt(top, c.byStart, c.bytes);
  cache.last = stats;
  const index = assemble(c, text, cache.words);
  stats.walkMs = t1 - t0;
  stats.assembleMs = performance.now() - t1;
  return index;
}

/** One pass over the records: absolute facts in flat arrays, the scans in use, the records by start. */
class Collector {
  /** One record per start mostly (nested nodes starting together share a list). */
  readonly byStart = new Map<number, Rec | Rec[]>();
  bytes = 0;
  /** [start, end, isClass] */
  scopes: number[] = [];
  /** [kind, offset, end, pattern, parentStart, parentEnd] */
  defs: number[] = [];
  defNames: string[] = [];
  /** [start, end, kind] */
  skip: number[] = [];
  readonly used = new Map<ScanFacts, number>();
  readonly deferred: number[] = [];
  readonly deferredWords: string[] = [];

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
    for (let i = 0; i < q.scopes.length; i += 3) this.scopes.push(base + q.scopes[i]!, base + q.scopes[i + 1]!, q.scopes[i + 2]!);
    for (let i = 0; i < q.skip.length; i += 3) this.skip.push(base + q.skip[i]!, base + q.skip[i + 1]!, q.skip[i + 2]!);
    const d = q.defs;
    for (let i = 0; i < q.defNames.length; i++) {
      this.defNames.push(q.defNames[i]!);
      this.defs.push(d[i * 6]!, base + d[i * 6 + 1]!, base + d[i * 6 + 2]!, d[i * 6 + 3]!, base + d[i * 6 + 4]!, base + d[i * 6 + 5]!);
    }
  }
}

/** Record indexes of a flat array of `width`-number records, in the order `cmp` gives (no sort when already in order). */
function orderOf(flat: number[], width: number, cmp: (a: number, b: number) => number): number[] {
  const n = flat.length / width;
  const order = new Array<number>(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i * width;
    if (i > 0 && sorted && cmp(order[i - 1]!, order[i]!) > 0) sorted = false;
  }
  if (!sorted) order.sort((a, b) => cmp(a, b) || a - b);
  return order;
}

/** [start, end, kind] skip triples in document order, outer before inner (equal ranges keep their order). */
function sortedSkip(skip: number[]): number[] {
  const out: number[] = [];
  for (const i of orderOf(skip, 3, (a, b) => skip[a]! - skip[b]! || skip[b + 1]! - skip[a + 1]!)) out.push(skip[i]!, skip[i + 1]!, skip[i + 2]!);
  return out;
}

/** The SKIP_* code of a @skip.* capture name. */
function skipKind(name: string): number {
  return name === 'skip.comment' ? SKIP_COMMENT : name === 'skip.string' ? SKIP_STRING : SKIP_HOLE;
}

function assemble(c: Collector, text: string, agg: WordAggregate): CompletionIndex {
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
  const sc = c.scopes;
  const scopes: number[] = [];
  const stack: number[] = [];
  let lastStart = -1;
  let lastEnd = -1;
  for (const i of orderOf(sc, 3, (a, b) => sc[a]! - sc[b]! || sc[b + 1]! - sc[a + 1]!)) {
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
  const df = c.defs;
  const out = { defNames: [] as string[], defKinds: [] as number[], defOffsets: [] as number[], defScopes: [] as number[] };
  const nScopes = scopes.length / 4;
  let lastOffset = -1;
  const active: number[] = [];
  let nextScope = 0;
  for (const i of orderOf(df, 6, (a, b) => df[a + 1]! - df[b + 1]! || df[a + 3]! - df[b + 3]!)) {
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
  const skipSorted = sortedSkip(c.skip);

  const words = [...agg.words.keys()];
  const index = {
    v: COMPLETION_INDEX_VERSION,
    words,
    counts: words.map((w) => agg.words.get(w)!),
    scopes,
    ...out,
    skip: skipSorted,
  } as Omit<CompletionIndex, 'members' | 'memberCounts' | 'receivers'> as CompletionIndex;
  // Member tables only when read (completion after an operator, or encoding): most keystrokes never
  // read them. They come from the aggregate as it is now, so reading them after the document's next
  // build is a bug, reported like a lazy index part read after its tree was deleted (cache/entry.ts).
  const generation = agg.generation;
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
  return index;
}

function addPair(pairs: Map<string, Map<string, number>>, recv: string, member: string, n: number): void {
  let per = pairs.get(recv);
  if (!per) pairs.set(recv, (per = new Map()));
  const v = (per.get(member) ?? 0) + n;
  if (v) per.set(member, v);
  else {
    per.delete(member);
    if (!per.size) pairs.delete(recv);
  }
}

function addCount(map: Map<string, number>, key: string, n: number): void {
  const v = (map.get(key) ?? 0) + n;
  if (v) map.set(key, v);
  else map.delete(key);
}

/**
 * Identifier counts and member pairs of a document, kept up to date by the
 * difference between the chunk scans of the last build and this one (a
 * keystroke changes one or two chunks of thousands).
 */
export class WordAggregate {
  readonly words = new Map<string, number>();
  readonly members = new Map<string, number>();
  readonly receivers = new Map<string, Map<string, number>>();
  private used = new Map<ScanFacts, number>();
  /** Bumped by every update (an index built from an older state must not read the maps). */
  generation = 0;

  update(used: Map<ScanFacts, number>): void {
    this.generation++;
    for (const [scan, n] of used) {
      const delta = n - (this.used.get(scan) ?? 0);
      if (delta) this.apply(scan, delta);
    }
    for (const [scan, n] of this.used) if (!used.has(scan)) this.apply(scan, -n);
    this.used = used;
  }

  private apply(scan: ScanFacts, k: number): void {
    for (const [w, n] of scan.words) addCount(this.words, w, n * k);
    for (const [m, n] of scan.members) addCount(this.members, m, n * k);
    for (const [r, per] of scan.receivers) for (const [m, n] of per) addPair(this.receivers, r, m, n * k);
  }
}

function queryFacts(query: Query, node: Node, base: number, end: number, rootedOnly: boolean): { q: QueryFacts; self: number } {
  const q: QueryFacts = { scopes: [], skip: [], defNames: [], defs: [] };
  let self = -1;
  const captures = boundedCaptures(query, node, rootedOnly ? { maxStartDepth: 0 } : {});
  for (const c of captures) {
    const name = c.name;
    const n = c.node;
    const s = n.startIndex - base;
    const e = n.endIndex - base;
    if (name === 'scope' || name === 'scope.class') {
      q.scopes.push(s, e, name === 'scope.class' ? 1 : 0);
    } else if (name.startsWith('definition.')) {
      const kind = DEF_KINDS.indexOf(name.slice(11) as DefKind);
      const parent = n.parent;
      const inside = parent !== null && parent.startIndex >= base && parent.endIndex <= end;
      q.defNames.push(n.text);
      q.defs.push(kind < 0 ? 0 : kind, s, e, c.patternIndex, inside ? parent.startIndex - base : NaN, inside ? parent.endIndex - base : NaN);
    } else if (name.startsWith('skip.')) {
      const k = skipKind(name);
      q.skip.push(s, e, k);
      if (s === 0 && e === end - base && (self === -1 || k === SKIP_HOLE)) self = k;
    }
  }
  q.skip = sortedSkip(q.skip);
  return { q, self };
}

function chunkFacts(query: Query, node: Node, text: string, start: number, end: number): ChunkFacts {
  const { q, self } = queryFacts(query, node, start, end, false);
  const local = text.slice(start, end);
  const code = scan(local, codeSpans(local.length, q.skip));
  const holes = q.skip.some((_, i) => i % 3 === 2 && q.skip[i] === SKIP_HOLE) ? scan(local, codeSpans(local.length, [0, local.length, SKIP_STRING, ...q.skip])) : EMPTY_SCAN;
  return { q, code, holes, self, bytes: 200 + queryBytes(q) + scanBytes(code) + (holes === EMPTY_SCAN ? 0 : scanBytes(holes)) };
}

function largeFacts(query: Query, node: Node): LargeFacts {
  const { q, self } = queryFacts(query, node, node.startIndex, node.endIndex, true);
  return { q, self, bytes: 200 + queryBytes(q) };
}

/** Heap estimates (V8: ~16 bytes per array number, ~80 per Map entry, strings shared with the text's words). */
function queryBytes(q: QueryFacts): number {
  return (q.scopes.length + q.skip.length + q.defs.length) * 16 + q.defNames.length * 40;
}

function scanBytes(f: ScanFacts): number {
  let n = 3 * 64 + (f.words.size + f.members.size) * 80 + f.deferred.length * 64;
  for (const per of f.receivers.values()) n += 120 + per.size * 80;
  return n;
}

const SCAN_WORDS = new RegExp(wordRegex().global.source, 'gu');
const EMPTY_SCAN: ScanFacts = { words: new Map(), members: new Map(), receivers: new Map(), deferred: [] };

/** Identifiers and member pairs in `spans` of a chunk's text (offsets into it). */
function scan(local: string, spans: number[]): ScanFacts {
  const out: ScanFacts = { words: new Map(), members: new Map(), receivers: new Map(), deferred: [] };
  const global = SCAN_WORDS;
  const charRe = wordRegex().char;
  for (let r = 0; r < spans.length; r += 2) {
    const from = spans[r]!;
    const to = spans[r + 1]!;
    global.lastIndex = from;
    for (let m = global.exec(local); m && m.index < to; m = global.exec(local)) {
      let w = m[0];
      if (m.index + w.length > to) w = w.slice(0, to - m.index);
      if (isDigitStart(w)) continue;
      out.words.set(w, (out.words.get(w) ?? 0) + 1);
      // The operator must lie wholly inside the chunk, and the receiver must start after its first character.
      let i = m.index;
      while (i > 0 && (local.charCodeAt(i - 1) === 32 || local.charCodeAt(i - 1) === 9)) i--;
      if (i < MAX_OP) {
        out.deferred.push([m.index, w]);
        continue;
      }
      const op = memberOperatorBefore(local, m.index, INDEX_MEMBER_OPERATORS);
      if (!op) continue;
      let j = op.start;
      while (j > 0 && /\s/.test(local[j - 1]!)) j--;
      while (j > 0 && charRe.test(local[j - 1]!)) j--;
      if (j === 0) {
        out.deferred.push([m.index, w]);
        continue;
      }
      out.members.set(w, (out.members.get(w) ?? 0) + 1);
      const recv = wordBefore(local, op.start, charRe);
      if (recv) {
        let per = out.receivers.get(recv);
        if (!per) out.receivers.set(recv, (per = new Map()));
        per.set(w, (per.get(w) ?? 0) + 1);
      }
    }
  }
  return out;
}

const skipQueries = new WeakMap<object, Query | null>();

/** completion.scm with only its @skip.* patterns enabled (a second compiled copy, cached per grammar). */
function skipQuery(grammar: LoadedGrammar, registry: GrammarRegistry): Query | undefined {
  let q = skipQueries.get(grammar.language);
  if (q === undefined) {
    const source = registry.querySource(grammar.spec.id, 'completion');
    q = null;
    if (source !== undefined) {
      try {
        q = new Query(grammar.language, source);
        const skipIds = q.captureNames.flatMap((name, id) => (name.startsWith('skip.') ? [id] : []));
        for (let p = 0; p < q.patternCount(); p++) if (!skipIds.some((id) => q!.captureQuantifiers[p]?.[id])) q.disablePattern(p);
      } catch {
        q = null; // the full query failed to compile too, and said so
      }
    }
    skipQueries.set(grammar.language, q);
  }
  return q ?? undefined;
}

/**
 * What a workspace file contributes to completion (workspace/index.ts): its
 * identifier and member counts, without scopes and definitions (those serve
 * only the open document). One bounded run of the comment/string patterns and
 * one scan of the text: about a third of the full build (background indexing).
 */
export function buildWorkspaceCompletion(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry): CompletionIndex | undefined {
  const query = skipQuery(grammar, registry);
  if (!query) return undefined;
  const text = doc.getText();
  const skip: number[] = [];
  for (const c of boundedCaptures(query, tree.rootNode)) {
    if (!c.name.startsWith('skip.')) continue;
    skip.push(c.node.startIndex, c.node.endIndex, skipKind(c.name));
  }
  const facts = scan(text, codeSpans(text.length, sortedSkip(skip)));
  // Words near the start of the text (the scan defers them): resolve as assembly does.
  for (const [at, w] of facts.deferred) {
    const op = memberOperatorBefore(text, at, INDEX_MEMBER_OPERATORS);
    if (!op) continue;
    addCount(facts.members, w, 1);
    const recv = wordBefore(text, op.start, wordRegex().char);
    if (recv) addPair(facts.receivers, recv, w, 1);
  }
  const words = [...facts.words.keys()];
  const members = [...facts.members.keys()];
  const memberIndex = new Map(members.map((m, i) => [m, i]));
  const receivers: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
  for (const [r, per] of facts.receivers) receivers[r] = [...per].flatMap(([m, n]) => [memberIndex.get(m)!, n]);
  return {
    v: COMPLETION_INDEX_VERSION,
    words,
    counts: words.map((w) => facts.words.get(w)!),
    members,
    memberCounts: members.map((m) => facts.members.get(m)!),
    receivers,
    scopes: [],
    defNames: [],
    defKinds: [],
    defOffsets: [],
    defScopes: [],
    skip: [],
  };
}
