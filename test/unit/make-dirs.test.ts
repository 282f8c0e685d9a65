// makeDirs (server/src/makeDirs.ts): mkdir -p that ends on every path.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDirs } from '../../server/src/makeDirs.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-makedirs-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('makeDirs', () => {
  it('creates every missing parent, and accepts an existing directory', () => {
    const root = tmp();
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirs(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    makeDirs(deep);
    makeDirs(root);
  });

  it('refuses a path through a file (ENOTDIR) and through a dangling symlink (EEXIST)', () => {
    const root = tmp();
    fs.writeFileSync(path.join(root, 'file'), 'x');
    expect(() => makeDirs(path.join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    fs.symlinkSync(path.join(root, 'missing-target'), path.join(root, 'dangling'));
    expect(() => makeDirs(path.join(root, 'dangling', 'sub'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  // fs.mkdirSync(..., { recursive: true }) never returns on this path (Node 20 and 22 on Linux).
  it.skipIf(process.platform !== 'linux')('ends with ENOENT under /proc, where the parent exists but refuses children', () => {
    expect(() => makeDirs(`/proc/cst-makedirs-${process.pid}/a/b`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
