// The workspace symbol index: every indexed file's symbols, flattened, for
// workspace/symbol. Kept in memory (it is what a search scans); the syntax
// data of the files themselves lives in the frozen tier.
import { SymbolKind, type DocumentSymbol, type Range, type WorkspaceSymbol } from 'vscode-languageserver';
import { fuzzyMatch, MatchKind, type Match } from '../features/fuzzy.js';
import type { CompletionIndex } from '../features/completionIndex.js';
import { isPacked, packSymbols, type PackedSymbols } from '../features/symbolPack.js';

/** What a file contributes to completion: its identifier and member counts (features/completionIndex.ts). */
interface CompletionContribution {
  words: string[];
  counts: number[];
  members: string[];
  memberCounts: number[];
  receivers: Record<string, number[]>;
}

/** Workspace-wide totals of one identifier or member name. */
export interface NameStats {
  /** Occurrences in all indexed files. */
  count: number;
  /** Files it occurs in. */
  files: number;
}

/** Key of the list of every member name in WorkspaceIndex's sorted buckets. */
const ALL = Symbol('all members');

/** Most files first, then shorter names, then by name (the order completion ranks equal scores in). */
function byFiles(a: readonly [string, NameStats], b: readonly [string, NameStats]): number {
  return b[1].files - a[1].files || a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** Bucket keys of ASCII first characters, lower-cased once. */
const ASCII_KEYS = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i).toLowerCase());

function firstKey(name: string): string {
  const c = name.charCodeAt(0);
  return c < 128 ? ASCII_KEYS[c]! : name.charAt(0).toLowerCase();
}

/** One symbol of the index. The position is kept as numbers: the Range object is made only for a result. */
class Entry {
  constructor(
    readonly name: string,
    readonly kind: SymbolKind,
    readonly container: string | undefined,
    readonly uri: string,
    /** The selectionRange: start line, character, end line, character. */
    readonly line: number,
    readonly character: number,
    private readonly endLine: number,
    private readonly endCharacter: number,
    /** Folder depth of the file (shallower files rank first). */
    readonly depth: number,
  ) {}

  get range(): Range {
    return { start: { line: this.line, character: this.character }, end: { line: this.endLine, character: this.endCharacter } };
  }
}

/** Kinds that name things people search for rank above locals and fields. */
function kindRank(kind: SymbolKind): number {
  switch (kind) {
    case SymbolKind.Class:
    case SymbolKind.Interface:
    case SymbolKind.Struct:
    case SymbolKind.Enum:
    case SymbolKind.Module:
    case SymbolKind.Namespace:
    case SymbolKind.TypeParameter:
      return 0;
    case SymbolKind.Function:
    case SymbolKind.Method:
    case SymbolKind.Constructor:
      return 1;
    case SymbolKind.Constant:
    case SymbolKind.Variable:
      return 2;
    default:
      return 3;
  }
}

export class WorkspaceIndex {
  private readonly files = new Map<string, Entry[]>();
  private symbols = 0;
  private nameChars = 0;
  // Completion tables: identifier and member frequencies, bucketed by lower-cased first character.
  private readonly contributions = new Map<string, CompletionContribution>();
  private readonly wordStats = new Map<string, Map<string, NameStats>>();
  private readonly memberStats = new Map<string, Map<string, NameStats>>();
  private readonly receiverStats = new Map<string, Map<string, number>>();
  /** Symbols by name, with the name in lower case (workspace/symbol filters on it without fuzzy-matching every name). */
  private readonly symbolsByName = new Map<string, { lower: string; entries: Entry[] }>();
  private completionChars = 0;
  /** Buckets sorted by files (most first), kept until the bucket changes (key ALL: every member). */
  private readonly sortedBuckets = new Map<Map<string, NameStats> | typeof ALL, (readonly [string, NameStats])[]>();

  get fileCount(): number {
    return this.files.size;
  }

  get symbolCount(): number {
    return this.symbols;
  }

  /** Rough JS-heap bytes of the index (names + entry objects). */
  get bytes(): number {
    return this.nameChars * 2 + this.symbols * 160 + this.completionChars * 2 + this.contributions.size * 200;
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  /** A file's symbols (packed, as stored and sent by workers, or the LSP tree) and, when its language has them, its completion facts (identifier and member counts). */
  set(uri: string, symbols: readonly DocumentSymbol[] | PackedSymbols, completion?: CompletionIndex): void {
    this.delete(uri);
    const p = isPacked(symbols) ? symbols : packSymbols(symbols);
    const depth = uri.split('/').length;
    const out: Entry[] = [];
    const r = p.ranges;
    for (let i = 0; i < p.names.length; i++) {
      const name = p.names[i]!;
      const parent = p.parents[i]!;
      const o = i * 8 + 4;
      const e = new Entry(name, p.kinds[i] as SymbolKind, parent >= 0 ? p.names[parent] : undefined, uri, r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!, depth);
      out.push(e);
      this.nameChars += name.length;
      const named = this.symbolsByName.get(name);
      if (named) named.entries.push(e);
      else this.symbolsByName.set(name, { lower: name.toLowerCase(), entries: [e] });
    }
    this.symbols += out.length;
    this.files.set(uri, out);
    if (completion) this.addContribution(uri, completion);
  }

  private addContribution(uri: string, c: CompletionIndex): void {
    const kept: CompletionContribution = { words: c.words, counts: c.counts, members: c.members, memberCounts: c.memberCounts, receivers: c.receivers };
    this.contributions.set(uri, kept);
    this.apply(kept, 1);
  }

  private apply(c: CompletionContribution, sign: 1 | -1): void {
    // Buckets touched, to drop their sorted lists once (not once per name).
    const touched = new Set<Map<string, NameStats>>();
    const bump = (table: Map<string, Map<string, NameStats>>, name: string, n: number) => {
      const key = firstKey(name);
      let bucket = table.get(key);
      if (!bucket) table.set(key, (bucket = new Map()));
      touched.add(bucket);
      const st = bucket.get(name);
      if (st) {
        st.count += sign * n;
        st.files += sign;
        if (st.files <= 0) {
          bucket.delete(name);
          this.completionChars -= name.length;
        }
      } else if (sign > 0) {
        bucket.set(name, { count: n, files: 1 });
        this.completionChars += name.length;
      }
    };
    for (let i = 0; i < c.words.length; i++) bump(this.wordStats, c.words[i]!, c.counts[i]!);
    for (let i = 0; i < c.members.length; i++) bump(this.memberStats, c.members[i]!, c.memberCounts[i]!);
    for (const bucket of touched) this.sortedBuckets.delete(bucket);
    if (c.members.length) this.sortedBuckets.delete(ALL);
    for (const recv of Object.keys(c.receivers)) {
      const pairs = c.receivers[recv]!;
      let per = this.receiverStats.get(recv);
      if (!per) {
        if (sign < 0) continue;
        this.receiverStats.set(recv, (per = new Map()));
      }
      for (let i = 0; i < pairs.length; i += 2) {
        const m = c.members[pairs[i]!]!;
        const n = (per.get(m) ?? 0) + sign * pairs[i + 1]!;
        if (n > 0) per.set(m, n);
        else per.delete(m);
      }
      if (per.size === 0) this.receiverStats.delete(recv);
    }
  }

  /** Identifiers of the workspace whose first character is `first` (either case), with their totals. */
  wordsStartingWith(first: string): ReadonlyMap<string, NameStats> | undefined {
    return this.wordStats.get(first.toLowerCase());
  }

  /** Member names (seen after a member operator) whose first character is `first` (either case). */
  membersStartingWith(first: string): ReadonlyMap<string, NameStats> | undefined {
    return this.memberStats.get(first.toLowerCase());
  }

  /** The totals of one member name (any bucket). */
  memberStatsOf(name: string): NameStats | undefined {
    return this.memberStats.get(firstKey(name))?.get(name);
  }

  /**
   * wordsStartingWith(first) as a list, most files first (then shorter, then
   * by name): completion takes the best names without scanning a bucket of
   * thousands. Sorted once per change of the bucket.
   */
  wordsByFiles(first: string): readonly (readonly [string, NameStats])[] {
    return this.sortedOf(this.wordStats.get(firstKey(first)));
  }

  /** Member names of the bucket of `first` (every member when undefined), most files first. */
  membersByFiles(first?: string): readonly (readonly [string, NameStats])[] {
    if (first !== undefined) return this.sortedOf(this.memberStats.get(firstKey(first)));
    let list = this.sortedBuckets.get(ALL);
    if (!list) {
      list = [];
      for (const bucket of this.memberStats.values()) list.push(...this.sortedOf(bucket));
      list.sort(byFiles);
      this.sortedBuckets.set(ALL, list);
    }
    return list;
  }

  /**
   * Sort every bucket ahead of the first completion that needs it, one bucket
   * per event-loop turn (a request that arrives meanwhile goes first). Called
   * when indexing ends.
   */
  prepareCompletion(): void {
    const buckets = [...this.wordStats.values(), ...this.memberStats.values()];
    const next = (): void => {
      const bucket = buckets.shift();
      if (!bucket) {
        this.membersByFiles();
        return;
      }
      this.sortedOf(bucket);
      setImmediate(next);
    };
    setImmediate(next);
  }

  private sortedOf(bucket: Map<string, NameStats> | undefined): readonly (readonly [string, NameStats])[] {
    if (!bucket) return [];
    let list = this.sortedBuckets.get(bucket);
    if (!list) {
      list = [...bucket].sort(byFiles);
      this.sortedBuckets.set(bucket, list);
    }
    return list;
  }

  /** Members seen after this receiver name in the workspace, with counts. */
  membersOf(receiver: string): ReadonlyMap<string, number> | undefined {
    return this.receiverStats.get(receiver);
  }

  /** Symbols of the workspace with this exact name (declaration sites). */
  symbolsNamed(name: string): readonly { kind: SymbolKind; container: string | undefined; uri: string; range: Range }[] {
    return this.symbolsByName.get(name)?.entries ?? [];
  }

  delete(uri: string): void {
    const old = this.files.get(uri);
    if (!old) return;
    this.symbols -= old.length;
    for (const e of old) {
      this.nameChars -= e.name.length;
      const list = this.symbolsByName.get(e.name)?.entries;
      if (list) {
        const i = list.indexOf(e);
        if (i >= 0) list.splice(i, 1);
        if (!list.length) this.symbolsByName.delete(e.name);
      }
    }
    this.files.delete(uri);
    const c = this.contributions.get(uri);
    if (c) {
      this.contributions.delete(uri);
      this.apply(c, -1);
    }
  }

  /** Drop every file whose URI `drop` selects (a workspace folder removed). */
  deleteWhere(drop: (uri: string) => boolean): number {
    let n = 0;
    for (const uri of [...this.files.keys()]) {
      if (drop(uri)) {
        this.delete(uri);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.files.clear();
    this.symbols = 0;
    this.nameChars = 0;
    this.contributions.clear();
    this.wordStats.clear();
    this.memberStats.clear();
    this.sortedBuckets.clear();
    this.receiverStats.clear();
    this.symbolsByName.clear();
    this.completionChars = 0;
  }

  /**
   * Ranked: exact > prefix > word-start > subsequence; then kind, match score
   * (name length), path depth, name, URI, position (a total order: the same
   * results whatever the order of files and symbols in the index). Only the
   * best `limit` are kept while scanning (a bounded heap, not a sort of every
   * match), and when the names starting with the query fill them, the other
   * names are not fuzzy-matched at all: a one-letter query on a large index
   * costs a scan, not a sort of half of it.
   */
  search(query: string, limit: number, isCancelled: () => boolean = () => false): WorkspaceSymbol[] {
    const q = query.trim();
    const qLower = q.toLowerCase();
    const best = new BestOf(Math.max(0, limit));
    // Two passes: first the names that start with the query, ignoring case (a
    // prefix or exact match needs that); when those fill the cap with prefix or
    // exact matches, no other name can rank among them and the second pass
    // (every other name, fuzzy-matched) is skipped.
    for (const prefixPass of [true, false]) {
      if (!prefixPass && best.onlyPrefixes) break;
      let scanned = 0;
      // One match per distinct name (many symbols share a name: __init__, get, run).
      for (const [name, { lower, entries }] of this.symbolsByName) {
        if (++scanned === 20_000) {
          scanned = 0;
          if (isCancelled()) return [];
        }
        if (lower.startsWith(qLower) !== prefixPass) continue;
        // Cheap filter (native searches): every match is at least a subsequence ignoring case.
        if (!prefixPass && !isSubsequence(lower, qLower)) continue;
        const m = fuzzyMatch(q, name);
        if (m) for (const e of entries) best.offer({ e, m });
      }
    }
    return best.sorted().map(({ e }) => ({
      name: e.name,
      kind: e.kind,
      location: { uri: e.uri, range: e.range },
      ...(e.container ? { containerName: e.container } : {}),
    }));
  }
}

interface Found {
  e: Entry;
  m: Match;
}

/** Negative when `a` ranks before `b`. */
function compareFound(a: Found, b: Found): number {
  return (
    a.m.kind - b.m.kind ||
    kindRank(a.e.kind) - kindRank(b.e.kind) ||
    a.m.score - b.m.score ||
    a.e.depth - b.e.depth ||
    (a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : 0) ||
    (a.e.uri < b.e.uri ? -1 : a.e.uri > b.e.uri ? 1 : 0) ||
    a.e.line - b.e.line ||
    a.e.character - b.e.character
  );
}

/** Whether the characters of `query` occur in `text` in order. */
function isSubsequence(text: string, query: string): boolean {
  let at = 0;
  for (let i = 0; i < query.length; i++) {
    at = text.indexOf(query[i]!, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/** The best `capacity` results seen so far: a binary heap with the worst kept result on top. */
class BestOf {
  private readonly heap: Found[] = [];

  constructor(private readonly capacity: number) {}

  /** Full, and the worst kept result is a prefix (or exact) match: only prefix matches can still get in. */
  get onlyPrefixes(): boolean {
    return this.heap.length === this.capacity && this.capacity > 0 && this.heap[0]!.m.kind <= MatchKind.Prefix;
  }

  offer(f: Found): void {
    const h = this.heap;
    if (h.length < this.capacity) {
      h.push(f);
      let i = h.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (compareFound(h[i]!, h[parent]!) <= 0) break;
        [h[i], h[parent]] = [h[parent]!, h[i]!];
        i = parent;
      }
      return;
    }
    if (this.capacity === 0 || compareFound(f, h[0]!) >= 0) return;
    h[0] = f;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && compareFound(h[l]!, h[worst]!) > 0) worst = l;
      if (r < h.length && compareFound(h[r]!, h[worst]!) > 0) worst = r;
      if (worst === i) break;
      [h[i], h[worst]] = [h[worst]!, h[i]!];
      i = worst;
    }
  }

  sorted(): Found[] {
    return this.heap.slice().sort(compareFound);
  }
}
