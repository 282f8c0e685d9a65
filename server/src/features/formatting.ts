// textDocument/formatting, rangeFormatting and onTypeFormatting from
// grammars/<language>/indents.scm.
//
// The formatter only ever rewrites the whitespace *between* leaf tokens of the
// CST (the "gaps"); the text of every token stays as it is, with one
// exception that prettier makes too: a block comment whose continuation lines
// all start with `*` (JSDoc style) moves with its first line (each
// continuation line becomes the new indentation + " " + its text after its
// leading whitespace). A gap that holds anything but spaces, tabs and line
// breaks (a backslash line continuation, a form feed) is left alone, and so
// is every gap inside a node captured @indent.ignore or near a syntax error.
//
// All language knowledge lives in indents.scm; this module knows only the
// capture convention (helix / nvim-treesitter names):
//
//   @indent.begin    lines after the node's first line, inside the node, get
//                    one more level. Several begin nodes that start on the
//                    same line add one level together (`foo(function () {`
//                    indents its body once).
//                    With (#set! indent.from "parent") the level starts at the
//                    parent's first line instead (a brace-less statement body).
//   @indent.end, @indent.branch, @indent.dedent
//                    a line that starts with this node (a closing bracket,
//                    `else`, `case`) gets one level less.
//   @indent.zero     a line that starts with this node has no indentation
//                    (C preprocessor directives).
//   @indent.align    lines inside the node keep their indentation relative to
//                    the node's first line: they move by as much as that line
//                    moved (aligned arguments, continued conditions).
//   @indent.auto     lines inside the node keep their indentation (only their
//                    trailing whitespace and blank-line runs are formatted):
//                    indentation-significant languages capture their root.
//   @indent.ignore   every gap strictly inside the node is left exactly as it
//                    is (strings, template literals, heredocs, <pre>).
//   @format.newline.before / @format.newline.after
//   @format.space.before / @format.space.after
//                    "complete" spacing: when the query has any @format.*
//                    capture, every gap between two tokens is decided: a line
//                    break (blank lines kept up to the cap) when a rule asks
//                    for one, else one space when a rule asks for one, else
//                    nothing. Comments keep their line break or get a space.
//                    In this mode each begin node counts one level (lines are
//                    being made, so "same line" is not known).
//   @_anything       helper captures for predicates; ignored.
//
// Whitespace rules, from the request's FormattingOptions (see
// resolveOptions): trailing whitespace is removed (never after a backslash),
// blank-line runs are capped at maxBlankLines (default 2), the file ends with
// exactly one line break. Lines inside multi-line tokens are never touched.
// A region around an ERROR or MISSING node (the node's lines plus one line on
// each side; for MISSING the lines of its parent) is left as it is.
//
// Edits are minimal: one TextEdit per changed gap, trimmed to the characters
// that differ. Positions come from text.positionAt of UTF-16 offsets; line
// numbers are computed from the text with LSP's line breaks (\n, \r\n, \r),
// never from tree-sitter rows. Walks are iterative (cursor), never recursive.
import type { Node, Query, Tree, TreeCursor } from 'web-tree-sitter';
import type { FormattingOptions, Position, Range, TextEdit } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar, LanguageSpec } from '../syntax/grammars.js';
import { boundedCapturesChecked } from '../syntax/queries.js';

/** What the formatter needs of a document (vscode-languageserver-textdocument's TextDocument fits). */
export interface FormatText {
  getText(): string;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  readonly lineCount: number;
}

export type FormatOptions = FormattingOptions & { maxBlankLines?: number };

/** Defaults for what neither the request nor .editorconfig says. */
export const FORMAT_DEFAULTS = {
  tabSize: 4,
  insertSpaces: true,
  trimTrailingWhitespace: true,
  insertFinalNewline: true,
  trimFinalNewlines: true,
  maxBlankLines: 2,
} as const;

interface Resolved {
  unit: string;
  tabSize: number;
  trimTrailing: boolean;
  insertFinalNewline: boolean;
  trimFinalNewlines: boolean;
  maxBlank: number;
}

function resolveOptions(o: Partial<FormatOptions>): Resolved {
  const tabSize = Number.isInteger(o.tabSize) && o.tabSize! > 0 ? Math.min(o.tabSize!, 64) : FORMAT_DEFAULTS.tabSize;
  const insertSpaces = o.insertSpaces ?? FORMAT_DEFAULTS.insertSpaces;
  const maxBlank = Number.isInteger(o.maxBlankLines) && o.maxBlankLines! >= 0 ? o.maxBlankLines! : FORMAT_DEFAULTS.maxBlankLines;
  return {
    unit: insertSpaces ? ' '.repeat(tabSize) : '\t',
    tabSize,
    trimTrailing: o.trimTrailingWhitespace ?? FORMAT_DEFAULTS.trimTrailingWhitespace,
    insertFinalNewline: o.insertFinalNewline ?? FORMAT_DEFAULTS.insertFinalNewline,
    trimFinalNewlines: o.trimFinalNewlines ?? FORMAT_DEFAULTS.trimFinalNewlines,
    maxBlank,
  };
}

// ---------------------------------------------------------------------------
// Query plan

const enum Flag {
  NewlineBefore = 1,
  NewlineAfter = 2,
  SpaceBefore = 4,
  SpaceAfter = 8,
}

type Role = 'begin' | 'end' | 'zero' | 'auto' | 'align' | 'ignore' | 'nl.before' | 'nl.after' | 'sp.before' | 'sp.after' | 'none';

function roleOf(capture: string): Role {
  switch (capture) {
    case 'indent.begin':
    case 'indent':
      return 'begin';
    case 'indent.end':
    case 'indent.branch':
    case 'indent.dedent':
    case 'outdent':
      return 'end';
    case 'indent.zero':
      return 'zero';
    case 'indent.auto':
      return 'auto';
    case 'indent.align':
      return 'align';
    case 'indent.ignore':
      return 'ignore';
    case 'format.newline.before':
      return 'nl.before';
    case 'format.newline.after':
      return 'nl.after';
    case 'format.space.before':
      return 'sp.before';
    case 'format.space.after':
      return 'sp.after';
    default:
      return 'none';
  }
}

interface Plan {
  roles: Role[];
  complete: boolean;
}

const plans = new WeakMap<Query, Plan>();

function planFor(query: Query): Plan {
  let plan = plans.get(query);
  if (!plan) {
    const roles = query.captureNames.map(roleOf);
    plan = { roles, complete: roles.some((r) => r.startsWith('nl.') || r.startsWith('sp.')) };
    plans.set(query, plan);
  }
  return plan;
}

function indentsQuery(grammar: LoadedGrammar, registry: GrammarRegistry): Query | undefined {
  if (!grammar.spec.queries?.indents) return undefined;
  return registry.query(grammar, 'indents');
}

/** True when the language has indentation queries (the requests are registered for it). */
export function hasFormatter(grammar: LoadedGrammar, registry: GrammarRegistry): boolean {
  return indentsQuery(grammar, registry) !== undefined;
}

type SpecWithOnType = LanguageSpec & { onTypeFormatting?: string[] };

/** The on-type trigger characters: the union over languages of the manifest's "onTypeFormatting" lists. */
export function onTypeTriggers(registry: GrammarRegistry): { first: string; more: string[] } {
  const all = new Set<string>();
  for (const spec of registry.languages as SpecWithOnType[]) {
    if (!spec.queries?.indents) continue;
    for (const ch of spec.onTypeFormatting ?? []) if (typeof ch === 'string' && ch.length === 1) all.add(ch);
  }
  const list = [...all].sort();
  const first = all.has('}') ? '}' : (list[0] ?? '}');
  return { first, more: list.filter((c) => c !== first) };
}

// ---------------------------------------------------------------------------
// Line index (LSP line breaks)

function lineStarts(text: string): Int32Array {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}

function lineOf(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------
// Facts from the query and the tree

interface Interval {
  start: number;
  end: number;
  /** @indent.align: lines inside shift with the node's first line. */
  shift?: boolean;
}

interface BeginNode extends Interval {
  line: number;
}

interface Facts {
  complete: boolean;
  begins: BeginNode[];
  dedentAt: Set<number>;
  /** End offsets of @indent.end tokens: a begin node ending at one is bracketed. */
  closers: Set<number>;
  zeroAt: Set<number>;
  /** Sorted by start; possibly nested. */
  ignore: Interval[];
  auto: Interval[];
  /** Offsets where gaps must not be touched: [start, end) of frozen text. */
  frozen: Interval[];
  before: Map<number, number>;
  after: Map<number, number>;
  hasQuery: boolean;
}

/**
 * window: only the captures inside the top-level node around this offset
 * range are needed (on-type formatting of one line). Index ranges of query
 * options are not used: web-tree-sitter does not convert them to its byte
 * offsets.
 */
function collectFacts(tree: Tree, query: Query | undefined, text: string, starts: Int32Array, window?: Interval): Facts {
  const facts: Facts = {
    complete: false,
    begins: [],
    dedentAt: new Set(),
    closers: new Set(),
    zeroAt: new Set(),
    ignore: [],
    auto: [],
    frozen: [],
    before: new Map(),
    after: new Map(),
    hasQuery: query !== undefined,
  };
  if (query) {
    const plan = planFor(query);
    facts.complete = plan.complete;
    let scope: Node = tree.rootNode;
    if (window) {
      for (let i = 0; i < scope.childCount; i++) {
        const child = scope.child(i);
        if (child && child.startIndex <= window.start && window.end <= child.endIndex) {
          scope = child;
          break;
        }
      }
    }
    // Indentation from a query cut short by its time budget would be wrong: then only
    // what needs no query is done (trailing whitespace, blank lines, final newline).
    const run = boundedCapturesChecked(query, scope, { maxStartDepth: 1_000_000, timeoutMs: 3000 });
    if (!run.complete) facts.complete = false; // keep every line's indentation, as for languages without a full indent query
    const captures = run.complete ? run.captures : [];
    for (const cap of captures) {
      const role = plan.roles[query.captureNames.indexOf(cap.name)] ?? roleOf(cap.name);
      const node = cap.node;
      const start = node.startIndex;
      const end = node.endIndex;
      if (end <= start && role !== 'zero') continue;
      switch (role) {
        case 'begin': {
          // (#set! indent.from "parent"): the level starts with the parent's first line
          // (a statement body without braces: `if (x)` / `  foo();`).
          const from = (cap.setProperties ?? query.setProperties[cap.patternIndex])?.['indent.from'] === 'parent' ? (node.parent?.startIndex ?? start) : start;
          facts.begins.push({ start: from, end, line: lineOf(starts, from) });
          break;
        }
        case 'end':
          facts.dedentAt.add(start);
          facts.closers.add(end);
          break;
        case 'zero':
          facts.zeroAt.add(start);
          break;
        case 'auto':
          facts.auto.push({ start, end });
          break;
        case 'align':
          facts.auto.push({ start, end, shift: true });
          break;
        case 'ignore':
          facts.ignore.push({ start, end });
          break;
        case 'nl.before':
          facts.before.set(start, (facts.before.get(start) ?? 0) | Flag.NewlineBefore);
          break;
        case 'sp.before':
          facts.before.set(start, (facts.before.get(start) ?? 0) | Flag.SpaceBefore);
          break;
        case 'nl.after':
          facts.after.set(end, (facts.after.get(end) ?? 0) | Flag.NewlineAfter);
          break;
        case 'sp.after':
          facts.after.set(end, (facts.after.get(end) ?? 0) | Flag.SpaceAfter);
          break;
        default:
          break;
      }
    }
    facts.begins.sort((a, b) => a.start - b.start || b.end - a.end);
    facts.ignore.sort((a, b) => a.start - b.start || b.end - a.end);
    facts.auto.sort((a, b) => a.start - b.start || b.end - a.end);
  } else {
    facts.auto.push({ start: 0, end: text.length + 1 });
  }
  if (tree.rootNode.hasError) facts.frozen = errorRegions(tree, text, starts);
  return facts;
}

/** Lines around ERROR and MISSING nodes, as offset intervals (descends only into subtrees that have errors). */
function errorRegions(tree: Tree, text: string, starts: Int32Array): Interval[] {
  const out: Interval[] = [];
  const lineSpan = (from: number, to: number): Interval => {
    const l0 = Math.max(0, lineOf(starts, from) - 1);
    const l1 = Math.min(starts.length - 1, lineOf(starts, to) + 1);
    return { start: starts[l0]!, end: l1 + 1 < starts.length ? starts[l1 + 1]! : text.length + 1 };
  };
  const stack: Node[] = [tree.rootNode];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.isError) {
      out.push(lineSpan(node.startIndex, node.endIndex));
      continue;
    }
    if (node.isMissing) {
      const parent = node.parent ?? node;
      out.push(lineSpan(parent.startIndex, parent.endIndex));
      continue;
    }
    if (!node.hasError) continue;
    for (let i = node.childCount - 1; i >= 0; i--) {
      const child = node.child(i);
      if (child && (child.hasError || child.isMissing || child.isError)) stack.push(child);
    }
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** Sweeps intervals sorted by start for queries at non-decreasing offsets: "is [gs, ge] strictly inside one?". */
class Containment {
  private i = 0;
  private readonly open: Interval[] = [];
  constructor(private readonly list: Interval[]) {}
  /** Some interval has start < from and to < end (strict: a gap at a node's edge is outside it). */
  strictlyInside(from: number, to: number): boolean {
    while (this.i < this.list.length && this.list[this.i]!.start < from) this.open.push(this.list[this.i++]!);
    let inside = false;
    for (let k = this.open.length - 1; k >= 0; k--) {
      const iv = this.open[k]!;
      if (iv.end <= from) {
        this.open.splice(k, 1);
        continue;
      }
      if (to < iv.end) inside = true;
    }
    return inside;
  }
  /** The innermost interval with start < p < end, if any (p non-decreasing across calls). */
  innermost(p: number): Interval | undefined {
    while (this.i < this.list.length && this.list[this.i]!.start < p) this.open.push(this.list[this.i++]!);
    let best: Interval | undefined;
    for (let k = this.open.length - 1; k >= 0; k--) {
      const iv = this.open[k]!;
      if (iv.end <= p) {
        this.open.splice(k, 1);
        continue;
      }
      if (!best || iv.start > best.start) best = iv;
    }
    return best;
  }
  /** Some interval overlaps [from, to] (inclusive edges). */
  touches(from: number, to: number): boolean {
    while (this.i < this.list.length && this.list[this.i]!.start <= to) this.open.push(this.list[this.i++]!);
    let hit = false;
    for (let k = this.open.length - 1; k >= 0; k--) {
      const iv = this.open[k]!;
      if (iv.end < from) {
        this.open.splice(k, 1);
        continue;
      }
      hit = true;
    }
    return hit;
  }
}

/**
 * Indentation levels at non-decreasing offsets, from the begin nodes (a stack
 * sweep, no recursion). A line's level is one more than the level of the line
 * where the innermost begin node around it starts (so `foo(function () {`
 * indents its body once, and a body after a multi-line parameter list is
 * indented from the `) {` line). In "count" mode (complete spacing, where
 * lines are being made) it is the number of begin nodes around it.
 */
class Levels {
  private i = 0;
  private readonly stack: BeginNode[] = [];
  /** Per line whose level was computed here: the begin node it was indented by. */
  private readonly owner = new Map<number, BeginNode>();
  /** The innermost begin node around the offset of the last call. */
  lastTop: BeginNode | undefined;
  constructor(
    private readonly facts: Facts,
    private readonly count: boolean,
    private readonly lineLevel: (line: number) => number,
  ) {}
  /** The level of the line `line` whose first token starts at `p`. */
  at(p: number, line = -1): number {
    const { begins } = this.facts;
    const stack = this.stack;
    while (this.i < begins.length && begins[this.i]!.start < p) {
      const b = begins[this.i++]!;
      while (stack.length && stack[stack.length - 1]!.end <= b.start) stack.pop();
      stack.push(b);
    }
    while (stack.length && stack[stack.length - 1]!.end <= p) stack.pop();
    if (this.facts.zeroAt.has(p)) return 0;
    const top = stack[stack.length - 1];
    this.lastTop = top;
    if (top && line >= 0) this.owner.set(line, top);
    let level = 0;
    if (top && this.count) level = stack.length;
    else if (top) {
      // The base is the line where `top` starts; but when that line is itself inside a
      // bracketed begin node that closed before `top` starts (`  b: string): void {` after a
      // broken parameter list), the base is the line where that bracket opened.
      let baseLine = top.line;
      for (let guard = 0; guard < 16; guard++) {
        const a = this.owner.get(baseLine);
        if (!a || a === top || a.end > top.start || !this.facts.closers.has(a.end) || a.line >= baseLine) break;
        baseLine = a.line;
      }
      level = this.lineLevel(baseLine) + 1;
    }
    if (this.facts.dedentAt.has(p)) level--;
    return Math.max(0, level);
  }
}

function firstCodeOffset(text: string, lineStart: number): number {
  let i = lineStart;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/** Index of the first interval (sorted by start) whose start is > offset. */
function upperBound(list: Interval[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The indentation level of a line as it is in the text (tabs to the next multiple of tabSize). */
function measureLevel(text: string, lineStart: number, tabSize: number): number {
  let col = 0;
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col = col - (col % tabSize) + tabSize;
    else break;
  }
  return Math.floor(col / tabSize);
}

// ---------------------------------------------------------------------------
// The engine

interface RawEdit {
  start: number;
  end: number;
  newText: string;
}

const WS_ONLY = /^[ \t\r\n]*$/;
const LINE_BREAK = /\r\n|\r|\n/g;
const COMMENT = /comment/;

function indentString(level: number, unit: string): string {
  return level > 0 ? unit.repeat(level) : '';
}

/** Split a whitespace gap into line contents and the line breaks between them. */
function splitLines(gap: string): { lines: string[]; breaks: string[] } {
  const lines: string[] = [];
  const breaks: string[] = [];
  let last = 0;
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(gap); m; m = LINE_BREAK.exec(gap)) {
    lines.push(gap.slice(last, m.index));
    breaks.push(m[0]);
    last = m.index + m[0].length;
  }
  lines.push(gap.slice(last));
  return { lines, breaks };
}

function detectEol(text: string): string {
  const m = /\r\n|\r|\n/.exec(text);
  return m ? m[0] : '\n';
}

interface Leaf {
  start: number;
  end: number;
  type: string;
}

/** Non-empty leaves in document order (iterative cursor walk). */
function* leaves(tree: Tree): Generator<Leaf> {
  const cursor: TreeCursor = tree.walk();
  try {
    for (;;) {
      if (cursor.gotoFirstChild()) continue;
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      if (end > start) yield { start, end, type: cursor.nodeType };
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

interface EngineResult {
  edits: RawEdit[];
}

function engine(tree: Tree, doc: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, options: Partial<FormatOptions>): EngineResult {
  const text = doc.getText();
  const opts = resolveOptions(options);
  const starts = lineStarts(text);
  const query = indentsQuery(grammar, registry);
  const facts = collectFacts(tree, query, text, starts);
  /** Level given to each line so far (-1: not computed; measured from the text instead). */
  const given = new Int32Array(starts.length).fill(-1);
  // The level of an earlier line, as the base of the lines a begin node on it indents: the level
  // given to it, or, for a line kept as it is inside an @indent.auto node (an aligned argument
  // list, a continued condition), the level of the line where that node starts, else as measured.
  const lineLevel = (line: number): number => {
    for (let guard = 0; guard < 64; guard++) {
      if (given[line]! >= 0) return given[line]!;
      const first = firstCodeOffset(text, starts[line]!);
      let owner: Interval | undefined;
      for (let k = upperBound(facts.auto, first) - 1; k >= 0; k--) {
        const iv = facts.auto[k]!;
        if (iv.start < first && first < iv.end && (!owner || iv.start > owner.start)) owner = iv;
        if (k < facts.auto.length - 64) break;
      }
      if (!owner || owner.start === 0) break;
      const ownerLine = lineOf(starts, owner.start);
      if (ownerLine >= line) break;
      line = ownerLine;
    }
    return given[line]! >= 0 ? given[line]! : measureLevel(text, starts[line]!, opts.tabSize);
  };
  const levels = new Levels(facts, facts.complete, lineLevel);
  const ignore = new Containment(facts.ignore);
  const auto = new Containment(facts.auto);
  const frozen = new Containment(facts.frozen);
  const eol = detectEol(text);
  const edits: RawEdit[] = [];

  const push = (start: number, end: number, desired: string): void => {
    const original = text.slice(start, end);
    if (original === desired) return;
    // Same line structure: one edit per changed line segment.
    const o = splitLines(original);
    const d = splitLines(desired);
    if (o.breaks.length > 0 && o.breaks.length === d.breaks.length && o.breaks.every((b, k) => b === d.breaks[k])) {
      let at = start;
      for (let k = 0; k < o.lines.length; k++) {
        pushOne(at, at + o.lines[k]!.length, d.lines[k]!);
        at += o.lines[k]!.length + (o.breaks[k]?.length ?? 0);
      }
      return;
    }
    pushOne(start, end, desired);
  };
  const pushOne = (start: number, end: number, desired: string): void => {
    const original = text.slice(start, end);
    if (original === desired) return;
    // Trim the common prefix and suffix: only the characters that differ.
    let a = 0;
    const max = Math.min(original.length, desired.length);
    while (a < max && original.charCodeAt(a) === desired.charCodeAt(a)) a++;
    let b = 0;
    while (b < max - a && original.charCodeAt(original.length - 1 - b) === desired.charCodeAt(desired.length - 1 - b)) b++;
    // Never split a \r\n pair.
    while (a > 0 && original.charCodeAt(a - 1) === 13 && (original.charCodeAt(a) === 10 || desired.charCodeAt(a) === 10)) a--;
    while (b > 0 && original.charCodeAt(original.length - b) === 10 && original.charCodeAt(original.length - b - 1) === 13) b--;
    edits.push({ start: start + a, end: end - b, newText: desired.slice(a, desired.length - b) });
  };

  // Trailing whitespace of a line: removable unless it follows a backslash.
  const trailing = (s: string, gapStart: number): string => {
    if (!opts.trimTrailing || s.length === 0) return s;
    return gapStart > 0 && text.charCodeAt(gapStart - 1) === 92 ? s : '';
  };

  let prev: Leaf | undefined;
  /** Indentation written before the previous leaf (undefined: its line was left as it was). */

  const isEofGap = (next: Leaf | undefined): boolean => next === undefined;
  let computed = false;
  const gap = (gs: number, ge: number, next: Leaf | undefined): string | undefined => {
    const original = text.slice(gs, ge);
    if (!WS_ONLY.test(original)) return undefined;
    if (!prev && isEofGap(next)) return opts.trimTrailing || opts.trimFinalNewlines ? '' : original;
    if (frozen.touches(gs, ge)) return undefined;
    if (ignore.strictlyInside(gs, ge)) return undefined;
    const { lines, breaks } = splitLines(original);
    const isEof = next === undefined;
    let wantNewline = breaks.length > 0;
    let space = '';
    if (facts.complete && prev && next) {
      const flags = (facts.after.get(prev.end) ?? 0) | (facts.before.get(next.start) ?? 0);
      const comment = COMMENT.test(prev.type) || COMMENT.test(next.type);
      if (COMMENT.test(next.type) && breaks.length === 0) {
        // A trailing comment stays on its line.
        wantNewline = false;
        space = ' ';
      } else if (flags & (Flag.NewlineAfter | Flag.NewlineBefore)) wantNewline = true;
      else if (!(comment && breaks.length > 0)) {
        wantNewline = false;
        space = flags & (Flag.SpaceAfter | Flag.SpaceBefore) || comment ? ' ' : '';
      }
    }
    if (!wantNewline) {
      if (isEof) {
        if (prev && opts.insertFinalNewline) return trailing(original, gs) + eol;
        return trailing(original, gs);
      }
      return facts.complete && prev ? space : original;
    }
    // Line breaks: trailing whitespace of the first line, blank lines, indentation of the last.
    const parts: string[] = [];
    const nBreaks = Math.max(1, breaks.length);
    let keepBreaks = Math.min(nBreaks, opts.maxBlank + 1);
    if (isEof && opts.trimFinalNewlines) keepBreaks = 1;
    if (!prev) keepBreaks = Math.min(nBreaks, opts.maxBlank); // blank lines at the start of the file
    if (breaks.length === 0) {
      parts.push(eol);
    } else {
      parts.push(trailing(lines[0]!, gs));
      // The first kept breaks are the original ones (and the blank lines between them).
      for (let k = 0; k < keepBreaks; k++) {
        parts.push(breaks[k]!);
        if (k < keepBreaks - 1) parts.push(opts.trimTrailing ? '' : lines[k + 1]!);
      }
      if (!prev && keepBreaks === 0) parts.length = 0;
    }
    if (isEof) {
      const last = lines[lines.length - 1]!;
      if (breaks.length > 0 && keepBreaks === nBreaks) parts.push(opts.trimTrailing ? '' : last);
      return parts.join('');
    }
    const indent = lineIndent(next, lines[lines.length - 1]!);
    parts.push(indent ?? lines[lines.length - 1]!);
    return parts.join('');
  };

  /** The indentation of the line that `next` starts (undefined: keep it). */
  const lineIndent = (next: Leaf, current: string): string | undefined => {
    const line = lineOf(starts, next.start);
    const level = levels.at(next.start, line);
    const owner = auto.innermost(next.start);
    // A bracket that opens inside an @indent.align node (a lambda body in an argument list)
    // indents its lines again.
    const nested = owner?.shift && levels.lastTop !== undefined && levels.lastTop.start > owner.start;
    if (owner && !nested) {
      if (!owner.shift) return undefined;
      // @indent.align: keep the line's position relative to the node's first line.
      const ownerLine = lineOf(starts, owner.start);
      const delta = (newCols.get(ownerLine) ?? columns(text, starts[ownerLine]!)) - columns(text, starts[ownerLine]!);
      if (delta === 0) return undefined;
      const cols = Math.max(0, columnsOf(current) + delta);
      newCols.set(line, cols);
      return opts.unit === '\t' ? '\t'.repeat(Math.floor(cols / opts.tabSize)) + ' '.repeat(cols % opts.tabSize) : ' '.repeat(cols);
    }
    computed = true;
    given[line] = level;
    const indent = indentString(level, opts.unit);
    newCols.set(line, columnsOf(indent));
    return indent;
  };
  const columnsOf = (ws: string): number => {
    let col = 0;
    for (let i = 0; i < ws.length; i++) col = ws.charCodeAt(i) === 9 ? col - (col % opts.tabSize) + opts.tabSize : col + 1;
    return col;
  };
  const columns = (t: string, lineStart: number): number => columnsOf(/^[ \t]*/.exec(t.slice(lineStart, lineStart + 256))![0]);
  /** New indentation width (columns) of the lines given one. */
  const newCols = new Map<number, number>();

  for (const leaf of leaves(tree)) {
    const gs = prev ? prev.end : 0;
    const ge = leaf.start;
    if (ge < gs) continue; // overlapping leaves (should not happen): skip
    computed = false;
    const desired = gap(gs, ge, leaf);
    let indentOfLeaf: string | undefined;
    if (desired !== undefined) {
      push(gs, ge, desired);
      const nl = Math.max(desired.lastIndexOf('\n'), desired.lastIndexOf('\r'));
      if (nl >= 0 || !prev) indentOfLeaf = desired.slice(nl + 1);
    }
    // JSDoc-style block comments move with their first line.
    if (computed && indentOfLeaf !== undefined && leaf.end - leaf.start > 4 && text.startsWith('/*', leaf.start)) jsdoc(leaf, indentOfLeaf);
    prev = leaf;
  }
  {
    const gs = prev ? prev.end : 0;
    if (gs < text.length || (prev && opts.insertFinalNewline)) {
      const desired = gap(gs, text.length, undefined);
      if (desired !== undefined) push(gs, text.length, desired);
    }
  }

  function jsdoc(leaf: Leaf, indent: string): void {
    const body = text.slice(leaf.start, leaf.end);
    const { lines, breaks } = splitLines(body);
    if (breaks.length === 0) return;
    for (let k = 1; k < lines.length; k++) if (!/^[ \t]*\*/.test(lines[k]!)) return;
    if (frozen.touches(leaf.start, leaf.end)) return;
    let offset = leaf.start + lines[0]!.length + breaks[0]!.length;
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]!;
      const ws = /^[ \t]*/.exec(line)![0];
      push(offset, offset + ws.length, indent + ' ');
      offset += line.length + (breaks[k]?.length ?? 0);
    }
  }

  return { edits };
}

function toTextEdits(doc: FormatText, edits: RawEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
}

// ---------------------------------------------------------------------------
// Public API

/** Edits that format the whole document. */
export function formatDocument(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, options: FormatOptions): TextEdit[] {
  return toTextEdits(text, engine(tree, text, grammar, registry, options).edits);
}

/** Edits of formatDocument that touch the lines of `range` (a line is formatted whole: its indentation and its trailing whitespace). */
export function formatRange(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, range: Range, options: FormatOptions): TextEdit[] {
  const content = text.getText();
  const starts = lineStarts(content);
  const firstLine = Math.max(0, Math.min(range.start.line, starts.length - 1));
  let lastLine = Math.max(firstLine, Math.min(range.end.line, starts.length - 1));
  // A range that ends at the start of a line does not include that line.
  if (range.end.line > range.start.line && range.end.character === 0) lastLine = Math.max(firstLine, lastLine - 1);
  const from = starts[firstLine]!;
  const to = lastLine + 1 < starts.length ? starts[lastLine + 1]! : content.length + 1;
  const edits = engine(tree, text, grammar, registry, options).edits.filter((e) => {
    // Edits of the range's lines: the edit starts or ends on one of them.
    const s = e.start;
    const t = Math.max(e.start, e.end - 1);
    return (s >= from && s < to) || (t >= from && t < to) || (s < from && e.end > to);
  });
  return toTextEdits(text, edits);
}

/**
 * Edits after the user typed `ch` at `position` (the position after the
 * character). A closing character re-indents its line; a line break indents
 * the new line (even while it is blank) and trims the previous line's
 * trailing whitespace.
 */
export function formatOnType(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, position: Position, ch: string, options: FormatOptions): TextEdit[] {
  const spec = grammar.spec as SpecWithOnType;
  if (!(spec.onTypeFormatting ?? []).includes(ch)) return [];
  const content = text.getText();
  const starts = lineStarts(content);
  const line = Math.min(position.line, starts.length - 1);
  if (ch !== '\n') return formatRange(tree, text, grammar, registry, { start: { line, character: 0 }, end: { line, character: 0 } }, options);

  const opts = resolveOptions(options);
  const query = indentsQuery(grammar, registry);
  if (!query) return [];
  const lineStart = starts[line]!;
  const lineEnd = line + 1 < starts.length ? starts[line + 1]! : content.length;
  const lineText = content.slice(lineStart, lineEnd).replace(/[\r\n]+$/, '');
  const ws = /^[ \t]*/.exec(lineText)![0];
  const edits: TextEdit[] = [];
  // The previous line's trailing whitespace, when it lies between tokens.
  if (line > 0 && opts.trimTrailing) {
    const prevStart = starts[line - 1]!;
    const prevText = content.slice(prevStart, lineStart).replace(/[\r\n]+$/, '');
    const trimmedLength = prevText.replace(/[ \t]+$/, '').length;
    if (trimmedLength < prevText.length && content.charCodeAt(prevStart + trimmedLength - 1) !== 92) {
      const at = prevStart + trimmedLength;
      const node = tree.rootNode.descendantForIndex(at, prevStart + prevText.length);
      const insideToken = !node || (node.childCount === 0 && node.startIndex < at && node.endIndex > at);
      if (!insideToken) {
        edits.push({ range: { start: text.positionAt(at), end: text.positionAt(prevStart + prevText.length) }, newText: '' });
      }
    }
  }
  // The new line's indentation.
  const p = lineStart + ws.length;
  const node = tree.rootNode.descendantForIndex(Math.max(0, p - 1), p);
  const inToken = node !== null && node.childCount === 0 && node.startIndex < lineStart && node.endIndex > p;
  if (inToken) return edits;
  const facts = collectFacts(tree, query, content, starts, { start: Math.max(0, lineStart - 1), end: Math.min(content.length, p + 1) });
  const auto = facts.auto.some((iv) => iv.start < lineStart && p < iv.end);
  const ignored = facts.ignore.some((iv) => iv.start < lineStart && p < iv.end);
  if (auto || ignored) return edits;
  const level = new Levels(facts, false, (l) => measureLevel(content, starts[l]!, opts.tabSize)).at(p);
  const indent = indentString(level, opts.unit);
  if (indent !== ws) edits.push({ range: { start: text.positionAt(lineStart), end: text.positionAt(p) }, newText: indent });
  return edits;
}
