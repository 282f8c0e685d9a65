// Reference-counted ownership of a web-tree-sitter Tree. A tree lives in WASM
// memory and must be deleted exactly once, but never while an async reader
// still walks it: readers acquire/release, the owner retires, and the tree is
// deleted when both have happened.
import type { Tree } from 'web-tree-sitter';

let liveTrees = 0;

/** Trees created and not yet deleted, process-wide (a leak check for tests and stats). */
export function liveTreeCount(): number {
  return liveTrees;
}

export class TreeRef {
  private refs = 0;
  private retired = false;
  private deleted = false;

  constructor(readonly tree: Tree) {
    liveTrees++;
  }

  get pinned(): boolean {
    return this.refs > 0;
  }

  get alive(): boolean {
    return !this.deleted && !this.retired;
  }

  acquire(): Tree {
    if (this.retired || this.deleted) throw new Error('TreeRef.acquire on a retired tree');
    this.refs++;
    return this.tree;
  }

  release(): void {
    if (this.refs <= 0) throw new Error('TreeRef.release without acquire');
    this.refs--;
    this.collect();
  }

  /** The owner lets go: the tree is deleted now, or when its last reader releases it. */
  retire(): void {
    this.retired = true;
    this.collect();
  }

  private collect(): void {
    if (this.retired && this.refs === 0 && !this.deleted) {
      this.deleted = true;
      liveTrees--;
      this.tree.delete();
    }
  }
}
