// What the indents query says about a tree, as offsets: begin nodes, dedent
// and zero points, ignore/auto/align intervals, complete-spacing flags, and
// the regions around syntax errors that are left alone. Also the line index
// (LSP line breaks) the rest of the formatter uses.
import type { Node, Query, Tree } from 'web-tree-sitter';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { boundedCapturesChecked } from '../syntax/queries.js';

// ---------------------------------------------------------------------------
// Query plan

export const enum Flag {
  NewlineBefore = 1,
  NewlineAfter = 2,
  SpaceBefore = 4,
  SpaceAfter = 8,
}

type Role = 'begin' | 'end' | 'zero' | 'auto' | 'align' | 'anchor' | 'ignore' | 'nl.before' | 'nl.after' | 'sp.before' | 'sp.after' | 'none';

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
    case 'indent.anchor':
      return 'anchor';
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

export function indentsQuery(grammar: LoadedGrammar, registry: GrammarRegistry): Query | undefined {
  if (!grammar.spec.queries?.indents) return undefined;
  return registry.query(grammar, 'indents');
}

/** True when the language has indentation queries (the requests are registered for it). */
// ---------------------------------------------------------------------------
// Line index (LSP line breaks)

export function lineStarts(text: string): Int32Array {
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

export function lineOf(starts: Int32Array, offset: number): number {
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

export interface Interval {
  start: number;
  end: number;
  /** @indent.align: lines inside shift with the node's first line. */
  shift?: boolean;
}

export interface BeginNode extends Interval {
  line: number;
  /** Levels the lines inside get (#set! indent.levels N; default 1). */
  levels: number;
  /** Lines inside are aligned to the column of the token at this offset (@indent.align with indent.align "open" or "start"). */
  alignAt?: number;
  /** indent.align "column": indent.levels from the alignment column, dedent lines at it. */
  column?: boolean;
}

export interface Facts {
  complete: boolean;
  begins: BeginNode[];
  dedentAt: Set<number>;
  /** Dedent tokens with (#set! indent.alone "true"): start -> end; they dedent only when nothing follows them on their line. */
  dedentAlone: Map<number, number>;
  /** @indent.end tokens, end -> start: a begin node ending at one is bracketed. */
  closers: Map<number, number>;
  zeroAt: Set<number>;
  /** @indent.anchor nodes, sorted by start, with their first line. */
  anchors: BeginNode[];
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
function levelsOf(props: Record<string, string | null> | undefined): number {
  const n = Number(props?.['indent.levels'] ?? 1);
  return Number.isInteger(n) && n >= 0 && n <= 8 ? n : 1;
}

export function collectFacts(tree: Tree, query: Query | undefined, text: string, starts: Int32Array, window?: Interval): Facts {
  const facts: Facts = {
    complete: false,
    begins: [],
    dedentAt: new Set(),
    dedentAlone: new Map(),
    closers: new Map(),
    zeroAt: new Set(),
    anchors: [],
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
    // One begin node per range: a later pattern in the query overrides an earlier one for the
    // same node (`(class_body) @indent.begin` first, then a rule with properties for some).
    const beginAt = new Map<string, { index: number; pattern: number }>();
    const addBegin = (b: BeginNode, pattern: number): void => {
      const key = `${b.start}:${b.end}`;
      const seen = beginAt.get(key);
      if (!seen) {
        beginAt.set(key, { index: facts.begins.length, pattern });
        facts.begins.push(b);
      } else if (pattern >= seen.pattern) {
        facts.begins[seen.index] = b;
        seen.pattern = pattern;
      }
    };
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
          const props = cap.setProperties ?? query.setProperties[cap.patternIndex];
          // (#set! indent.base "parent"): lines inside the node are indented from the parent's
          // first line (a function body after a header broken over several lines).
          // (#set! indent.from "parent.name"): from the parent's child of that field (a
          // declaration's name, after its modifiers and annotations).
          const fromProp = props?.['indent.from'];
          let from = start;
          if (fromProp === 'parent') from = node.parent?.startIndex ?? start;
          else if (fromProp?.startsWith('parent.')) from = node.parent?.childForFieldName(fromProp.slice(7))?.startIndex ?? node.parent?.startIndex ?? start;
          const base = props?.['indent.base'] === 'parent' ? (node.parent?.startIndex ?? from) : from;
          addBegin({ start: from, end, line: lineOf(starts, base), levels: levelsOf(props) }, cap.patternIndex);
          break;
        }
        case 'end':
          facts.dedentAt.add(start);
          if ((cap.setProperties ?? query.setProperties[cap.patternIndex])?.['indent.alone'] === 'true') facts.dedentAlone.set(start, end);
          facts.closers.set(end, start);
          break;
        case 'zero':
          facts.zeroAt.add(start);
          break;
        case 'auto':
          facts.auto.push({ start, end });
          break;
        case 'anchor':
          facts.anchors.push({ start, end, line: lineOf(starts, start), levels: 0 });
          break;
        case 'align': {
          const props = cap.setProperties ?? query.setProperties[cap.patternIndex];
          const mode = props?.['indent.align'];
          if (mode === 'open' || mode === 'start' || mode === 'column') {
            // "open": align with the first token after the opening delimiter when it is on the
            // delimiter's line, else indent by indent.levels (a node that does not start with a
            // delimiter, like Ruby's `foo a,` / `  b`, aligns with its start);
            // "start": align with the node's start;
            // "column": indent by indent.levels from the node's start column, and lines that
            // start with a dedent token (`else`, `end`) at that column (Ruby's `x = if`).
            const line = lineOf(starts, start);
            let alignAt: number | undefined = start;
            const opener = node.child(0);
            if (mode === 'open' && opener && !opener.isNamed) {
              const first = node.childCount > 2 ? node.child(1) : null;
              alignAt = first && lineOf(starts, first.startIndex) === line ? first.startIndex : undefined;
            }
            const column = mode === 'column';
            addBegin({ start, end, line, levels: levelsOf(props), alignAt, column }, cap.patternIndex);
            // A bracket: what follows it is based on its first line.
            if (mode === 'open') facts.closers.set(end, node.lastChild?.startIndex ?? end);
          } else facts.auto.push({ start, end, shift: true });
          break;
        }
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
    facts.anchors.sort((a, b) => a.start - b.start || b.end - a.end);
  } else {
    facts.auto.push({ start: 0, end: text.length + 1 });
  }
  if (tree.rootNode.hasError) facts.frozen = errorRegions(tree, text, starts);
  return facts;
}

/** Lines around ERROR and MISSING nodes, as offset intervals (descends only into subtrees that have errors). */
export function errorRegions(tree: Tree, text: string, starts: Int32Array): Interval[] {
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
