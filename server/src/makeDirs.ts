// `mkdir -p` that always ends. fs.mkdirSync(dir, { recursive: true }) spins
// forever at 100% CPU on Linux when a parent exists but answers ENOENT for a
// child it cannot hold (anything under /proc or /sys): Node's loop takes the
// ENOENT to mean "parent missing", creates the parent (EEXIST) and tries the
// child again. A cache dir, log file or audit log set to such a path froze the
// whole server, deaf even to its input closing. Here every missing component
// is created once, without `recursive`, and the first refusal is final.
import * as fs from 'node:fs';
import * as path from 'node:path';

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Create `dir` and its missing parents; throws the first error (ENOTDIR when a component is a file). */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let cur = path.resolve(dir); ; ) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(cur);
    } catch (err) {
      const parent = path.dirname(cur);
      if (code(err) !== 'ENOENT' || parent === cur) throw err;
      missing.push(cur);
      cur = parent;
      continue;
    }
    if (!stat.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${cur}'`), { code: 'ENOTDIR', path: cur });
    break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      // Created meanwhile by another process (two servers starting together): fine if it is a directory.
      if (code(err) === 'EEXIST' && fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw err;
    }
  }
}
