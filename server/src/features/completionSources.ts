// The candidate sources of completion (features/completion.ts merges and
// ranks them): names bound in the scopes around the cursor, members after an
// operator, and the workspace's frequency lists; the candidate record and the
// ranking weights they share.
import { CompletionItemKind, SymbolKind } from 'vscode-languageserver';
import type { Snapshot } from '../cache/tiers.js';
import type { WorkspaceIndex, NameStats } from '../workspace/index.js';
import type { MatchKind } from './fuzzy.js';
import {
  countsView,
  DEF_KINDS,
  MEMBER_KINDS,
  wordBefore,
  wordRegex,
  type CompletionIndex,
  type CompletionSpec,
} from './completionIndex.js';

/** What resolve needs: where the name is defined. */
export interface ItemData {
  uri: string;
  /** UTF-16 offset of the name (document definitions). */
  offset?: number;
  /** Line of the name (workspace symbols). */
  line?: number;
  languageId: string;
}

export interface Candidate {
  name: string;
  kind: CompletionItemKind;
  detail: string | undefined;
  /** 0: same receiver / enclosing scope group for members; 1: the rest. */
  group: number;
  score: number;
  data: ItemData | undefined;
  /** Filled when matched. */
  match?: MatchKind;
  docCount?: number;
  scopeBonus?: number;
  /** A workspace identifier: kind, detail and data come from its symbols once it makes the list. */
  wsWord?: boolean;
}

const DEF_ITEM_KIND: Record<string, CompletionItemKind> = {
  variable: CompletionItemKind.Variable,
  function: CompletionItemKind.Function,
  method: CompletionItemKind.Method,
  class: CompletionItemKind.Class,
  interface: CompletionItemKind.Interface,
  type: CompletionItemKind.Struct,
  enum: CompletionItemKind.Enum,
  module: CompletionItemKind.Module,
  parameter: CompletionItemKind.Variable,
  field: CompletionItemKind.Field,
  constant: CompletionItemKind.Constant,
  type_parameter: CompletionItemKind.TypeParameter,
};

function symbolItemKind(kind: SymbolKind): CompletionItemKind {
  switch (kind) {
    case SymbolKind.Class: return CompletionItemKind.Class;
    case SymbolKind.Interface: return CompletionItemKind.Interface;
    case SymbolKind.Struct: return CompletionItemKind.Struct;
    case SymbolKind.Enum: return CompletionItemKind.Enum;
    case SymbolKind.EnumMember: return CompletionItemKind.EnumMember;
    case SymbolKind.Function: return CompletionItemKind.Function;
    case SymbolKind.Method: return CompletionItemKind.Method;
    case SymbolKind.Constructor: return CompletionItemKind.Constructor;
    case SymbolKind.Field: return CompletionItemKind.Field;
    case SymbolKind.Property: return CompletionItemKind.Property;
    case SymbolKind.Constant: return CompletionItemKind.Constant;
    case SymbolKind.Module:
    case SymbolKind.Namespace:
    case SymbolKind.Package: return CompletionItemKind.Module;
    case SymbolKind.TypeParameter: return CompletionItemKind.TypeParameter;
    default: return CompletionItemKind.Variable;
  }
}

function baseName(uri: string): string {
  const i = uri.lastIndexOf('/');
  return decodeURIComponent(i >= 0 ? uri.slice(i + 1) : uri);
}

// Ranking weights (tuned on test/bench/completion.ts; see README).
export const W = {
  scopeInner: 4, // defined in the innermost enclosing scope (minus SCOPE_STEP per scope outwards)
  scopeStep: 0.5,
  scopeFile: 1.5, // defined at file level
  docCount: 0.9, // x log2(1 + occurrences in the document)
  near: 5, // x 1 / (1 + lines / NEAR_LINES) for the nearest occurrence within the window
  nearLines: 6,
  wsFiles: 0.55, // x log2(1 + files of the workspace using it)
  keyword: 1.5,
  caseExact: 0.3, // the typed prefix matches with its exact case
  recvDoc: 1.5, // x log2(1 + times seen after the same receiver in the document)
  recvWs: 0.8,
  memberDoc: 0.8,
  memberWs: 0.4,
};

/**
 * A workspace frequency source (identifiers, or member names): adds its score
 * to the candidates that already have the name and to nearby words, then adds
 * the best other names. With at most one character typed every name of the
 * list matches alike and scores only by its file count, so the walk goes in
 * descending score and stops once `limit` names taken outrank (beyond the
 * exact-case bonus) every name still to come: the top of the list is what a
 * walk over all of them gives. Returns true when it stopped early.
 */
export function workspaceSource(o: {
  sorted: readonly (readonly [string, NameStats])[];
  /** The totals of a name in this source (undefined when not in it). */
  statsOf: (name: string) => NameStats | undefined;
  weight: number;
  kind: CompletionItemKind;
  exclude: (name: string) => boolean;
  onAdd?: (c: Candidate) => void;
  prefix: string;
  limit: number;
  candidates: Map<string, Candidate>;
  near: Map<string, number>;
  get: (name: string, kind: CompletionItemKind, group?: number) => Candidate;
  matches: (name: string) => boolean;
}): boolean {
  const add = (c: Candidate, st: NameStats): void => {
    c.score += o.weight * Math.log2(1 + st.files);
    o.onAdd?.(c);
  };
  // (add() changes candidates, never the map: iterating it while adding is safe.)
  for (const c of o.candidates.values()) {
    if (o.exclude(c.name)) continue;
    const st = o.statsOf(c.name);
    if (st) add(c, st);
  }
  // From here a name that is a candidate has had its workspace score.
  const seen = o.candidates;
  // Nearby words get a proximity bonus the file count does not show: always considered.
  for (const w of o.near.keys()) {
    if (seen.has(w) || o.exclude(w)) continue;
    const st = o.statsOf(w);
    if (!st || !o.matches(w)) continue;
    add(o.get(w, o.kind), st);
  }
  const early = o.prefix.length <= 1;
  const taken: number[] = [];
  let above = 0;
  for (const [name, st] of o.sorted) {
    if (seen.has(name)) continue;
    if (early) {
      const score = o.weight * Math.log2(1 + st.files);
      while (above < taken.length && taken[above]! > score + W.caseExact + 1e-9) above++;
      if (above >= o.limit) return true;
      if (o.exclude(name) || !o.matches(name)) continue;
      taken.push(score);
    } else if (o.exclude(name) || !o.matches(name)) continue;
    add(o.get(name, o.kind), st);
  }
  return false;
}

/** A workspace identifier that made the list: its kind, definition site and detail from the workspace symbols. */
export function describeWorkspaceWord(c: Candidate, ws: WorkspaceIndex): void {
  if (c.kind === CompletionItemKind.Text || !c.data) {
    const sym = ws.symbolsNamed(c.name)[0];
    if (sym) {
      if (c.kind === CompletionItemKind.Text) c.kind = symbolItemKind(sym.kind);
      if (!c.data) {
        c.data = { uri: sym.uri, line: sym.range.start.line, languageId: '' };
        c.detail ??= `${sym.container ? `${sym.container} · ` : ''}${baseName(sym.uri)}:${sym.range.start.line + 1}`;
      }
    }
  }
}

/** Names bound in the scopes around the cursor: nearest scope first; parameters included. */
export function scopeCandidates(
  ci: CompletionIndex,
  /** The cursor, in the index's offsets. */
  at: number,
  /** An offset of the index -> the document's today (they differ while the index is stale). */
  toText: (offset: number) => number,
  cursorWord: string,
  uri: string,
  languageId: string,
  doc: Snapshot['text'],
  get: (name: string, kind: CompletionItemKind, group?: number) => Candidate,
  matches: (name: string) => boolean,
): void {
  // Enclosing scopes, innermost first.
  const chain: number[] = [];
  const s = ci.scopes;
  for (let i = 0; i < s.length / 4; i++) {
    if (s[i * 4]! > at) break;
    if (s[i * 4 + 1]! >= at) chain.push(i);
  }
  chain.reverse();
  const depth = new Map<number, number>();
  chain.forEach((sc, i) => {
    // A class body's bindings are not visible in the functions nested in it.
    if (s[sc * 4 + 3] === 1 && i > 0) return;
    depth.set(sc, i);
  });
  for (let i = 0; i < ci.defNames.length; i++) {
    const sc = ci.defScopes[i]!;
    const off = ci.defOffsets[i]!;
    if (off === at) continue;
    const name = ci.defNames[i]!;
    if (name === cursorWord && off === at) continue;
    const kindCode = ci.defKinds[i]!;
    let bonus: number;
    if (sc === -1) bonus = W.scopeFile;
    else {
      const d = depth.get(sc);
      if (d === undefined) continue;
      bonus = Math.max(W.scopeFile, W.scopeInner - d * W.scopeStep);
    }
    if (MEMBER_KINDS.has(kindCode) && !(sc >= 0 && depth.get(sc) === 0)) continue;
    if (!matches(name)) continue;
    const kind = DEF_KINDS[kindCode] ?? 'variable';
    const c = get(name, DEF_ITEM_KIND[kind] ?? CompletionItemKind.Variable);
    // The nearest binding of a name counts (a local shadows a file-level one).
    const prev = c.scopeBonus ?? 0;
    if (c.data?.offset !== undefined && prev >= bonus) continue;
    c.kind = DEF_ITEM_KIND[kind] ?? CompletionItemKind.Variable;
    c.score += bonus - prev;
    c.scopeBonus = bonus;
    const there = toText(off);
    c.data = { uri, offset: there, languageId };
    c.detail = `${kind === 'type_parameter' ? 'type parameter' : kind}${sc === -1 ? '' : ' (local)'} · line ${doc.positionAt(there).line + 1}`;
  }
}

/** After a member operator: members seen after the same receiver (and self/this class members) first, then all members. Returns true when the workspace source stopped early. */
export function memberCandidates(
  text: string,
  ci: CompletionIndex,
  ws: WorkspaceIndex,
  spec: CompletionSpec,
  opStart: number,
  at: number,
  prefix: string,
  /** The whole word at the cursor: as a member it does not count itself. */
  typed: string,
  o: Pick<Parameters<typeof workspaceSource>[0], 'limit' | 'candidates' | 'near' | 'get' | 'matches'>,
): boolean {
  const { get, matches } = o;
  const view = countsView(ci);
  const receiver = wordBefore(text, opStart, wordRegex().char);
  if (receiver) {
    const pairs = view.pairs(receiver);
    if (pairs) {
      for (const [m, count] of pairs) {
        let n = count;
        if (m === typed) n--;
        if (n <= 0 || !matches(m)) continue;
        get(m, CompletionItemKind.Field, 0).score += W.recvDoc * Math.log2(1 + n);
      }
    }
    const wsPairs = ws.membersOf(receiver);
    if (wsPairs) for (const [m, n] of wsPairs) if (matches(m)) get(m, CompletionItemKind.Field, 0).score += W.recvWs * Math.log2(1 + n);
    if ((spec.selfNames ?? []).includes(receiver)) {
      // Members of the enclosing class.
      const s = ci.scopes;
      let cls = -1;
      for (let i = 0; i < s.length / 4; i++) {
        if (s[i * 4]! > at) break;
        if (s[i * 4 + 1]! >= at && s[i * 4 + 3] === 1) cls = i;
      }
      if (cls >= 0) {
        for (let i = 0; i < ci.defNames.length; i++) {
          if (ci.defScopes[i] !== cls || !MEMBER_KINDS.has(ci.defKinds[i]!)) continue;
          const name = ci.defNames[i]!;
          if (!matches(name)) continue;
          const kind = DEF_KINDS[ci.defKinds[i]!]!;
          const c = get(name, DEF_ITEM_KIND[kind]!, 0);
          c.kind = DEF_ITEM_KIND[kind]!;
          c.score += W.recvDoc;
          c.detail ??= kind;
        }
      }
    }
  }
  for (const [m, count] of view.members()) {
    let n = count;
    if (m === typed) n--;
    if (n <= 0 || !matches(m)) continue;
    get(m, CompletionItemKind.Field).score += W.memberDoc * Math.log2(1 + n);
  }
  const first = prefix ? prefix.charAt(0) : undefined;
  const bucket = first === undefined ? undefined : ws.membersStartingWith(first);
  return workspaceSource({
    ...o,
    sorted: ws.membersByFiles(first),
    statsOf: (m) => (first === undefined ? ws.memberStatsOf(m) : bucket?.get(m)),
    weight: W.memberWs,
    kind: CompletionItemKind.Field,
    exclude: () => false,
    prefix,
  });
}
