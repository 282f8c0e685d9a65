// Where the server may read: inside the workspace folders and the cache
// directory, and never through a symlink that leads elsewhere. Every read of
// user files outside the workspace walk (which has its own rules, see
// workspace/walker.ts) goes through here: completion documentation of closed
// files and .editorconfig lookups. Every read and refusal is audited.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { audit, errorCode } from './telemetry/audit.js';

/** Whether `child` is `parent` or inside it (not a sibling sharing the prefix). */
function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

export class ReadPolicy {
  constructor(
    /** Workspace folders (as the client named them). */
    private readonly roots: () => readonly string[],
    /** Extra allowed directories (the cache directory). */
    private readonly extra: () => readonly string[] = () => [],
  ) {}

  /** The workspace folder that contains `p` (lexically, after normalizing `..`), if any. */
  rootOf(p: string): string | undefined {
    const abs = path.resolve(p);
    return this.roots()
      .map((r) => path.resolve(r))
      .filter((r) => inside(abs, r))
      .sort((a, b) => b.length - a.length)[0];
  }

  /**
   * Whether reading `p` stays inside: the path (with `..` resolved) is in a
   * workspace folder or an extra directory, and so is its real path (no symlink
   * leads out). A path that does not exist is allowed only lexically.
   */
  allows(p: string): boolean {
    const abs = path.resolve(p);
    const dirs = [...this.roots(), ...this.extra()].map((d) => path.resolve(d));
    if (!dirs.some((d) => inside(abs, d))) return false;
    let real: string;
    try {
      real = fs.realpathSync(abs);
    } catch {
      return true; // nothing there to read
    }
    return dirs.some((d) => inside(real, realOrSelf(d)));
  }

  /** Read a file as UTF-8 if the policy allows it (audited either way); undefined when refused, missing or larger than maxBytes. */
  readText(p: string, maxBytes = 4 * 1024 * 1024): string | undefined {
    const abs = path.resolve(p);
    if (!this.allows(abs)) {
      audit('denied', abs, 'outside-workspace');
      return undefined;
    }
    return readFileAudited(abs, maxBytes);
  }
}

/** Read a file (no policy check), auditing the outcome; undefined when missing, unreadable or larger than maxBytes. */
export function readFileAudited(abs: string, maxBytes = Infinity): string | undefined {
  try {
    const st = fs.statSync(abs);
    if (!st.isFile()) return undefined;
    if (st.size > maxBytes) {
      audit('read', abs, 'too-large', { bytes: st.size });
      return undefined;
    }
    const text = fs.readFileSync(abs, 'utf8');
    audit('read', abs, 'ok', { bytes: st.size });
    return text;
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') audit('read', abs, errorCode(err));
    return undefined;
  }
}

/**
 * Read `dir/name` only when no component of `name` is a symlink (git does not
 * follow a symlinked .gitignore either); undefined when missing or refused.
 * For ignore files found during the workspace walk.
 */
export function readUnlinked(dir: string, name: string, dirReal?: string): string | undefined {
  const full = path.join(dir, name);
  if (name.includes('/') || name.includes(path.sep)) {
    // O_NOFOLLOW guards only the last component: a symlinked directory on the
    // way (e.g. .git -> elsewhere) is checked before anything is opened.
    let real: string;
    try {
      real = fs.realpathSync.native(full);
    } catch {
      return undefined;
    }
    if (real !== path.join(dirReal ?? realOrSelf(dir), name)) {
      audit('denied', full, 'symlink');
      return undefined;
    }
  }
  let fd: number;
  try {
    fd = fs.openSync(full, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ELOOP') audit('denied', full, 'symlink');
    else if (code !== 'ENOENT' && code !== 'ENOTDIR') audit('read', full, code);
    return undefined;
  }
  try {
    const text = fs.readFileSync(fd, 'utf8');
    audit('read', full, 'ok', { bytes: Buffer.byteLength(text) });
    return text;
  } catch (err) {
    audit('read', full, errorCode(err));
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
