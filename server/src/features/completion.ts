// textDocument/completion and completionItem/resolve.
//
// Sources, merged per name and ranked (see rank() for the weights):
//   1. names bound in the scopes enclosing the cursor, nearest scope first,
//      parameters included (the derived index's scopes and definitions, from
//      grammars/<language>/completion.scm);
//   2. the other identifiers of the document (code only, not comments or
//      strings), by frequency and by distance to the cursor;
//   3. identifiers and symbols of the workspace index, by how many files use them;
//   4. the grammar's keywords, only where a keyword can stand (not after a
//      member operator; mid-expression only the language's expression
//      keywords, grammars/languages.json "expressionKeywords");
//   5. after a member operator (`.`, `::`, `->`, ... per language): members
//      seen after the same receiver name in the document and the workspace
//      (and, after self/this, the members of the enclosing class) first, then
//      members seen anywhere.
// Nothing inside comments and strings (code holes such as `${x}` and f-string
// braces are code).
//
// Tier independence: everything read is the text, the derived index and the
// grammar (`SyntaxNode` views of hot and warm trees answer alike), so the
// answer is the same whichever tier serves the document.
//
// Items: a textEdit replacing exactly the word typed so far (UTF-16 range from
// the document's line index), filterText = label, sortText = our rank (so a
// client that re-sorts keeps our order), isIncomplete when the list was cut.
// completionItem/resolve adds the definition's line and doc comment.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CompletionItemKind,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type CompletionList,
  type Position,
} from 'vscode-languageserver';
import type { Snapshot } from '../cache/tiers.js';
import type { Tree } from 'web-tree-sitter';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { boundedCaptures } from '../syntax/queries.js';
import { keystrokeCompletion } from '../cache/entry.js';
import { skipKind, sortedSkip } from './completionFacts.js';
import type { WorkspaceIndex, NameStats } from '../workspace/index.js';
import type { SyntaxNode } from '../cache/compact.js';
import { fuzzyMatch, MatchKind } from './fuzzy.js';
import {
  completionSpec,
  DEF_KINDS,
  grammarKeywords,
  MEMBER_KINDS,
  memberOperatorBefore,
  countsView,
  skipContext,
  wordBefore,
  wordRegex,
  type CompletionIndex,
  type CompletionSpec,
} from './completionIndex.js';

export interface CompletionContext {
  registry: GrammarRegistry;
  workspace: WorkspaceIndex;
  limit: number;
  isCancelled: () => boolean;
  triggerCharacter?: string;
  /**
   * At most this many syntax nodes get new completion facts for this request
   * (cache/entry.ts keystrokeCompletion); past it the last build's facts serve
   * and the build waits for a quiet moment. Unset: no limit.
   */
  keystrokeBudget?: number;
}

export interface ResolveContext {
  /** The text of an open document; files not open are read from disk. */
  getText: (uri: string) => string | undefined;
}

/** What resolve needs: where the name is defined. */
interface ItemData {
  uri: string;
  /** UTF-16 offset of the name (document definitions). */
  offset?: number;
  /** Line of the name (workspace symbols). */
  line?: number;
  languageId: string;
}

/** Proximity window (lines either side of the cursor) scanned for nearby words. */
const WINDOW_LINES = 40;

/** Trigger characters of every language: the last character of each trigger sequence. */
export function completionTriggers(registry: GrammarRegistry): string[] {
  const set = new Set<string>();
  for (const spec of registry.languages) for (const t of completionSpec(spec)?.triggers ?? []) if (t.length) set.add(t.slice(-1));
  return [...set].sort();
}

interface Candidate {
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

const EMPTY: CompletionList = { isIncomplete: false, items: [] };
const CANCELLED = (): CompletionList => ({ isIncomplete: true, items: [] });

// Ranking weights (tuned on test/bench/completion.ts; see README).
const W = {
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

export function complete(snap: Snapshot, position: Position, ctx: CompletionContext): CompletionList {
  const spec = completionSpec(snap.doc.spec);
  if (!spec) return EMPTY;
  const facts = keystrokeCompletion(snap.index, ctx.keystrokeBudget ?? Infinity);
  const ci = facts.index;
  // While a build is deferred the index is an older text's: its offsets go through these.
  const stale = facts.stale;
  if (!ci || ci.v !== 1) return EMPTY;
  const doc = snap.text;
  const text = doc.getText();
  const offset = Math.min(doc.offsetAt(position), text.length);
  const { char } = wordRegex();
  let wordStart = offset;
  while (wordStart > 0 && char.test(text[wordStart - 1]!)) wordStart--;
  let wordEnd = offset;
  while (wordEnd < text.length && char.test(text[wordEnd]!)) wordEnd++;
  const prefix = text.slice(wordStart, offset);
  const c0 = prefix.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) return EMPTY; // a number literal
  const grammar = snap.doc.spec ? ctx.registry.loaded(snap.doc.spec.id) : undefined;
  const context = stale && snap.tree && grammar ? liveContext(snap.tree, grammar, ctx.registry, text, wordStart) : skipContext(ci, text, wordStart);
  if (context !== 'code') return EMPTY;
  const at = stale ? stale.toIndex(wordStart) : wordStart;
  const toText = stale ? stale.toText : (offset: number) => offset;
  const ops = spec.memberOperators ?? [];
  const op = memberOperatorBefore(text, wordStart, ops);
  // A trigger character that is not (the end of) a member operator here (`:` of a
  // type annotation, `>` of a comparison): nothing.
  if (ctx.triggerCharacter && !prefix && !op) return EMPTY;
  if (op && op.start > 0) {
    const before = text.charCodeAt(op.start - 1);
    if (op.op === '.' && before >= 48 && before <= 57 && !wordBefore(text, op.start, char)) return EMPTY; // `1.` is a number
  }
  if (ctx.isCancelled()) return CANCELLED();

  const root: SyntaxNode = snap.tree?.rootNode ?? snap.compact!.rootNode;
  const cursorWord = text.slice(wordStart, wordEnd);
  const hardKeywords = new Set<string>(grammar && spec.keywords !== false ? [...grammarKeywords(grammar), ...(spec.extraKeywords ?? [])] : []);
  for (const k of spec.softKeywords ?? []) hardKeywords.delete(k);
  const candidates = new Map<string, Candidate>();
  const get = (name: string, kind: CompletionItemKind, group = 1): Candidate => {
    let c = candidates.get(name);
    if (!c) candidates.set(name, (c = { name, kind, detail: undefined, group, score: 0, data: undefined }));
    else if (group < c.group) c.group = group;
    return c;
  };
  const first = prefix.charAt(0);
  // One typed character matches at the start of a name or of a word in it, never mid-word: the
  // editors' own filters do the same (VS Code wants the first character at a word start), and
  // a mid-word match of one character is noise that costs thousands of candidates.
  const matches = (name: string): boolean => {
    if (!prefix) return true;
    if (name === cursorWord && name.length === prefix.length) return false;
    const m = fuzzyMatch(prefix, name);
    return m !== undefined && (prefix.length > 1 || m.kind !== MatchKind.Subsequence);
  };
  const uri = snap.doc.uri;
  const languageId = snap.doc.languageId;
  const line = doc.positionAt(offset).line;

  // Nearby words: distance in lines to the nearest occurrence (the word at the cursor excluded).
  const near = nearbyWords(text, doc, line, wordStart);

  // Set when a workspace source stopped before its last name (more would match).
  let cut = false;
  if (op) {
    if (memberCandidates(text, ci, ctx.workspace, spec, op.start, at, prefix, cursorWord, { limit: ctx.limit, candidates, near, get, matches })) cut = true;
  } else {
    scopeCandidates(ci, at, toText, cursorWord, uri, languageId, doc, get, matches);
    if (ctx.isCancelled()) return CANCELLED();
    // Document identifiers.
    for (const [w, count] of countsView(ci).words()) {
      let n = count;
      if (w === cursorWord) n--;
      if (n <= 0 || hardKeywords.has(w) || !matches(w)) continue;
      const c = get(w, CompletionItemKind.Text);
      c.score += W.docCount * Math.log2(1 + n);
      c.docCount = n;
    }
    if (ctx.isCancelled()) return CANCELLED();
    // Workspace identifiers (names starting with the typed first character, either case).
    if (first) {
      const ws = ctx.workspace;
      const bucket = ws.wordsStartingWith(first);
      const cutShort = workspaceSource({
        sorted: ws.wordsByFiles(first),
        statsOf: (w) => bucket?.get(w),
        weight: W.wsFiles,
        kind: CompletionItemKind.Text,
        exclude: (w) => hardKeywords.has(w),
        onAdd: (c) => (c.wsWord = true),
        prefix,
        limit: ctx.limit,
        candidates,
        near,
        get,
        matches,
      });
      if (cutShort) cut = true;
    }
    if (ctx.isCancelled()) return CANCELLED();
    // Keywords where one can stand.
    if (grammar && spec.keywords !== false) {
      const lineStart = text.lastIndexOf('\n', wordStart - 1) + 1;
      const before = text.slice(lineStart, wordStart).trim();
      const statementStart = before === '' || /[;{}]$/.test(before);
      const allowed = statementStart ? undefined : new Set(spec.expressionKeywords ?? []);
      if (!inDeclarationName(root, wordStart, offset)) {
        for (const k of [...grammarKeywords(grammar), ...(spec.extraKeywords ?? [])]) {
          if (allowed && !allowed.has(k)) continue;
          if (!matches(k)) continue;
          const c = get(k, CompletionItemKind.Keyword);
          c.kind = CompletionItemKind.Keyword;
          c.score += W.keyword;
          c.detail ??= 'keyword';
        }
      }
    }
  }
  if (ctx.isCancelled()) return CANCELLED();

  // Rank.
  const ranked: Candidate[] = [];
  for (const c of candidates.values()) {
    const m = prefix ? fuzzyMatch(prefix, c.name) : { kind: MatchKind.Prefix, score: 0 };
    if (!m) continue;
    c.match = m.kind === MatchKind.Exact ? MatchKind.Prefix : m.kind;
    const d = near.get(c.name);
    if (d !== undefined) c.score += W.near / (1 + d / W.nearLines);
    if (prefix && c.name.startsWith(prefix)) c.score += W.caseExact;
    ranked.push(c);
  }
  ranked.sort((a, b) => a.match! - b.match! || a.group - b.group || b.score - a.score || a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const limit = Math.max(1, ctx.limit);
  if (ranked.length > limit) cut = true;
  for (let i = 0; i < Math.min(limit, ranked.length); i++) if (ranked[i]!.wsWord) describeWorkspaceWord(ranked[i]!, ctx.workspace);
  const range = { start: doc.positionAt(wordStart), end: doc.positionAt(offset) };
  const width = String(Math.min(ranked.length, limit)).length;
  const items: CompletionItem[] = ranked.slice(0, limit).map((c, i) => {
    const item: CompletionItem = {
      label: c.name,
      kind: c.kind,
      sortText: String(i).padStart(width, '0'),
      filterText: c.name,
      textEdit: { range, newText: c.name },
    };
    const detail = c.detail ?? detailOf(c, near);
    if (detail) item.detail = detail;
    if (c.data) item.data = c.data;
    return item;
  });
  return { isIncomplete: cut, items };
}

/**
 * A workspace frequency source (identifiers, or member names): adds its score
 * to the candidates that already have the name and to nearby words, then adds
 * the best other names. With at most one character typed every name of the
 * list matches alike and scores only by its file count, so the walk goes in
 * descending score and stops once `limit` names taken outrank (beyond the
 * exact-case bonus) every name still to come: the top of the list is what a
 * walk over all of them gives. Returns true when it stopped early.
 */
function workspaceSource(o: {
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
function describeWorkspaceWord(c: Candidate, ws: WorkspaceIndex): void {
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

/**
 * Comment/string context at `offset` from the live tree: the completion
 * query's @skip captures of the nodes around it. Used while the index is an
 * older text's, whose ranges may not know a quote typed since.
 */
function liveContext(tree: Tree, grammar: LoadedGrammar, registry: GrammarRegistry, text: string, offset: number): 'code' | 'comment' | 'string' {
  const query = registry.query(grammar, 'completion');
  if (!query) return 'code';
  const skip: number[] = [];
  for (const c of boundedCaptures(query, tree.rootNode, { startIndex: Math.max(0, offset - 1), endIndex: offset + 1 })) {
    if (c.name.startsWith('skip.')) skip.push(c.node.startIndex, c.node.endIndex, skipKind(c.name));
  }
  return skipContext({ skip: sortedSkip(skip) } as CompletionIndex, text, offset);
}

/** Names bound in the scopes around the cursor: nearest scope first; parameters included. */
function scopeCandidates(
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
function memberCandidates(
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

/**
 * The word being typed names a new declaration (`def na|`, `class Fo|`,
 * `function fo|`): no keywords there. Read from the tree (live or compact
 * alike): the identifier's parent has it in its `name` field.
 */
function inDeclarationName(root: SyntaxNode, start: number, end: number): boolean {
  if (start === end) return false;
  const node = root.namedDescendantForIndex(start, end);
  const parent = node?.parent;
  if (!node || !parent) return false;
  const named = parent.childForFieldName('name');
  return named !== null && named.startIndex === node.startIndex && named.endIndex === node.endIndex && node.startIndex === start;
}

/** Nearest-occurrence distance in lines for every word within WINDOW_LINES of the cursor line. */
function nearbyWords(text: string, doc: Snapshot['text'], line: number, at: number): Map<string, number> {
  const out = new Map<string, number>();
  const from = doc.offsetAt({ line: Math.max(0, line - WINDOW_LINES), character: 0 });
  const to = doc.offsetAt({ line: line + WINDOW_LINES + 1, character: 0 });
  const re = new RegExp(wordRegex().global.source, 'gu');
  re.lastIndex = from;
  let l = Math.max(0, line - WINDOW_LINES);
  let scanned = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    // Count newlines between the previous match and this one.
    for (let i = text.indexOf('\n', scanned); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) l++;
    scanned = m.index;
    if (m.index <= at && at <= m.index + m[0].length) continue; // the word at the cursor
    const d = Math.abs(l - line);
    const prev = out.get(m[0]);
    if (prev === undefined || d < prev) out.set(m[0], d);
  }
  return out;
}

function detailOf(c: Candidate, near: Map<string, number>): string | undefined {
  if (c.kind === CompletionItemKind.Keyword) return 'keyword';
  if (c.docCount) return `${c.docCount}× in this file`;
  if (near.has(c.name)) return 'nearby';
  return undefined;
}

/** completionItem/resolve: the definition's line and its doc comment, as markdown. */
export function resolveCompletion(item: CompletionItem, ctx: ResolveContext): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || typeof data.uri !== 'string' || item.documentation) return item;
  let text = ctx.getText(data.uri);
  if (text === undefined && data.uri.startsWith('file:')) {
    try {
      const st = fs.statSync(fileURLToPath(data.uri));
      if (st.size <= 4 * 1024 * 1024) text = fs.readFileSync(fileURLToPath(data.uri), 'utf8');
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) return item;
  const lines = text.split(/\r\n|\r|\n/);
  let lineNo: number;
  if (typeof data.offset === 'number') {
    lineNo = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < data.offset; i = text.indexOf('\n', i + 1)) lineNo++;
    // \r-only line ends (rare): count them too.
    if (!text.includes('\n')) lineNo = text.slice(0, data.offset).split('\r').length - 1;
  } else if (typeof data.line === 'number') lineNo = data.line;
  else return item;
  const defLine = lines[lineNo];
  if (defLine === undefined) return item;
  const doc: string[] = [];
  // Comment lines right above (#, //, /** */ and its * lines).
  const above: string[] = [];
  for (let i = lineNo - 1; i >= 0 && above.length < 20; i--) {
    const t = lines[i]!.trim();
    if (/^(#|\/\/|\/\*|\*)/.test(t) && !t.startsWith('#!')) above.unshift(t.replace(/^(\/\*\*?|\*\/|\*|\/\/\/?|#+)\s?/, '').replace(/\*\/$/, '').trim());
    else break;
  }
  if (above.some((l) => l)) doc.push(above.filter((l, i) => l || i > 0).join('\n').trim());
  // Python-style docstring right below a definition line.
  const next = lines[lineNo + 1]?.trim() ?? '';
  const q = /^[rRuU]?("""|''')/.exec(next);
  if (q && /:\s*(#.*)?$/.test(defLine.trim())) {
    const quote = q[1]!;
    const body: string[] = [];
    let rest = next.slice(q[0].length);
    for (let i = lineNo + 1; i < lines.length && body.length < 20; ) {
      const end = rest.indexOf(quote);
      if (end >= 0) {
        body.push(rest.slice(0, end));
        break;
      }
      body.push(rest);
      i++;
      rest = lines[i]?.trim() ?? '';
    }
    doc.push(body.join('\n').trim());
  }
  const lang = data.languageId || '';
  const value = ['```' + lang, defLine.trim(), '```', ...(doc.length ? ['', doc.join('\n\n')] : [])].join('\n');
  return { ...item, documentation: { kind: MarkupKind.Markdown, value } };
}
