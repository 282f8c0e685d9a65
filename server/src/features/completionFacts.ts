// The facts of one syntax node for completion (features/completionBuild.ts
// assembles a document's from them): its query captures (scopes, definitions,
// comment/string ranges) relative to its start, and the identifiers and
// member pairs of its text, scanned as code and as the inside of a string.
// Also the cheap facts of a workspace file (identifier counts only).
import { Query, type Node, type Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { boundedCaptures } from '../syntax/queries.js';
import {
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

const MAX_OP = Math.max(...INDEX_MEMBER_OPERATORS.map((o) => o.length));

/** Query facts of one node, offsets relative to its start. */
export interface QueryFacts {
  /** [start, end, isClass] per scope capture. */
  scopes: number[];
  /** [start, end, kind] per skip capture, outer before inner. */
  skip: number[];
  defNames: string[];
  /** [kind, offset, end, pattern, parentStart, parentEnd] per definition (parent NaN: outside the node). */
  defs: number[];
}

/** Identifiers and member pairs of a chunk's code spans. */
export interface ScanFacts {
  words: Map<string, number>;
  members: Map<string, number>;
  /** receiver -> member -> count */
  receivers: Map<string, Map<string, number>>;
  /** Words whose member operator or receiver may lie before the chunk: [relative offset, word]. */
  deferred: [number, string][];
}

export interface ChunkFacts {
  q: QueryFacts;
  /** The chunk scanned as code (outside comments/strings). */
  code: ScanFacts;
  /** The chunk inside a string or comment: only its holes are code. */
  holes: ScanFacts;
  /** Self-captured as a string/comment (SKIP_*), or -1. */
  self: number;
  bytes: number;
}

export interface LargeFacts {
  q: QueryFacts;
  self: number;
  bytes: number;
}

/** Record indexes of a flat array of `width`-number records, in the order `cmp` gives (no sort when already in order). */
export function orderOf(flat: ArrayLike<number>, width: number, cmp: (a: number, b: number) => number, length = flat.length): number[] {
  const n = length / width;
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
export function sortedSkip(skip: ArrayLike<number>, length = skip.length): number[] {
  const out = new Array<number>(length);
  let at = 0;
  for (const i of orderOf(skip, 3, (a, b) => skip[a]! - skip[b]! || skip[b + 1]! - skip[a + 1]!, length)) {
    out[at++] = skip[i]!;
    out[at++] = skip[i + 1]!;
    out[at++] = skip[i + 2]!;
  }
  return out;
}

/** The SKIP_* code of a @skip.* capture name. */
export function skipKind(name: string): number {
  return name === 'skip.comment' ? SKIP_COMMENT : name === 'skip.string' ? SKIP_STRING : SKIP_HOLE;
}

export function addPair(pairs: Map<string, Map<string, number>>, recv: string, member: string, n: number): void {
  let per = pairs.get(recv);
  if (!per) pairs.set(recv, (per = new Map()));
  const v = (per.get(member) ?? 0) + n;
  if (v) per.set(member, v);
  else {
    per.delete(member);
    if (!per.size) pairs.delete(recv);
  }
}

export function addCount(map: Map<string, number>, key: string, n: number): void {
  const v = (map.get(key) ?? 0) + n;
  if (v) map.set(key, v);
  else map.delete(key);
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

export function chunkFacts(query: Query, node: Node, text: string, start: number, end: number): ChunkFacts {
  const { q, self } = queryFacts(query, node, start, end, false);
  const local = text.slice(start, end);
  const code = scan(local, codeSpans(local.length, q.skip));
  const holes = q.skip.some((_, i) => i % 3 === 2 && q.skip[i] === SKIP_HOLE) ? scan(local, codeSpans(local.length, [0, local.length, SKIP_STRING, ...q.skip])) : EMPTY_SCAN;
  return { q, code, holes, self, bytes: 200 + queryBytes(q) + scanBytes(code) + (holes === EMPTY_SCAN ? 0 : scanBytes(holes)) };
}

export function largeFacts(query: Query, node: Node): LargeFacts {
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
export const EMPTY_SCAN: ScanFacts = { words: new Map(), members: new Map(), receivers: new Map(), deferred: [] };

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
