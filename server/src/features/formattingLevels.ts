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
 * Indentation levels at non-decreasing offsets, from the begin nodes (a stack
 * sweep, no recursion). A line's level is one more than the level of the line
 * where the innermost begin node around it starts (so `foo(function () {`
 * indents its body once, and a body after a multi-line parameter list is
 * indented from the `) {` line). In "count" mode (complete spacing, where
 * lines are being made) it is the number of begin nodes around it.
 */
export class Levels {
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

/** The indentation level of a line as it is in the text (tabs to the next multiple of tabSize). */
export function measureLevel(text: string, lineStart: number, tabSize: number): number {
  let col = 0;
  for (let i = lineStart; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) col++;
    else if (c === 9) col = col - (col % tabSize) + tabSize;
    else break;
  }
  return Math.floor(col / tabSize);
}

