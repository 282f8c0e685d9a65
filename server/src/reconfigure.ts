// Settings that change while the server runs (workspace/didChangeConfiguration)
// and need more than a new value: the workspace index follows new include,
// exclude and limit settings by walking again (unchanged files come from the
// disk store without a parse) and dropping the files the new rules leave out.
import type { Settings } from './config.js';
import { WorkspaceIndex } from './workspace/index.js';

/** Whether the workspace walk's rules changed (a re-index is due). */
export function indexSettingsChanged(a: Settings, b: Settings): boolean {
  return JSON.stringify(a.index) !== JSON.stringify(b.index);
}

/** Settings read once at startup: a change is logged as taking effect on restart. */
export function restartOnlyChanges(a: Settings, b: Settings): string[] {
  return (['cacheDir', 'diskMb', 'segmentSize', 'maxWorkers', 'backgroundWorkers'] as const).filter((k) => a[k] !== b[k]);
}

/**
 * The workspace index, remembering in which indexing run (generation) each
 * file was last set, so that a re-index can drop what it no longer reaches.
 */
export class TrackedWorkspaceIndex extends WorkspaceIndex {
  private readonly generationOf = new Map<string, number>();
  private generation = 0;

  override set(...args: Parameters<WorkspaceIndex['set']>): void {
    super.set(...args);
    this.generationOf.set(args[0], this.generation);
  }

  override delete(uri: string): void {
    super.delete(uri);
    this.generationOf.delete(uri);
  }

  override clear(): void {
    super.clear();
    this.generationOf.clear();
  }

  /** Begin a new indexing run; returns its generation. */
  nextGeneration(): number {
    return ++this.generation;
  }

  /** Remove files not set since `generation` began (every file when Infinity), except those `keep` accepts. Returns how many went. */
  pruneBefore(generation: number, keep: (uri: string) => boolean): number {
    let removed = 0;
    for (const [uri, g] of [...this.generationOf]) {
      if (g >= generation || keep(uri)) continue;
      this.delete(uri);
      removed++;
    }
    return removed;
  }
}
