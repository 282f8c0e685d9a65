// Iterative tree walks (never recursion: 100,000 nested brackets must not
// overflow the stack).
import type { Tree, TreeCursor } from 'web-tree-sitter';

/**
 * Pre-order walk over every node with a cursor. `visit` returns false to skip
 * the node's children.
 */
export function walkCursor(tree: Tree, visit: (cursor: TreeCursor) => boolean | void): void {
  const cursor = tree.walk();
  try {
    for (;;) {
      const descend = visit(cursor) !== false;
      if (descend && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** One line per node, pre-order: "type start end startRow:startCol endRow:endCol" (+ " MISSING"). */
export function serializeNodes(tree: Tree): string[] {
  const out: string[] = [];
  walkCursor(tree, (c) => {
    const s = c.startPosition;
    const e = c.endPosition;
    out.push(`${c.nodeType} ${c.startIndex} ${c.endIndex} ${s.row}:${s.column} ${e.row}:${e.column}${c.nodeIsMissing ? ' MISSING' : ''}`);
  });
  return out;
}
