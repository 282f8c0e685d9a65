// A digest of a tree's whole shape: every node's type, depth and UTF-16 range,
// in preorder. Two trees of the same text have the same digest exactly when
// they have the same nodes in the same places (up to a 64-bit hash collision).
//
// The idle confirmation compares the live incremental tree with the worker's
// full parse by it (cache/tiers.ts). A node count alone misses what
// tree-sitter's incremental parse can leave behind: the fuzz test found a
// JavaScript tree, edited back to its original text, whose comment hung under
// the preceding if_statement where a fresh parse puts it after it; same node
// count, different shape.
//
// Walking costs about 0.75 µs per node on the main thread (25 ms for the
// 35,000 nodes of _pydecimal.py), so the live tree's digest is taken in slices
// (step), and given up when the document changes meanwhile.
import type { Tree, TreeCursor } from 'web-tree-sitter';

export class ShapeDigest {
  private cursor: TreeCursor | null;
  private depth = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x9747b28c;
  private nodes = 0;
  private done = false;

  constructor(tree: Tree) {
    this.cursor = tree.walk();
  }

  private mix(v: number): void {
    this.h1 = Math.imul(this.h1 ^ v, 0x01000193) >>> 0;
    this.h2 = Math.imul((this.h2 << 5) | (this.h2 >>> 27), 0x5bd1e995) ^ v;
  }

  /** Walk on for about `budgetMs` (Infinity: to the end). True once the whole tree is in the digest. */
  step(budgetMs: number): boolean {
    const c = this.cursor;
    if (this.done || !c) return this.done;
    const until = performance.now() + budgetMs;
    for (let k = 1; ; k++) {
      this.mix(c.nodeTypeId);
      this.mix(this.depth);
      this.mix(c.startIndex);
      this.mix(c.endIndex);
      this.nodes++;
      if (c.gotoFirstChild()) this.depth++;
      else {
        while (!c.gotoNextSibling()) {
          if (!c.gotoParent()) {
            this.done = true;
            this.dispose();
            return true;
          }
          this.depth--;
        }
      }
      if ((k & 255) === 0 && performance.now() > until) return false;
    }
  }

  /** The digest, once step() returned true: node count and two 32-bit hashes. */
  get value(): string {
    if (!this.done) throw new Error('shape digest read before the walk ended');
    return `${this.nodes}:${this.h1.toString(16)}:${(this.h2 >>> 0).toString(16)}`;
  }

  /** Free the cursor (done at the end of the walk; call it when giving up). */
  dispose(): void {
    this.cursor?.delete();
    this.cursor = null;
  }
}

/** The digest of a whole tree, in one go (worker threads). */
export function shapeDigest(tree: Tree): string {
  const d = new ShapeDigest(tree);
  try {
    d.step(Infinity);
    return d.value;
  } finally {
    d.dispose();
  }
}
