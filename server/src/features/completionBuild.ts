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
// The facts of one node are computed in features/completionFacts.ts; the
// records are turned into the index in features/completionAssemble.ts.
import type { Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import type { CompletionIndex } from './completionIndex.js';
import { addCount, addPair, chunkFacts, largeFacts, type ChunkFacts, type LargeFacts, type ScanFacts } from './completionFacts.js';
import { assemble, Collector } from './completionAssemble.js';

/** Nodes up to this many characters are chunks. */
export const CHUNK_CHARS = 4096;
/** Below this many nested large nodes everything is a chunk (bounds the walk on pathological nesting). */
const MAX_LARGE_DEPTH = 64;

/**
 * A node of the last build: a chunk (its facts) or a large node (its own
 * facts and children). Position-free: a parent holds its children's offsets,
 * so a record moves with its text.
 */
export interface Rec {
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
  /** The index the records were last assembled into (what a deferred build leaves in use). */
  private lastIndex: CompletionIndex | undefined;
  /** The last budgeted build gave up (its work is left for a quiet moment); builds given up so far. */
  deferred = false;
  deferrals = 0;

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

  /** Adopt a build's records (positions in today's text) and the index assembled from them. */
  adopt(root: Rec, byStart: Map<number, Rec | Rec[]>, bytes: number, index: CompletionIndex): void {
    this.root = root;
    this.byStart = byStart;
    this.edits = [];
    this.bytes = bytes;
    this.lastIndex = index;
    this.deferred = false;
  }

  forget(): void {
    this.root = undefined;
    this.byStart = new Map();
    this.edits = [];
    this.lastIndex = undefined;
  }

  /**
   * The last assembled index with its offsets mapped to today's text through
   * the edits since (undefined when there is none to map): what completion
   * reads while a build is deferred.
   */
  stale(): StaleFacts | undefined {
    if (!this.root || !this.lastIndex) return undefined;
    const ed = this.edits.slice();
    return {
      index: this.lastIndex,
      // Today's offset -> the index's: undo the edits, last first; inside an edit, its start.
      toIndex: (offset) => {
        let x = offset;
        for (let i = ed.length - 3; i >= 0; i -= 3) {
          const a = ed[i]!;
          const newEnd = ed[i + 2]!;
          if (x >= newEnd) x -= newEnd - ed[i + 1]!;
          else if (x > a) x = a;
        }
        return x;
      },
      // The index's offset -> today's: apply the edits in order; inside a replaced range, its start.
      toText: (offset) => {
        let x = offset;
        for (let i = 0; i < ed.length; i += 3) {
          const a = ed[i]!;
          const oldEnd = ed[i + 1]!;
          if (x >= oldEnd) x += ed[i + 2]! - oldEnd;
          else if (x > a) x = a;
        }
        return x;
      },
    };
  }
}

/**
 * An older build's facts in use while the current one is deferred: offsets in
 * the index are the text's as it was then, mapped both ways through the edits.
 */
export interface StaleFacts {
  index: CompletionIndex;
  toIndex(offset: number): number;
  toText(offset: number): number;
}

/** More edits than this between two builds: rebuild from scratch. */
const MAX_EDITS = 256;

/** What buildCompletionIndex returns when its budget ran out (nothing adopted, the records stay). */
export const DEFERRED = Symbol('completion build deferred');

/**
 * `budget`: give up (DEFERRED) once more than this many nodes needed new
 * facts. A keystroke computes one chunk and its few large ancestors; an edit
 * that throws the tree's structure into error recovery (an unclosed `(` in
 * Python turns the rest of the module into an ERROR node) changes every node
 * after it, and recomputing them all took 10-25 ms per keystroke in 5,000
 * lines. Completion then reads the last build's facts (ChunkCache.stale()),
 * which still have the structure the user is in the middle of editing, and
 * the server builds once the connection is quiet; when the error heals (the
 * `)` typed), the records match again and the next build is one chunk.
 */
export function buildCompletionIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, cache?: ChunkCache): CompletionIndex | undefined;
export function buildCompletionIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, cache: ChunkCache, budget: number): CompletionIndex | undefined | typeof DEFERRED;
export function buildCompletionIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, cache: ChunkCache = new ChunkCache(), budget = Infinity): CompletionIndex | undefined | typeof DEFERRED {
  const query = registry.query(grammar, 'completion');
  if (!query) return undefined;
  const text = doc.getText();
  const stats = { chunks: 0, chunkHits: 0, large: 0, largeHits: 0, walkMs: 0, assembleMs: 0 };
  const t0 = performance.now();
  let gaveUp = false;
  // Still in the state that deferred the last attempt (typing inside an unclosed bracket): count the
  // misses first, without computing facts that would be thrown away.
  if (cache.deferred && budget < Infinity && missesOver(tree, cache, budget)) {
    cache.deferrals++;
    return DEFERRED;
  }

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
        if (!rec && stats.chunks + stats.large >= budget) {
          gaveUp = true;
          break;
        }
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
  if (gaveUp) {
    cache.deferred = true;
    cache.deferrals++;
    return DEFERRED;
  }
  const top = root.children![0]!;
  // Collect the facts in document order, and index the records by start for the next build.
  const t1 = performance.now();
  const c = new Collector();
  c.visit(top, root.childRel![0]!, false);
  const index = assemble(c, text, cache.words);
  cache.adopt(top, c.byStart, c.bytes, index);
  cache.last = stats;
  stats.walkMs = t1 - t0;
  stats.assembleMs = performance.now() - t1;
  return index;
}

/** Whether a build would compute facts for more than `budget` nodes (the build's walk, reading nothing but the records). */
function missesOver(tree: Tree, cache: ChunkCache, budget: number): boolean {
  let misses = 0;
  let depth = 1;
  const cursor = tree.walk();
  try {
    let descend = true;
    for (;;) {
      if (descend) {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        if (!cache.reusable(start, end, cursor.nodeTypeId)) {
          if (++misses > budget) return true;
          if (end - start > cache.chunkChars && depth <= MAX_LARGE_DEPTH && cursor.gotoFirstChild()) {
            depth++;
            continue;
          }
        }
      }
      if (cursor.gotoNextSibling()) {
        descend = true;
        continue;
      }
      if (--depth <= 0 || !cursor.gotoParent()) return false;
      descend = false;
    }
  } finally {
    cursor.delete();
  }
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
