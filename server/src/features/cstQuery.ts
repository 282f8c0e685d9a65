// $/cstQuery and `cst-cli query`: run a user's tree-sitter query on a
// document's tree and return its captures (name, node type, range, text cut to
// a limit). The query is compiled per request and deleted after it; it runs
// bounded (syntax/queries.ts: start depth, time budget) and its results are
// capped. A query that does not compile is reported with the position of the
// problem (web-tree-sitter's QueryError carries the offset), and so is a
// #match? pattern that could backtrack for minutes (regexSafety.ts).
import { Query, type Language, type Tree } from 'web-tree-sitter';
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { boundedCapturesChecked } from '../syntax/queries.js';
import { runsInLinearTime } from '../regexSafety.js';
import type { CstQueryCapture, CstQueryResult } from '../protocol.js';

export const QUERY_LIMITS = {
  maxResults: { default: 1000, max: 100_000 },
  timeoutMs: { default: 1000, max: 10_000 },
  /** Characters of a capture's text returned (the rest is cut; `truncated` says so). */
  textLength: 200,
  /** Characters of query source accepted. */
  queryLength: 64 * 1024,
} as const;

export type QueryProblemKind = 'syntax' | 'node-name' | 'field-name' | 'capture-name' | 'pattern-structure' | 'predicate' | 'too-long' | 'empty';

/** A query that cannot run, with where (0-based offset, line and character in the query source) when known. */
export class QueryProblem extends Error {
  constructor(
    message: string,
    readonly kind: QueryProblemKind,
    readonly where?: { offset: number; line: number; character: number },
  ) {
    super(message);
  }

  /** "line:column" (1-based) for messages, or '' when the position is unknown. */
  get position(): string {
    return this.where ? `${this.where.line + 1}:${this.where.character + 1}` : '';
  }
}

// web-tree-sitter's QueryErrorKind numbering.
const KINDS: Record<number, QueryProblemKind> = { 1: 'syntax', 2: 'node-name', 3: 'field-name', 4: 'capture-name', 5: 'pattern-structure' };

function locate(source: string, offset: number): { offset: number; line: number; character: number } {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const line = before.split('\n').length - 1;
  return { offset, line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

/** The predicates whose second argument web-tree-sitter compiles with `new RegExp`. */
const REGEX_PREDICATES = new Set(['#match?', '#not-match?', '#any-match?', '#any-not-match?']);

/**
 * The patterns of the query's #match? family predicates, unescaped as
 * tree-sitter reads its string literals, with the offset of each literal's
 * opening quote. A scan of the query's tokens: `;` comments, string literals,
 * parentheses and words.
 */
export function regexPredicates(source: string): { pattern: string; offset: number }[] {
  const out: { pattern: string; offset: number }[] = [];
  const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0' };
  // 1: after '(', 2: after '(#match?', 3: after '(#match? @capture'.
  let state = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ';') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"') {
      const offset = i++;
      let pattern = '';
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\\' && i + 1 < source.length) {
          const e = source[i + 1]!;
          pattern += ESCAPES[e] ?? e;
          i += 2;
        } else pattern += source[i++];
      }
      i++;
      if (state === 3) out.push({ pattern, offset });
      state = 0;
    } else if (ch === '(' || ch === ')') {
      state = ch === '(' ? 1 : 0;
      i++;
    } else {
      const start = i;
      while (i < source.length && !/[\s()";]/.test(source[i]!)) i++;
      const word = source.slice(start, i);
      state = state === 1 && REGEX_PREDICATES.has(word) ? 2 : state === 2 && word.startsWith('@') ? 3 : 0;
    }
  }
  return out;
}

/** A #match? pattern JavaScript rejects, or one that may backtrack without bound: refused with its position. */
function checkRegexPredicates(source: string): void {
  for (const { pattern, offset } of regexPredicates(source)) {
    const where = locate(source, offset);
    try {
      new RegExp(pattern);
    } catch (err) {
      throw new QueryProblem(`invalid query at ${where.line + 1}:${where.character + 1}: ${(err as Error).message}`, 'predicate', where);
    }
    if (!runsInLinearTime(pattern)) {
      throw new QueryProblem(
        `invalid query at ${where.line + 1}:${where.character + 1}: the pattern /${pattern}/ cannot run in linear time (a backreference, lookaround or very large counted repetition can take minutes on one string; tree-sitter's own regex engine refuses them too)`,
        'predicate',
        where,
      );
    }
  }
}

/** Compile `source` for `language`; a QueryProblem naming the position when it does not compile. */
export function compileQuery(language: Language, source: string): Query {
  if (!source.trim()) throw new QueryProblem('the query is empty', 'empty');
  if (source.length > QUERY_LIMITS.queryLength) throw new QueryProblem(`the query is ${source.length} characters long; at most ${QUERY_LIMITS.queryLength} are accepted`, 'too-long');
  checkRegexPredicates(source);
  try {
    return new Query(language, source);
  } catch (err) {
    const e = err as Error & { kind?: number; index?: number };
    const message = e.message || String(err);
    if (typeof e.index === 'number' && typeof e.kind === 'number') {
      const where = locate(source, e.index);
      throw new QueryProblem(`invalid query at ${where.line + 1}:${where.character + 1}: ${message}`, KINDS[e.kind] ?? 'syntax', where);
    }
    throw new QueryProblem(`invalid query: ${message}`, 'predicate');
  }
}

export interface RunQueryOptions {
  range?: Range;
  maxResults?: number;
  timeoutMs?: number;
  textLength?: number;
}

function clampInt(value: unknown, fallback: number, max: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return Math.min(value, max);
}

/** Validate and default the limits (a RangeError names a bad one). */
export function queryLimits(options: RunQueryOptions): { maxResults: number; timeoutMs: number; textLength: number } {
  return {
    maxResults: clampInt(options.maxResults, QUERY_LIMITS.maxResults.default, QUERY_LIMITS.maxResults.max, 'maxResults'),
    timeoutMs: clampInt(options.timeoutMs, QUERY_LIMITS.timeoutMs.default, QUERY_LIMITS.timeoutMs.max, 'timeoutMs'),
    textLength: clampInt(options.textLength, QUERY_LIMITS.textLength, 1_000_000, 'textLength'),
  };
}

/**
 * The query runs over windows of this many UTF-16 code units, one after the
 * other: web-tree-sitter turns every capture into a JS object after the C
 * side is done (116k captures of `(_) @a` on lib.dom.d.ts took 2 s, past any
 * progress-callback deadline), so the time budget and maxResults are checked
 * between windows and a window's marshalling is the most they can overshoot.
 */
export const QUERY_WINDOW = 32_768;

/**
 * Captures of a compiled query over `tree` (whose text is `doc`), in document
 * order, within `range` when given. Positions are LSP positions (UTF-16,
 * through the document's line index). A node that spans several windows is
 * reported once.
 */
export function runQuery(query: Query, tree: Tree, doc: TextDocument, language: string, options: RunQueryOptions = {}): CstQueryResult {
  const limits = queryLimits(options);
  const rangeStart = options.range ? doc.offsetAt(options.range.start) : 0;
  const rangeEnd = options.range ? doc.offsetAt(options.range.end) : undefined;
  const last = rangeEnd ?? tree.rootNode.endIndex;
  const deadline = performance.now() + limits.timeoutMs;
  const seen = new Set<string>();
  const out: CstQueryCapture[] = [];
  let timedOut = false;
  let truncated = false;
  for (let from = rangeStart; ; from += QUERY_WINDOW) {
    const left = deadline - performance.now();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    const isLast = from + QUERY_WINDOW >= last;
    const { captures, complete } = boundedCapturesChecked(query, tree.rootNode, { timeoutMs: left, startIndex: from, endIndex: isLast ? rangeEnd : from + QUERY_WINDOW });
    for (const c of captures) {
      const key = `${c.node.id}:${c.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (out.length >= limits.maxResults) {
        truncated = true;
        break;
      }
      out.push(captureOf(c.name, c.node.type, c.node.startIndex, c.node.endIndex, doc, limits.textLength));
    }
    if (!complete) timedOut = true;
    if (truncated || timedOut || isLast) break;
  }
  return { language, captures: out, truncated, timedOut };
}

function captureOf(name: string, type: string, start: number, end: number, doc: TextDocument, textLength: number): CstQueryCapture {
  const cut = end - start > textLength;
  return {
    name,
    type,
    range: { start: doc.positionAt(start), end: doc.positionAt(end) },
    text: doc.getText({ start: doc.positionAt(start), end: doc.positionAt(cut ? start + textLength : end) }),
    ...(cut ? { truncated: true } : {}),
  };
}
