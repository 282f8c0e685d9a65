// textDocument/foldingRange from grammars/<language>/folds.scm.
//
// The ranges are computed once per tree by `foldIndex` (a query needs a live
// tree) and kept in the derived index (`DerivedIndex.folds`), so the warm,
// cold and frozen tiers serve exactly what the hot tier serves; the request
// handler `foldingRanges` only applies the client's capabilities.
//
// Capture convention of folds.scm (all language knowledge is in the queries):
//
//   @fold           a foldable node. Several @fold captures in one match fold
//                   as one range, from the first start to the last end (Python:
//                   `(if_statement "if" @fold consequence: (block) @fold)` folds
//                   an `if` clause without its `elif`/`else` clauses).
//   @fold.close     the closing delimiter of a @fold match: the range ends where
//                   it starts (C: `#ifdef` up to its `#else`). Without it, the
//                   last child of the node that ends the range is the closing
//                   delimiter when it is an anonymous token (`}`, `)`, `]`,
//                   `end`, `fi`, `done`, `#endif`...).
//   @fold.comment   a comment (or docstring). One that spans lines folds alone
//                   (kind comment); single-line comments that each begin their
//                   line, on consecutive lines, fold as one run.
//   @fold.imports   an import. Consecutive imports (only whitespace and
//                   comments between) fold as one range of kind imports.
//   @fold.region.start / @fold.region.end
//                   region marker comments (`//#region` ... `//#endregion`,
//                   matched with #match?): one range of kind region per
//                   balanced pair, marker lines included.
//   @_anything      helper captures for predicates; ignored.
//
// Where a fold ends (what editors show). With `lineFoldingOnly` (VS Code,
// Neovim) a fold is a line range whose first line stays visible. When the
// range ends with a closing delimiter that begins its line (only whitespace
// or other closers `)]}>/` before it: `}`, `})`, `/>`, `end`, `</div>`), the fold
// ends on the line before, so the delimiter stays visible under the folded
// header, as VS Code's TypeScript folding and its indentation folding do:
//
//   function f() {...          (lines 2-3 hidden, `}` shown)
//   }
//
// Without `lineFoldingOnly`, a range with a closing delimiter ends exactly at
// it (endCharacter = its column: `f() {…}`); other ranges end at the end of
// their text. A range must leave its first line and hide at least one line.
//
// One range per start line (editors keep one): among ranges that start on
// the same line, the one hiding the most lines wins; among those hiding the
// same lines the innermost wins, so `describe('x', () => {` folds the
// callback's block (`{…}`) rather than the call's arguments.
//
// `rangeLimit` (the client's maximum) is honoured as VS Code does: the
// outermost ranges are kept first, level by level, then ranges of the next
// level in document order until the limit.
//
// Deep nesting: folds start at most MAX_FOLD_DEPTH levels down (tree-sitter
// queries over 100,000 nested brackets take minutes), and every scan here is
// linear in the text.
//
// Positions come from the TextDocument (positionAt of UTF-16 offsets), never
// from tree-sitter rows, which split lines at \n only.
import type { Node, Query, Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import type { Snapshot } from '../cache/tiers.js';
import { boundedMatches } from '../syntax/queries.js';

/**
 * Folds as stored in the derived index: 5 numbers per range, sorted by start
 * line: startLine, endLine (line folding), endLine and endCharacter of the
 * exact end (character folding; endCharacter -1 = end of that line), kind
 * (0 none, 1 comment, 2 imports, 3 region).
 */
export type FoldIndex = number[];

/**
 * Folds start at most this deep in the tree. A query over deeper nesting is
 * pathological in tree-sitter (its in-progress matches pile up past 65,535:
 * minutes for 100,000 nested brackets), and no editor shows folds that deep.
 */
export const MAX_FOLD_DEPTH = 4096;

/**
 * Wall-clock budget of the folds query. The depth limit above is what keeps
 * the query linear; the budget is a last resort for pathological input (100k
 * unclosed braces), where a bounded answer beats a frozen editor even though a
 * cut short (load-dependent) answer can differ between a tree's index built
 * here and the one a worker builds for the disk store. A 1.8 MB lib.dom.d.ts
 * takes 100-500 ms on 2 busy cores.
 */
const QUERY_BUDGET_MS = 2_000;
export const FOLD_FIELDS = 5;

const KIND_NONE = 0;
const KIND_COMMENT = 1;
const KIND_IMPORTS = 2;
const KIND_REGION = 3;
const KIND_NAMES: (FoldingRangeKind | undefined)[] = [undefined, FoldingRangeKind.Comment, FoldingRangeKind.Imports, FoldingRangeKind.Region];

/** One range by UTF-16 offsets before it becomes lines. */
interface Span {
  start: number;
  /** End of the content (trailing whitespace trimmed). */
  end: number;
  /** Start offset of the closing delimiter, -1 when none. */
  close: number;
  kind: number;
}

type Role = 'fold' | 'close' | 'comment' | 'imports' | 'regionStart' | 'regionEnd' | 'ignore';

const ROLES: Record<string, Role> = {
  fold: 'fold',
  'fold.close': 'close',
  'fold.comment': 'comment',
  'fold.imports': 'imports',
  'fold.region.start': 'regionStart',
  'fold.region.end': 'regionEnd',
};

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** End of a node's content: some nodes end with the newline after them (#include, Rust line comments). */
function trimEnd(text: string, start: number, end: number): number {
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** The closing delimiter ending `node`: its last child when that is an anonymous, non-missing token ending where the node ends. */
function closerOf(node: Node): number {
  const last = node.lastChild;
  if (!last || last.isNamed || last.isMissing || last.endIndex !== node.endIndex || last.endIndex === last.startIndex) return -1;
  return last.startIndex;
}

interface Piece {
  start: number;
  end: number;
  /** Closing delimiter of the node (imports), -1 when none. */
  close: number;
}

function collect(tree: Tree, query: Query, text: string): { spans: Span[]; comments: Piece[]; imports: Piece[]; markers: (Piece & { open: boolean })[] } {
  const spans: Span[] = [];
  const comments = new Map<number, Piece>();
  const imports = new Map<number, Piece>();
  const markers = new Map<number, Piece & { open: boolean }>();
  for (const match of boundedMatches(query, tree.rootNode, { maxStartDepth: MAX_FOLD_DEPTH, timeoutMs: QUERY_BUDGET_MS })) {
    let start = Infinity;
    let end = -1;
    let endNode: Node | undefined;
    let close: Node | undefined;
    for (const capture of match.captures) {
      const node = capture.node;
      const role = ROLES[capture.name] ?? 'ignore';
      switch (role) {
        case 'fold':
          if (node.startIndex < start) start = node.startIndex;
          if (node.endIndex > end) {
            end = node.endIndex;
            endNode = node;
          }
          break;
        case 'close':
          close = node;
          break;
        case 'comment':
          comments.set(node.startIndex, { start: node.startIndex, end: trimEnd(text, node.startIndex, node.endIndex), close: -1 });
          break;
        case 'imports':
          imports.set(node.startIndex, { start: node.startIndex, end: trimEnd(text, node.startIndex, node.endIndex), close: closerOf(node) });
          break;
        case 'regionStart':
        case 'regionEnd':
          markers.set(node.startIndex, { start: node.startIndex, end: trimEnd(text, node.startIndex, node.endIndex), close: -1, open: role === 'regionStart' });
          break;
        default:
          break;
      }
    }
    if (!endNode) continue;
    if (close && close.startIndex >= start) {
      spans.push({ start, end: close.startIndex, close: close.startIndex, kind: KIND_NONE });
    } else {
      const closeAt = closerOf(endNode);
      spans.push({ start, end: closeAt >= 0 ? end : trimEnd(text, start, end), close: closeAt, kind: KIND_NONE });
    }
  }
  const byStart = (a: Piece, b: Piece) => a.start - b.start;
  return { spans, comments: [...comments.values()].sort(byStart), imports: [...imports.values()].sort(byStart), markers: [...markers.values()].sort(byStart) };
}

/**
 * True when only blanks (or, with `known`, closing brackets) precede `offset`
 * on its line. Scans back from it; with `known` (answers for delimiters to
 * the left, on the same terms) it stops at the first one it meets.
 */
function beginsLine(text: string, offset: number, known?: Map<number, boolean>): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
    if (c === 32 || c === 9 || c === 12 || c === 11) continue;
    if (!known) return false;
    if (!(c === 0x29 /* ) */ || c === 0x5d /* ] */ || c === 0x7d /* } */ || c === 0x3e /* > */ || c === 0x2f) /* / */) return false;
    const answer = known.get(i);
    if (answer !== undefined) return answer;
  }
  return true;
}

function onlySpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

/** Comment folds: multi-line comments alone, runs of single-line comments that begin their lines on consecutive lines. */
function commentSpans(comments: Piece[], markerStarts: Set<number>, doc: TextDocument, text: string): Span[] {
  const out: Span[] = [];
  let run: { start: number; end: number; lastLine: number } | undefined;
  const flush = () => {
    if (run) out.push({ start: run.start, end: run.end, close: -1, kind: KIND_COMMENT });
    run = undefined;
  };
  for (const c of comments) {
    if (markerStarts.has(c.start)) {
      flush();
      continue;
    }
    const startLine = doc.positionAt(c.start).line;
    const endLine = doc.positionAt(c.end).line;
    if (endLine > startLine) {
      flush();
      out.push({ start: c.start, end: c.end, close: -1, kind: KIND_COMMENT });
      continue;
    }
    if (!beginsLine(text, c.start)) {
      flush();
      continue;
    }
    if (run && startLine === run.lastLine + 1 && onlySpace(text, run.end, c.start)) {
      run.end = c.end;
      run.lastLine = startLine;
    } else {
      flush();
      run = { start: c.start, end: c.end, lastLine: startLine };
    }
  }
  flush();
  return out;
}

/** Import folds: consecutive imports with only whitespace and comments between them. */
function importSpans(imports: Piece[], comments: Piece[], text: string): Span[] {
  const out: Span[] = [];
  let ci = 0;
  let first: Piece | undefined;
  let last: Piece | undefined;
  let count = 0;
  const flush = () => {
    if (first && last) out.push({ start: first.start, end: last.end, close: count === 1 ? first.close : -1, kind: KIND_IMPORTS });
    first = last = undefined;
    count = 0;
  };
  for (const imp of imports) {
    if (last) {
      // The gap must hold nothing but whitespace and comments.
      let at = last.end;
      let clean = true;
      while (ci < comments.length && comments[ci]!.start < last.end) ci++;
      let k = ci;
      while (at < imp.start) {
        const c = comments[k];
        if (c && c.start < imp.start && onlySpace(text, at, c.start)) {
          at = c.end;
          k++;
          continue;
        }
        clean = onlySpace(text, at, imp.start);
        break;
      }
      if (!clean) flush();
    }
    if (!first) first = imp;
    last = imp;
    count++;
  }
  flush();
  return out;
}

/** Region folds: balanced start/end marker pairs. */
function regionSpans(markers: (Piece & { open: boolean })[]): Span[] {
  const out: Span[] = [];
  const open: Piece[] = [];
  for (const m of markers) {
    if (m.open) open.push(m);
    else {
      const s = open.pop();
      if (s) out.push({ start: s.start, end: m.end, close: -1, kind: KIND_REGION });
    }
  }
  return out;
}

/**
 * The fold ranges of a tree, for the derived index. Empty when the language
 * has no folds query. A pure function of (tree, text, query).
 */
export function foldIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry): FoldIndex {
  const query = registry.query(grammar, 'folds');
  if (!query) return [];
  const text = doc.getText();
  const { spans, comments, imports, markers } = collect(tree, query, text);
  const markerStarts = new Set(markers.map((m) => m.start));
  spans.push(...commentSpans(comments, markerStarts, doc, text), ...importSpans(imports, comments, text), ...regionSpans(markers));

  interface Fold {
    start: number;
    end: number;
    startLine: number;
    lineEnd: number;
    exactLine: number;
    exactCharacter: number;
    kind: number;
  }
  // Which closing delimiters begin their line, in one pass left to right: a
  // scan back stops at the previous delimiter's answer (a run of 100,000 `]`
  // on one line costs its length once, not once per delimiter).
  const closes = [...new Set(spans.filter((s) => s.close >= 0).map((s) => s.close))].sort((a, b) => a - b);
  const leading = new Map<number, boolean>();
  for (const c of closes) leading.set(c, beginsLine(text, c, leading));
  const folds: Fold[] = [];
  for (const s of spans) {
    const startLine = doc.positionAt(s.start).line;
    let lineEnd: number;
    let exactLine: number;
    let exactCharacter: number;
    if (s.close >= 0) {
      const p = doc.positionAt(s.close);
      lineEnd = leading.get(s.close) ? p.line - 1 : p.line;
      exactLine = p.line;
      exactCharacter = p.character;
    } else {
      const p = doc.positionAt(s.end);
      lineEnd = p.line;
      exactLine = p.line;
      exactCharacter = -1;
    }
    if (lineEnd <= startLine) continue;
    folds.push({ start: s.start, end: s.close >= 0 ? s.close : s.end, startLine, lineEnd, exactLine, exactCharacter, kind: s.kind });
  }
  // Outer first: by start, then longest; one per start line.
  folds.sort((a, b) => a.start - b.start || b.end - a.end || a.kind - b.kind);
  const chosen = new Map<number, Fold>();
  for (const f of folds) {
    const seen = chosen.get(f.startLine);
    // More hidden lines wins; equal hidden lines: the later one (inner) wins.
    if (!seen || f.lineEnd >= seen.lineEnd) chosen.set(f.startLine, f);
  }
  const out: FoldIndex = [];
  for (const f of [...chosen.values()].sort((a, b) => a.startLine - b.startLine)) {
    out.push(f.startLine, f.lineEnd, f.exactLine, f.exactCharacter, f.kind);
  }
  return out;
}

export interface FoldingOptions {
  /** The client's preferred maximum number of ranges (FoldingRangeClientCapabilities.rangeLimit). */
  rangeLimit?: number;
  /** The client folds whole lines only (FoldingRangeClientCapabilities.lineFoldingOnly). */
  lineFoldingOnly?: boolean;
}

/**
 * Which ranges to keep under a limit: VS Code's rule. Ranges are nested or
 * disjoint by start line; whole nesting levels are kept from the outermost,
 * then ranges of the next level in document order until the limit.
 */
function limitByLevel(starts: number[], ends: number[], limit: number): boolean[] {
  const n = starts.length;
  const keep = new Array<boolean>(n).fill(true);
  if (n <= limit) return keep;
  const level = new Array<number>(n);
  const stack: number[] = [];
  const perLevel: number[] = [];
  for (let i = 0; i < n; i++) {
    while (stack.length > 0 && ends[stack[stack.length - 1]!]! < starts[i]!) stack.pop();
    // A range that starts inside the top but ends after it is a sibling level-wise.
    while (stack.length > 0 && ends[stack[stack.length - 1]!]! < ends[i]!) stack.pop();
    level[i] = stack.length;
    perLevel[stack.length] = (perLevel[stack.length] ?? 0) + 1;
    stack.push(i);
  }
  let budget = Math.max(0, limit);
  let full = -1;
  for (let l = 0; l < perLevel.length; l++) {
    if ((perLevel[l] ?? 0) > budget) break;
    budget -= perLevel[l] ?? 0;
    full = l;
  }
  for (let i = 0; i < n; i++) {
    const l = level[i]!;
    if (l <= full) continue;
    if (l === full + 1 && budget > 0) {
      budget--;
      continue;
    }
    keep[i] = false;
  }
  return keep;
}

/** textDocument/foldingRange from a snapshot (any tier): the precomputed ranges, shaped for the client. */
export function foldingRanges(snap: Snapshot, options: FoldingOptions): FoldingRange[] {
  // An index written before folds existed has none (ENTRY_FORMAT_VERSION guards stored entries).
  const folds = (snap.index.folds as FoldIndex | undefined) ?? [];
  const n = Math.floor(folds.length / FOLD_FIELDS);
  const lineOnly = options.lineFoldingOnly === true;
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    starts.push(folds[i * FOLD_FIELDS]!);
    ends.push(folds[i * FOLD_FIELDS + 1]!);
  }
  const limit = options.rangeLimit;
  const keep = typeof limit === 'number' && Number.isFinite(limit) && limit >= 0 ? limitByLevel(starts, ends, Math.floor(limit)) : undefined;
  const out: FoldingRange[] = [];
  for (let i = 0; i < n; i++) {
    if (keep && !keep[i]) continue;
    const at = i * FOLD_FIELDS;
    const kind = KIND_NAMES[folds[at + 4]!];
    let range: FoldingRange;
    if (lineOnly) {
      range = { startLine: folds[at]!, endLine: folds[at + 1]! };
    } else {
      range = { startLine: folds[at]!, endLine: folds[at + 2]! };
      if (folds[at + 3]! >= 0) range.endCharacter = folds[at + 3]!;
    }
    if (kind) range.kind = kind;
    out.push(range);
  }
  return out;
}
