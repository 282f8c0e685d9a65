// Walks workspace folders for files of known languages: honours .gitignore and
// .ignore files (the `ignore` library), skips node_modules, .git and build
// output by default, applies include/exclude globs (picomatch), caps the file
// count and size, and never follows a symlink (out of the workspace, into a
// loop, or to a place the walk reaches at its own path). admit() applies the
// same rules to one path (watched-file events). Asynchronous and iterative, so
// a huge tree neither blocks the event loop nor overflows the stack.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { GrammarRegistry } from '../syntax/grammars.js';
import { readUnlinked } from '../access.js';
import { audit, errorCode } from '../telemetry/audit.js';

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

export type SkipReason =
  | 'ignored'
  | 'excluded'
  | 'too-large'
  | 'binary'
  | 'not-utf8'
  | 'symlink-outside'
  | 'symlink-loop'
  | 'symlink-inside'
  | 'unreadable'
  | 'file-limit'
  /** admit(): not under any workspace folder. */
  | 'outside'
  /** admit(): not a regular file of a known language, or not matched by the include globs (the walk skips these silently). */
  | 'not-source';

export interface WalkOptions {
  roots: string[];
  registry: GrammarRegistry;
  include?: string[];
  exclude?: string[];
  /** Replace DEFAULT_EXCLUDES (e.g. [] to index node_modules). */
  defaultExcludes?: string[];
  maxFiles: number;
  maxFileBytes: number;
  /** Paths the server itself writes (cache dir, log and audit files): never indexed, whatever the globs say. */
  serverPaths?: string[];
  signal?: AbortSignal;
}

export interface WalkedFile {
  path: string;
  root: string;
  language: string;
  size: number;
  /** The file's stat signature when walked (workspace/manifest.ts: unchanged files are not read again). */
  stat?: FileSignature;
}

/** What tells a file changed without reading it: size, times and inode (as git's index does). */
export interface FileSignature {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

function signature(st: fs.Stats): FileSignature {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

export interface WalkSummary {
  files: number;
  skipped: Map<SkipReason, number>;
  /** Examples of skipped paths per reason (a few each), for logs and summaries. */
  examples: Map<SkipReason, string[]>;
  fileLimitHit: boolean;
}

/** A workspace folder: the path the client named (what URIs are built from) and its real path (for containment). */
interface Root {
  dir: string;
  real: string;
}

/** The rules of one ignore file (or several of one directory), relative to that directory. */
interface IgnoreLayer {
  base: string;
  ig: Ignore;
}

interface Frame {
  dir: string;
  /** Real path of `dir` (no symlink is followed below a root, so it is the root's real path + the same relative path). */
  real: string;
  root: Root;
  /** Ignore layers of this directory and its ancestors, outermost first. */
  ignores: IgnoreLayer[];
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (a cache dir not created yet). */
function realPathOfMaybeMissing(p: string): string {
  const rest: string[] = [];
  for (let dir = p; ; ) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return p;
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** Whether `child` is `parent` or inside it (not a sibling sharing the prefix). */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function readIgnoreFile(dir: string, names: string[]): Ignore | undefined {
  let ig: Ignore | undefined;
  for (const name of names) {
    // Never through a symlink (git refuses symlinked ignore files too): it could lead out of the workspace.
    const content = readUnlinked(dir, name);
    if (content === undefined) continue;
    ig ??= ignore();
    ig.add(content);
  }
  return ig;
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/**
 * Symlinks are never followed: one that leads out of the workspace is skipped
 * (symlink-outside), one that leads to the directory it is in or an ancestor is
 * a loop, and any other leads to something inside the workspace that the walk
 * reaches at its own path (symlink-inside): each file is indexed once, under
 * the path an editor opens it by, whatever the order of names.
 */
export class Walker {
  readonly summary: WalkSummary = { files: 0, skipped: new Map(), examples: new Map(), fileLimitHit: false };
  private readonly isExcluded: (rel: string) => boolean;
  private readonly isIncluded: ((rel: string) => boolean) | undefined;
  private readonly roots: Root[];
  /** serverPaths, resolved and by real path (the walk compares real paths). */
  private readonly own: string[];

  constructor(private readonly options: WalkOptions) {
    this.own = (options.serverPaths ?? []).filter(Boolean).flatMap((p) => {
      const abs = path.resolve(p);
      return [abs, realPathOfMaybeMissing(abs)];
    });
    const excludes = [...(options.defaultExcludes ?? DEFAULT_EXCLUDES), ...(options.exclude ?? [])];
    this.isExcluded = excludes.length ? picomatch(excludes, { dot: true }) : () => false;
    this.isIncluded = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
    const seen = new Set<string>();
    this.roots = [];
    for (const r of options.roots) {
      const dir = path.resolve(r);
      let real: string;
      try {
        real = fs.realpathSync(dir);
      } catch {
        real = dir;
      }
      if (seen.has(real)) continue;
      seen.add(real);
      this.roots.push({ dir, real });
    }
  }

  private skip(reason: SkipReason, p: string): void {
    this.summary.skipped.set(reason, (this.summary.skipped.get(reason) ?? 0) + 1);
    const ex = this.summary.examples.get(reason) ?? [];
    if (ex.length < 5) ex.push(p);
    this.summary.examples.set(reason, ex);
  }

  /** A root's own layers: .git/info/exclude below its .gitignore/.ignore (git's precedence; .ignore over .gitignore as ripgrep). */
  private rootIgnores(root: Root): IgnoreLayer[] {
    const layers: IgnoreLayer[] = [];
    const exclude = readIgnoreFile(root.dir, [path.join('.git', 'info', 'exclude')]);
    if (exclude) layers.push({ base: root.dir, ig: exclude });
    return this.withOwnIgnores(root.dir, layers);
  }

  private withOwnIgnores(dir: string, layers: IgnoreLayer[]): IgnoreLayer[] {
    const own = readIgnoreFile(dir, ['.gitignore', '.ignore']);
    return own ? [...layers, { base: dir, ig: own }] : layers;
  }

  /**
   * As git: the deepest ignore file with a rule for the path decides (so a
   * nested `!name` re-includes what a parent's pattern ignored); within one
   * file the last matching rule wins. Callers never descend into an ignored
   * directory, so its contents cannot be re-included (git's rule too).
   */
  private ignoredByFiles(full: string, isDir: boolean, ignores: readonly IgnoreLayer[]): boolean {
    for (let i = ignores.length - 1; i >= 0; i--) {
      const { base, ig } = ignores[i]!;
      const rel = toPosix(path.relative(base, full));
      if (!rel) continue;
      const verdict = ig.test(isDir ? `${rel}/` : rel);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }

  /** Excluded by a glob, ignored by an ignore file, or the server's own; undefined when none. */
  private filtered(rel: string, full: string, isDir: boolean, ignores: readonly IgnoreLayer[], real?: string): SkipReason | undefined {
    if (this.own.length && this.own.some((o) => isInside(full, o) || (real !== undefined && isInside(real, o)))) return 'excluded';
    if (this.isExcluded(isDir ? `${rel}/` : rel) || (isDir && this.isExcluded(`${rel}/x`))) return 'excluded';
    if (this.ignoredByFiles(full, isDir, ignores)) return 'ignored';
    return undefined;
  }

  private async symlinkReason(full: string, dirReal: string): Promise<SkipReason> {
    let real: string;
    try {
      real = await fs.promises.realpath(full);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlink-loop' : 'unreadable';
    }
    if (!this.roots.some((r) => isInside(real, r.real))) return 'symlink-outside';
    if (isInside(dirReal, real)) return 'symlink-loop';
    return 'symlink-inside';
  }

  /** The language of a file the include globs admit; undefined otherwise. */
  private language(name: string, rel: string): string | undefined {
    if (this.isIncluded && !this.isIncluded(rel)) return undefined;
    return this.options.registry.resolve(undefined, name)?.id;
  }

  /** Files of known languages, in a stable order (directories depth-first, names sorted). */
  async *files(): AsyncGenerator<WalkedFile> {
    const stack: Frame[] = [];
    const rootReals = new Set(this.roots.map((r) => r.real));
    for (let i = this.roots.length - 1; i >= 0; i--) {
      const root = this.roots[i]!;
      stack.push({ dir: root.dir, real: root.real, root, ignores: this.rootIgnores(root) });
    }
    while (stack.length) {
      if (this.options.signal?.aborted) return;
      const frame = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(frame.dir, { withFileTypes: true });
        audit('list', frame.dir, 'ok');
      } catch (err) {
        audit('list', frame.dir, errorCode(err));
        this.skip('unreadable', frame.dir);
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: Frame[] = [];
      for (const entry of entries) {
        const full = path.join(frame.dir, entry.name);
        const rel = toPosix(path.relative(frame.root.dir, full));
        if (entry.isSymbolicLink()) {
          this.skip(this.filtered(rel, full, false, frame.ignores) ?? (await this.symlinkReason(full, frame.real)), full);
          continue;
        }
        const isDir = entry.isDirectory();
        if (!isDir && !entry.isFile()) continue;
        const why = this.filtered(rel, full, isDir, frame.ignores, path.join(frame.real, entry.name));
        if (why) {
          this.skip(why, full);
          continue;
        }
        if (isDir) {
          const real = path.join(frame.real, entry.name);
          // Another workspace folder nested in this one is walked as its own root.
          if (rootReals.has(real)) continue;
          subdirs.push({ dir: full, real, root: frame.root, ignores: this.withOwnIgnores(full, frame.ignores) });
          continue;
        }
        const language = this.language(entry.name, rel);
        if (!language) continue;
        if (this.summary.files >= this.options.maxFiles) {
          this.summary.fileLimitHit = true;
          this.skip('file-limit', full);
          continue;
        }
        let st: fs.Stats;
        try {
          st = await fs.promises.stat(full);
        } catch {
          this.skip('unreadable', full);
          continue;
        }
        if (st.size > this.options.maxFileBytes) {
          this.skip('too-large', full);
          continue;
        }
        this.summary.files++;
        yield { path: full, root: frame.root.dir, language, size: st.size, stat: signature(st) };
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }

  /**
   * Whether the walk would yield this one path (a watched-file event, a closed
   * document): the same rules, checked component by component from the
   * deepest workspace folder that contains it. No file limit (the caller
   * knows the index size).
   */
  async admit(p: string): Promise<WalkedFile | { skip: SkipReason }> {
    const abs = path.resolve(p);
    const root = this.roots.filter((r) => abs !== r.dir && isInside(abs, r.dir)).sort((a, b) => b.dir.length - a.dir.length)[0];
    if (!root) return { skip: 'outside' };
    const parts = path.relative(root.dir, abs).split(path.sep);
    let ignores = this.rootIgnores(root);
    let dir = root.dir;
    let real = root.real;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const full = path.join(dir, name);
      const rel = toPosix(path.relative(root.dir, full));
      const last = i === parts.length - 1;
      let st: fs.Stats;
      try {
        st = await fs.promises.lstat(full);
      } catch {
        return { skip: 'unreadable' };
      }
      if (st.isSymbolicLink()) return { skip: this.filtered(rel, full, false, ignores) ?? (await this.symlinkReason(full, real)) };
      const isDir = st.isDirectory();
      if (last ? !st.isFile() : !isDir) return { skip: 'not-source' };
      const why = this.filtered(rel, full, isDir, ignores, path.join(real, name));
      if (why) return { skip: why };
      if (!last) {
        ignores = this.withOwnIgnores(full, ignores);
        dir = full;
        real = path.join(real, name);
        continue;
      }
      const language = this.language(name, rel);
      if (!language) return { skip: 'not-source' };
      if (st.size > this.options.maxFileBytes) return { skip: 'too-large' };
      return { path: full, root: root.dir, language, size: st.size, stat: signature(st) };
    }
    return { skip: 'not-source' };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Read a workspace file as text: undefined with a reason for binary (NUL bytes) or non-UTF-8 content. */
export async function readSourceFile(p: string): Promise<{ text: string; bytes: number } | { skip: SkipReason }> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(p);
  } catch (err) {
    audit('read', p, errorCode(err));
    return { skip: 'unreadable' };
  }
  const result: { text: string; bytes: number } | { skip: SkipReason } = bytes.subarray(0, 8192).includes(0) ? { skip: 'binary' } : decodeUtf8(bytes);
  audit('read', p, 'skip' in result ? result.skip : 'ok', { bytes: bytes.length });
  return result;
}

function decodeUtf8(bytes: Buffer): { text: string; bytes: number } | { skip: SkipReason } {
  try {
    return { text: utf8.decode(bytes), bytes: bytes.length };
  } catch {
    return { skip: 'not-utf8' };
  }
}
