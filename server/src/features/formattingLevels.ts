// Sweeps over the facts at non-decreasing offsets: interval containment and
// the indentation level of a line from the begin nodes around it.
import type { Facts, BeginNode, Interval } from './formattingFacts.js';

export class Containment {
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
 * Indentation (in columns) at non-decreasing offsets, from the begin nodes (a
 * stack sweep, no recursion). A line inside a begin node gets the columns of
 * the line where that node starts plus the node's levels (so `foo(function
 * () {` indents its body once, and a body after a multi-line parameter list is
 * indented from the `) {` line); inside an aligned node it gets the column of
 * the node's alignment token. In "count" mode (complete spacing, where lines
 * are being made) it is the number of begin nodes around it, in levels.
 */
interface Chain {
  node: BeginNode;
  up: Chain | undefined;
}

export class Levels {
  private i = 0;
  private readonly stack: BeginNode[] = [];
  /** The stack as a persistent chain (innermost first), so that a line keeps a snapshot for free. */
  private readonly chains: Chain[] = [];
  /** Per line whose indentation was computed here: the begin nodes around it then. */
  private readonly owner = new Map<number, Chain>();
  /** Per such line: the offset of its first token. */
  private readonly first = new Map<number, number>();
  /** The innermost begin node around the offset of the last call. */
  lastTop: BeginNode | undefined;
  constructor(
    private readonly facts: Facts,
    private readonly count: boolean,
    /** Columns of one level. */
    private readonly unit: number,
    /** The (new) indentation columns of an earlier line. */
    private readonly lineCols: (line: number) => number,
    /** The (new) column of the token at an offset on an earlier line. */
    private readonly colAt: (offset: number) => number,
    private readonly text?: string,
  ) {}
  /**
   * The columns a begin node's levels count from: its base line's indentation, or, when an
   * @indent.anchor node around it starts on that line after its first token, the anchor's
   * column (prettier's ternary branches: `? function () {` indents its body from `function`).
   */
  private baseCols(top: BeginNode, baseLine: number): number {
    const anchors = this.facts.anchors;
    if (anchors.length) {
      let lo = 0;
      let hi = anchors.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (anchors[mid]!.start <= top.start) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo - 1; k >= 0 && k >= lo - 32; k--) {
        const a = anchors[k]!;
        if (a.end >= top.end && a.line === baseLine) return this.colAt(a.start);
      }
    }
    return this.lineCols(baseLine);
  }
  /** A dedent token with indent.alone dedents only when nothing but whitespace follows it on its line. */
  private aloneOk(p: number): boolean {
    const end = this.facts.dedentAlone.get(p);
    if (end === undefined || !this.text) return true;
    for (let i = end; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 10 || c === 13) return true;
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }
  /** The indentation columns of the line `line` whose first token starts at `p`. */
  at(p: number, line = -1): number {
    const { begins } = this.facts;
    const stack = this.stack;
    const chains = this.chains;
    while (this.i < begins.length && begins[this.i]!.start < p) {
      const b = begins[this.i++]!;
      while (stack.length && stack[stack.length - 1]!.end <= b.start) {
        stack.pop();
        chains.pop();
      }
      chains.push({ node: b, up: chains[chains.length - 1] });
      stack.push(b);
    }
    while (stack.length && stack[stack.length - 1]!.end <= p) {
      stack.pop();
      chains.pop();
    }
    if (this.facts.zeroAt.has(p)) return 0;
    const top = stack[stack.length - 1];
    this.lastTop = top;
    if (top && line >= 0) {
      this.owner.set(line, chains[chains.length - 1]!);
      this.first.set(line, p);
    }
    if (!top) return 0;
    const dedent = this.facts.dedentAt.has(p) && this.aloneOk(p);
    if (this.count) return Math.max(0, stack.length - (dedent ? 1 : 0)) * this.unit;
    if (top.alignAt !== undefined && top.column) return this.colAt(top.alignAt) + (dedent ? 0 : top.levels * this.unit);
    if (top.alignAt !== undefined && !dedent) return this.colAt(top.alignAt);
    // The base is the line where `top` starts; but when that line is itself inside a
    // bracketed begin node that closed before `top` starts (`  b: string): void {` after a
    // broken parameter list), the base is the line where that bracket opened.
    let baseLine = top.line;
    for (let guard = 0; guard < 16; guard++) {
      // The outermost such bracket (not when the line starts with its closing token: the
      // line was indented for it, `><img`).
      const first = this.first.get(baseLine);
      let a: BeginNode | undefined;
      for (let c = this.owner.get(baseLine); c; c = c.up) {
        const b = c.node;
        if (b.end <= top.start && b.line < baseLine && this.facts.closers.has(b.end) && this.facts.closers.get(b.end) !== first) a = b;
      }
      if (!a) break;
      baseLine = a.line;
    }
    // A closing bracket (or `else`, `case`) sits at the base line's indentation.
    const levels = top.alignAt !== undefined || dedent ? 0 : top.levels;
    return Math.max(0, this.baseCols(top, baseLine) + levels * this.unit);
  }
}

export function firstCodeOffset(text: string, lineStart: number): number {
  let i = lineStart;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

/** Index of the first interval (sorted by start) whose start is > offset. */
export function upperBound(list: Interval[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The indentation columns of a line as it is in the text (tabs to the next multiple of tabSize). */
export function measureCols(text: string, lineStart: number, tabSize: number): number {
  let col = 0;
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col = col - (col % tabSize) + tabSize;
    else break;
  }
  return col;
}
