// Real files on this machine used as test and benchmark corpora.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './lsp.js';

let stdlib: string | undefined;

/** The Python standard library of the python3 on PATH. */
export function pythonStdlib(): string {
  if (!stdlib) {
    stdlib = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  }
  return stdlib;
}

/** Python stdlib files (not tests, not site-packages), sorted, with sizes within [minBytes, maxBytes]. */
export function pythonFiles(count: number, minBytes = 2_000, maxBytes = 60_000): string[] {
  const root = pythonStdlib();
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      if (out.length >= count) return;
      const p = path.join(dir, name);
      if (/^(test|tests|site-packages|idlelib|lib2to3|__pycache__)$/.test(name)) continue;
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.py') && st.size >= minBytes && st.size <= maxBytes) out.push(p);
    }
  };
  walk(root);
  return out;
}

export interface CorpusFile {
  path: string;
  languageId: string;
}

/** A mixed-language sample of real files: TypeScript, JavaScript, Python, JSON, C. */
export function mixedCorpus(): CorpusFile[] {
  const nm = path.join(repoRoot, 'node_modules');
  const files: CorpusFile[] = [
    { path: path.join(nm, 'typescript/lib/lib.es2015.promise.d.ts'), languageId: 'typescript' },
    { path: path.join(nm, 'typescript/lib/lib.es2015.collection.d.ts'), languageId: 'typescript' },
    { path: path.join(nm, 'pino/lib/proto.js'), languageId: 'javascript' },
    { path: path.join(nm, 'pino/lib/tools.js'), languageId: 'javascript' },
    { path: path.join(nm, 'typescript/package.json'), languageId: 'json' },
    { path: '/usr/include/stdio.h', languageId: 'c' },
  ];
  for (const p of pythonFiles(4)) files.push({ path: p, languageId: 'python' });
  return files.filter((f) => fs.existsSync(f.path));
}

/** Files under dir whose names match, found iteratively (no recursion, no symlinked directories), at most `cap` directory entries visited; `skip` names are not entered. */
export function filesUnder(dir: string, match: RegExp, cap = 50_000, skip = /^(\.git|__pycache__)$/): string[] {
  const out: string[] = [];
  const stack = [dir];
  let seen = 0;
  while (stack.length && seen < cap) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      seen++;
      if (skip.test(e.name)) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && match.test(e.name)) out.push(p);
    }
  }
  return out.sort();
}
