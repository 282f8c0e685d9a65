// The formatting engine: walks the leaves of the tree and decides every gap
// between two tokens (line breaks kept or made, blank-line runs capped,
// indentation from the levels, trailing whitespace), producing minimal edits.
import type { Tree, TreeCursor } from 'web-tree-sitter';
import type { TextEdit } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { Flag, collectFacts, indentsQuery, lineOf, lineStarts, type Interval } from './formattingFacts.js';
import { Containment, Levels, firstCodeOffset, measureCols, upperBound } from './formattingLevels.js';
import { resolveOptions, type FormatOptions, type FormatText } from './formattingOptions.js';

// ---------------------------------------------------------------------------
// The engine

export interface RawEdit {
  start: number;
  end: number;
  newText: string;
}

const WS_ONLY = /^[ \t\r\n]*$/;
const LINE_BREAK = /\r\n|\r|\n/g;
const COMMENT = /comment/;

/** Indentation of `cols` columns: spaces, or tabs (of tabSize columns) then spaces for the rest. */
export function indentString(cols: number, opts: { unit: string; tabSize: number }): string {
  if (cols <= 0) return '';
  return opts.unit === '\t' ? '\t'.repeat(Math.floor(cols / opts.tabSize)) + ' '.repeat(cols % opts.tabSize) : ' '.repeat(cols);
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

export interface Leaf {
  start: number;
  end: number;
  type: string;
}

/** Non-empty leaves in document order (iterative cursor walk). */
/**
 * The tokens of the tree in document order (iterative cursor walk): its
 * non-empty leaves, except that a comment is one token even when the grammar
 * gives it children (tree-sitter-rust's `//` and `///` comments leave their
 * text outside any child, and a doc comment's last child ends with the line
 * break).
 */
export function* leaves(tree: Tree): Generator<Leaf> {
  const cursor: TreeCursor = tree.walk();
  try {
    for (;;) {
      if (!(cursor.nodeIsNamed && COMMENT.test(cursor.nodeType)) && cursor.gotoFirstChild()) continue;
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

export function engine(tree: Tree, doc: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, options: Partial<FormatOptions>): EngineResult {
  const text = doc.getText();
  const opts = resolveOptions(options);
  const starts = lineStarts(text);
  const query = indentsQuery(grammar, registry);
  const facts = collectFacts(tree, query, text, starts);
  /** Indentation columns given to each line so far (-1: not computed; measured from the text instead). */
  const given = new Int32Array(starts.length).fill(-1);
  // The indentation of an earlier line, as the base of the lines a begin node on it indents:
  // the columns given to it, or, for a line kept as it is inside an @indent.auto node (an
  // aligned argument list, a continued condition), those of the line where that node starts,
  // else as measured.
  const lineCols = (line: number): number => {
    for (let guard = 0; guard < 64; guard++) {
      if (given[line]! >= 0) return given[line]!;
      const first = firstCodeOffset(text, starts[line]!);
      let owner: Interval | undefined;
      const ub = upperBound(facts.auto, first);
      for (let k = ub - 1; k >= 0 && k >= ub - 256; k--) {
        const iv = facts.auto[k]!;
        if (iv.start < first && first < iv.end) {
          owner = iv; // the innermost: intervals are sorted by start, so the first hit starts last
          break;
        }
      }
      if (!owner || owner.start === 0) break;
      const ownerLine = lineOf(starts, owner.start);
      if (ownerLine >= line) break;
      line = ownerLine;
    }
    return given[line]! >= 0 ? given[line]! : measureCols(text, starts[line]!, opts.tabSize);
  };
  // The new column of a token on an earlier line (alignment target): its line's new
  // indentation plus its distance from the line's first token.
  const colAt = (offset: number): number => {
    const line = lineOf(starts, offset);
    const cols = given[line]! >= 0 ? given[line]! : (newCols.get(line) ?? measureCols(text, starts[line]!, opts.tabSize));
    return cols + (offset - firstCodeOffset(text, starts[line]!));
  };
  const levels = new Levels(facts, facts.complete, opts.tabSize, lineCols, colAt, text);
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

  /** A comment, or a token of line breaks (C's preprocessor), that ends its line itself. */
  const endsLine = (leaf: Leaf): boolean => {
    const c = text.charCodeAt(leaf.end - 1);
    if (c !== 10 && c !== 13) return false;
    return COMMENT.test(leaf.type) || WS_ONLY.test(text.slice(leaf.start, leaf.end));
  };
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
    if (prev && !facts.complete && endsLine(prev)) {
      // The previous token ends its line itself (a Rust `///` doc comment, C's `#if x` line break):
      // this gap is the next line's indentation, after any blank lines.
      if (isEof) return opts.trimFinalNewlines ? '' : opts.trimTrailing ? breaks.join('') : original;
      const parts: string[] = [];
      for (let k = 0; k < Math.min(breaks.length, opts.maxBlank); k++) parts.push(opts.trimTrailing ? '' : lines[k]!, breaks[k]!);
      const last = lines[lines.length - 1]!;
      parts.push(lineIndent(next!, last) ?? last);
      return parts.join('');
    }
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
    const cols = levels.at(next.start, line);
    const owner = auto.innermost(next.start);
    // A bracket that opens inside an @indent.auto or @indent.align node (a lambda body in an
    // argument list; any bracket in Python, whose lines are otherwise kept) indents its lines.
    const nested = owner !== undefined && levels.lastTop !== undefined && levels.lastTop.start > owner.start;
    if (owner && !nested) {
      if (!owner.shift) return undefined;
      // @indent.align: keep the line's position relative to the node's first line.
      const ownerLine = lineOf(starts, owner.start);
      const delta = (newCols.get(ownerLine) ?? columns(text, starts[ownerLine]!)) - columns(text, starts[ownerLine]!);
      if (delta === 0) return undefined;
      const shifted = Math.max(0, columnsOf(current) + delta);
      newCols.set(line, shifted);
      return indentString(shifted, opts);
    }
    computed = true;
    given[line] = cols;
    newCols.set(line, cols);
    return indentString(cols, opts);
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
      if (nl >= 0 || !prev || endsLine(prev)) indentOfLeaf = desired.slice(nl + 1);
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

export function toTextEdits(doc: FormatText, edits: RawEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
}

