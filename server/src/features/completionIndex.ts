// Completion facts of one document, computed once per tree (built by
// features/completionBuild.ts, called from cache/entry.ts buildIndex) and kept in the derived index, so completion gives the same
// answer whichever tier serves the document, and workspace files contribute
// their identifiers without a tree.
//
// From grammars/<language>/completion.scm (capture convention in
// grammars/python/completion.scm):
//   scopes       [start, end, parent, isClass] per @scope / @scope.class node
//   definitions  names bound in a scope, with a kind (@definition.<kind>)
//   skip         comment and string ranges (@skip.comment / @skip.string), and
//                the code holes inside strings (@skip.hole)
// From the text, outside comments and strings:
//   words        identifiers (letters, digits, _ and $, not starting with a
//                digit; keywords too, completion tells them apart) with counts
//   members      `receiver <op> member` pairs for the member operators
//                `.`, `?.`, `::`, `->`, `&.`: member counts, and per receiver name
// The index depends on nothing but the text, the tree and completion.scm (all
// in the content key); the manifest's completion entry is read at query time.
//
// Everything is offsets into the text (UTF-16 code units) and plain arrays:
// the index is JSON in warm/cold/frozen entries.
import type { LanguageSpec, LoadedGrammar } from '../syntax/grammars.js';

export const COMPLETION_INDEX_VERSION = 1;

/** Definition kinds (@definition.<kind>), index = code stored in `defKinds`. */
export const DEF_KINDS = ['variable', 'function', 'method', 'class', 'interface', 'type', 'enum', 'module', 'parameter', 'field', 'constant', 'type_parameter'] as const;
export type DefKind = (typeof DEF_KINDS)[number];
/** Kinds that are members of a class scope (offered after self./this.), not bare names. */
export const MEMBER_KINDS = new Set<number>([DEF_KINDS.indexOf('method'), DEF_KINDS.indexOf('field')]);
/** A function/class name binds in the scope around its own scope node. */
export const BINDS_OUTSIDE = new Set<number>(['function', 'method', 'class', 'interface', 'type', 'enum', 'module'].map((k) => DEF_KINDS.indexOf(k as DefKind)));

export const SKIP_COMMENT = 0;
export const SKIP_STRING = 1;
export const SKIP_HOLE = 2;

export interface CompletionIndex {
  v: number;
  /** Distinct identifiers outside comments/strings, and their occurrence counts. */
  words: string[];
  counts: number[];
  /** Member names seen after a member operator, and counts. */
  members: string[];
  memberCounts: number[];
  /** Receiver name -> [member index, count, member index, count, ...]. */
  receivers: Record<string, number[]>;
  /** Flat [start, end, parent scope (-1: file), isClass (0|1)] per scope, in start order. */
  scopes: number[];
  /** Definitions: name, kind code (DEF_KINDS), name offset, scope index (-1: file scope). */
  defNames: string[];
  defKinds: number[];
  defOffsets: number[];
  defScopes: number[];
  /** Flat [start, end, kind (SKIP_*)] in start order. */
  skip: number[];
}

/**
 * The counted facts of an index as completion reads them: every identifier
 * and every member with its count, and the members seen after one receiver.
 * An index built in this process answers from its live tables (no arrays of
 * every identifier, no copy of every receiver's pairs per keystroke); a
 * decoded one from its arrays.
 */
export interface CountsView {
  words(): ReadonlyMap<string, number>;
  members(): ReadonlyMap<string, number>;
  pairs(receiver: string): ReadonlyMap<string, number> | undefined;
}

const COUNTS_VIEW = Symbol('counts view');

/** Attach a live counts view to a freshly built index (features/completionBuild.ts). */
export function setCountsView(ci: CompletionIndex, view: CountsView): void {
  Object.defineProperty(ci, COUNTS_VIEW, { value: view, enumerable: false });
}

export function countsView(ci: CompletionIndex): CountsView {
  const holder = ci as CompletionIndex & { [COUNTS_VIEW]?: CountsView };
  const live = holder[COUNTS_VIEW];
  if (live) return live;
  // A decoded index: maps built once, on first use.
  let words: Map<string, number> | undefined;
  let members: Map<string, number> | undefined;
  const view: CountsView = {
    words: () => (words ??= new Map(ci.words.map((w, i) => [w, ci.counts[i]!]))),
    members: () => (members ??= new Map(ci.members.map((m, i) => [m, ci.memberCounts[i]!]))),
    pairs(receiver) {
      const p = Object.prototype.hasOwnProperty.call(ci.receivers, receiver) ? ci.receivers[receiver] : undefined;
      if (!p) return undefined;
      const out = new Map<string, number>();
      for (let i = 0; i < p.length; i += 2) out.set(ci.members[p[i]!]!, p[i + 1]!);
      return out;
    },
  };
  setCountsView(ci, view);
  return view;
}

/** The completion entry of a language in grammars/languages.json. */
export interface CompletionSpec {
  triggers?: string[];
  memberOperators?: string[];
  selfNames?: string[];
  expressionKeywords?: string[];
  /** false: no keywords at all. */
  keywords?: boolean;
  /** Grammar keywords that are also ordinary identifiers (`type`, `match` in Python): counted as words too. */
  softKeywords?: string[];
  /** Keywords the grammar spells as named nodes (`None`, `true`, `this`). */
  extraKeywords?: string[];
}

export function completionSpec(spec: LanguageSpec | undefined): CompletionSpec | undefined {
  return (spec as (LanguageSpec & { completion?: CompletionSpec }) | undefined)?.completion;
}

/**
 * Identifier characters, the same for every language so that the index does
 * not depend on the manifest (only the text, the tree and the query file,
 * which the content key covers): letters, digits, `_` and `$`.
 */
const WORD = { global: /[\p{L}\p{N}_$]+/gu, char: /^[\p{L}\p{N}_$]$/u };
export function wordRegex(): { global: RegExp; char: RegExp } {
  return WORD;
}
/** Member operators recorded in the index (a language's manifest entry says which it completes after). */
export const INDEX_MEMBER_OPERATORS = ['.', '?.', '::', '->', '&.'];

const keywordCache = new WeakMap<object, Set<string>>();
/** The grammar's keywords: anonymous node types that look like words (`def`, `return`, `None`). */
export function grammarKeywords(grammar: LoadedGrammar): Set<string> {
  let set = keywordCache.get(grammar.language);
  if (!set) {
    set = new Set();
    const lang = grammar.language;
    for (let id = 0; id < lang.nodeTypeCount; id++) {
      if (lang.nodeTypeIsNamed(id) || !lang.nodeTypeIsVisible(id)) continue;
      const t = lang.nodeTypeForId(id);
      if (t && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && t.length > 1) set.add(t);
    }
    keywordCache.set(grammar.language, set);
  }
  return set;
}

export function isDigitStart(w: string): boolean {
  const c = w.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Offsets of the member operator ending right before `at` (whitespace allowed), or -1. */
export function memberOperatorBefore(text: string, at: number, operators: readonly string[]): { start: number; op: string } | undefined {
  let i = at;
  while (i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  let best: { start: number; op: string } | undefined;
  for (const op of operators) {
    if (i >= op.length && text.startsWith(op, i - op.length) && (!best || op.length > best.op.length)) best = { start: i - op.length, op };
  }
  return best;
}

/** The identifier ending at `end` (whitespace/newlines allowed before `end`), or undefined. */
export function wordBefore(text: string, end: number, char: RegExp): string | undefined {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  const stop = i;
  while (i > 0 && char.test(text[i - 1]!)) i--;
  // Surrogate pairs (astral letters) are rare in identifiers; they stop the word.
  if (i === stop) return undefined;
  const w = text.slice(i, stop);
  return isDigitStart(w) ? undefined : w;
}

/** [from, to) spans of code: the text minus comment/string ranges, plus the holes inside strings. */
export function codeSpans(length: number, skip: readonly number[]): number[] {
  // skip is in document order (captures are), outer before inner.
  const out: number[] = [];
  let pos = 0;
  let i = 0;
  const n = skip.length / 3;
  while (i < n) {
    const s = skip[i * 3]!;
    const e = skip[i * 3 + 1]!;
    const k = skip[i * 3 + 2]!;
    if (k === SKIP_HOLE || e <= pos) {
      i++;
      continue;
    }
    if (s > pos) out.push(pos, s);
    // Holes inside this string are code.
    let j = i + 1;
    let inner = Math.max(s, pos);
    while (j < n && skip[j * 3]! < e) {
      if (skip[j * 3 + 2] === SKIP_HOLE && skip[j * 3]! >= inner) {
        out.push(skip[j * 3]!, skip[j * 3 + 1]!);
        inner = skip[j * 3 + 1]!;
      }
      j++;
    }
    pos = e;
    i = j;
  }
  if (pos < length) out.push(pos, length);
  return out;
}

/**
 * Where `offset` is with respect to comments and strings: 'code', 'comment'
 * or 'string'. A line comment ends at its last character, so the end of a
 * `# comment` is still inside it; a closed string or block comment ends before
 * its end offset.
 */
export function skipContext(index: CompletionIndex, text: string, offset: number): 'code' | 'comment' | 'string' {
  const skip = index.skip;
  let inside: 'code' | 'comment' | 'string' = 'code';
  for (let i = 0; i < skip.length; i += 3) {
    const s = skip[i]!;
    if (s >= offset) break;
    const e = skip[i + 1]!;
    const k = skip[i + 2]!;
    if (k === SKIP_HOLE) {
      if (offset <= e && inside === 'string') inside = 'code';
      continue;
    }
    if (offset < e) inside = k === SKIP_COMMENT ? 'comment' : 'string';
    else if (offset === e && k === SKIP_COMMENT && !text.startsWith('*/', e - 2)) inside = 'comment';
    else if (offset === e && k === SKIP_STRING && !closedString(text, s, e)) inside = 'string';
  }
  return inside;
}

/** A string node whose last character closes it (the same quote it opened with). */
function closedString(text: string, s: number, e: number): boolean {
  if (e - s < 2) return false;
  const last = text[e - 1]!;
  if (last !== '"' && last !== "'" && last !== '`' && last !== '/') return false;
  return text.indexOf(last, s) < e - 1;
}
