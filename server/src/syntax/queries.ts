// Every feature runs its .scm queries through here. tree-sitter's query time
// grows superlinearly with nesting depth (a symbols query over 16k nested
// JSON arrays took 22 s; 100k never finished), so every run is bounded: a
// start-depth limit and a time budget through the query progress callback.
// A query cut short returns what it matched so far: a partial outline beats a
// frozen editor.
import type { Node, Query, QueryCapture, QueryMatch } from 'web-tree-sitter';

export interface QueryBounds {
  /** Patterns start at most this deep (tree-sitter's maxStartDepth). */
  maxStartDepth?: number;
  /** Wall-clock budget in ms. */
  timeoutMs?: number;
  /** Only nodes intersecting [startIndex, endIndex), in UTF-16 code units (node.startIndex's unit). */
  startIndex?: number;
  endIndex?: number;
}

// web-tree-sitter hands a query's index range to tree-sitter as bytes of its
// UTF-16 input (2 per code unit), while Node.startIndex is in code units.
const BYTES_PER_UNIT = 2;

function range(bounds: QueryBounds) {
  return {
    ...(bounds.startIndex !== undefined ? { startIndex: bounds.startIndex * BYTES_PER_UNIT } : {}),
    ...(bounds.endIndex !== undefined ? { endIndex: bounds.endIndex * BYTES_PER_UNIT } : {}),
  };
}

export const DEFAULT_QUERY_BOUNDS: Required<Pick<QueryBounds, 'maxStartDepth' | 'timeoutMs'>> = { maxStartDepth: 256, timeoutMs: 1000 };

function options(bounds: QueryBounds) {
  const deadline = performance.now() + (bounds.timeoutMs ?? DEFAULT_QUERY_BOUNDS.timeoutMs);
  return {
    maxStartDepth: bounds.maxStartDepth ?? DEFAULT_QUERY_BOUNDS.maxStartDepth,
    ...range(bounds),
    // web-tree-sitter stops the query when this returns true (its .d.ts says void).
    progressCallback: (() => performance.now() > deadline) as unknown as () => void,
  };
}

export function boundedMatches(query: Query, node: Node, bounds: QueryBounds = {}): QueryMatch[] {
  return query.matches(node, options(bounds));
}

export function boundedCaptures(query: Query, node: Node, bounds: QueryBounds = {}): QueryCapture[] {
  return query.captures(node, options(bounds));
}

/** Captures, and whether the run finished within its budget (callers that must not act on partial results check it). */
export function boundedCapturesChecked(query: Query, node: Node, bounds: QueryBounds = {}): { captures: QueryCapture[]; complete: boolean } {
  const deadline = performance.now() + (bounds.timeoutMs ?? DEFAULT_QUERY_BOUNDS.timeoutMs);
  let cut = false;
  const captures = query.captures(node, {
    maxStartDepth: bounds.maxStartDepth ?? DEFAULT_QUERY_BOUNDS.maxStartDepth,
    ...range(bounds),
    progressCallback: (() => {
      if (performance.now() > deadline) cut = true;
      return cut;
    }) as unknown as () => void,
  });
  return { captures, complete: !cut };
}
