// Walks workspace folders for files of known languages: honours .gitignore and
// .ignore files (the `ignore` library), skips node_modules, .git and build
// output by default, applies include/exclude globs (picomatch), caps the file
// count and size, and never follows a symlink out of the workspace or into a
// loop. Asynchronous and iterative, so a huge tree neither blocks the event
// loop nor overflows the stack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { GrammarRegistry } from '../syntax/grammars.js';

export const DEFAULT_EXCLUDES = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.hg/**',
  '**/.svn/**',
  '**/dist/**',
  '**/build/**',
  '**/out/**',
  '**/target/**',
  '**/__pycache__/**',
  '**/.venv/**',
  '**/venv/**',
  '**/.tox/**',
  '**/.mypy_cache/**',
  '**/coverage/**',
  '**/.next/**',
];

export type SkipReason = 'ignored' | 'excluded' | 'too-large' | 'binary' | 'not-utf8' | 'symlink-outside' | 'symlink-loop' | 'unreadable' | 'file-limit';

export interface WalkOptions {
  roots: string[];
  registry: GrammarRegistry;
  include?: string[];
  exclude?: string[];
  /** Replace DEFAULT_EXCLUDES (e.g. [] to index node_modules). */
  defaultExcludes?: string[];
  maxFiles: number;
  maxFileBytes: number;
  signal?: AbortSignal;
}

export interface WalkedFile {
  path: string;
  root: string;
  language: string;
  size: number;
}

export interface WalkSummary {
  files: number;
  skipped: Map<SkipReason, number>;
  /** Examples of skipped paths per reason (a few each), for logs and summaries. */
  examples: Map<SkipReason, string[]>;
  fileLimitHit: boolean;
}

interface Frame {
  dir: string;
  root: string;
  /** Ignore matchers of this directory and its ancestors, each with the directory it is relative to. */
  ignores: { base: string; ig: Ignore }[];
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function readIgnoreFile(dir: string, names: string[]): Ignore | undefined {
  let ig: Ignore | undefined;
  for (const name of names) {
    let content: string;
    try {
      content = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    ig ??= ignore();
    ig.add(content);
  }
  return ig;
}

export class Walker {
  readonly summary: WalkSummary = { files: 0, skipped: new Map(), examples: new Map(), fileLimitHit: false };
  private readonly isExcluded: (rel: string) => boolean;
  private readonly isIncluded: ((rel: string) => boolean) | undefined;
  private readonly realRoots: string[];

  constructor(private readonly options: WalkOptions) {
    const excludes = [...(options.defaultExcludes ?? DEFAULT_EXCLUDES), ...(options.exclude ?? [])];
    this.isExcluded = excludes.length ? picomatch(excludes, { dot: true }) : () => false;
    this.isIncluded = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
    this.realRoots = options.roots.map((r) => {
      try {
        return fs.realpathSync(r);
      } catch {
        return path.resolve(r);
      }
    });
  }

  private skip(reason: SkipReason, p: string): void {
    this.summary.skipped.set(reason, (this.summary.skipped.get(reason) ?? 0) + 1);
    const ex = this.summary.examples.get(reason) ?? [];
    if (ex.length < 5) ex.push(p);
    this.summary.examples.set(reason, ex);
  }

  private ignoredByFiles(full: string, isDir: boolean, ignores: Frame['ignores']): boolean {
    for (const { base, ig } of ignores) {
      const rel = path.relative(base, full).split(path.sep).join('/');
      if (rel && ig.ignores(isDir ? `${rel}/` : rel)) return true;
    }
    return false;
  }

  /** Files of known languages, in a stable order (directories depth-first, names sorted). */
  async *files(): AsyncGenerator<WalkedFile> {
    const visited = new Set<string>();
    const stack: Frame[] = [];
    for (let i = this.realRoots.length - 1; i >= 0; i--) {
      const root = this.realRoots[i]!;
      const rootIgnore = readIgnoreFile(root, ['.gitignore', '.ignore', path.join('.git', 'info', 'exclude')]);
      stack.push({ dir: root, root, ignores: rootIgnore ? [{ base: root, ig: rootIgnore }] : [] });
      visited.add(root);
    }
    while (stack.length) {
      if (this.options.signal?.aborted) return;
      const frame = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(frame.dir, { withFileTypes: true });
      } catch {
        this.skip('unreadable', frame.dir);
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: Frame[] = [];
      for (const entry of entries) {
        const full = path.join(frame.dir, entry.name);
        const rel = path.relative(frame.root, full).split(path.sep).join('/');
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let real = full;
        if (entry.isSymbolicLink()) {
          try {
            real = await fs.promises.realpath(full);
            const st = await fs.promises.stat(real);
            isDir = st.isDirectory();
            isFile = st.isFile();
          } catch {
            this.skip('unreadable', full);
            continue;
          }
          if (!this.realRoots.some((r) => isInside(real, r))) {
            this.skip('symlink-outside', full);
            continue;
          }
        }
        if (this.isExcluded(isDir ? `${rel}/` : rel) || (isDir && this.isExcluded(`${rel}/x`))) {
          this.skip('excluded', full);
          continue;
        }
        if (this.ignoredByFiles(full, isDir, frame.ignores)) {
          this.skip('ignored', full);
          continue;
        }
        if (isDir) {
          if (visited.has(real)) {
            this.skip('symlink-loop', full);
            continue;
          }
          visited.add(real);
          const own = readIgnoreFile(full, ['.gitignore', '.ignore']);
          subdirs.push({ dir: full, root: frame.root, ignores: own ? [...frame.ignores, { base: full, ig: own }] : frame.ignores });
          continue;
        }
        if (!isFile) continue;
        if (this.isIncluded && !this.isIncluded(rel)) continue;
        const spec = this.options.registry.resolve(undefined, entry.name);
        if (!spec) continue;
        if (this.summary.files >= this.options.maxFiles) {
          this.summary.fileLimitHit = true;
          this.skip('file-limit', full);
          continue;
        }
        let size: number;
        try {
          size = (await fs.promises.stat(real)).size;
        } catch {
          this.skip('unreadable', full);
          continue;
        }
        if (size > this.options.maxFileBytes) {
          this.skip('too-large', full);
          continue;
        }
        this.summary.files++;
        yield { path: full, root: frame.root, language: spec.id, size };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Read a workspace file as text: undefined with a reason for binary (NUL bytes) or non-UTF-8 content. */
export async function readSourceFile(p: string): Promise<{ text: string } | { skip: SkipReason }> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(p);
  } catch {
    return { skip: 'unreadable' };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { skip: 'binary' };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { skip: 'not-utf8' };
  }
}
