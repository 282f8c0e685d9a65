// cst-cli cache-directory commands end to end: the built CLI is spawned on real
// store directories; exit codes, stdout and stderr are checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SegmentStore } from '../../server/src/cache/segmentStore.js';
import { createLogger } from '../../server/src/log.js';
import { keyOf, payloadOf } from '../fixtures/store/records.mjs';
import { cleanupTemp, cliMain, distBuilt, nobodyCanRun, requireOrSkip, tempDir } from '../fixtures/store/harness.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env: { ...process.env, CST_CACHE_DIR: '', ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T = Record<string, unknown>>(r: Run): T {
  return JSON.parse(r.stdout) as T;
}

async function populate(dir: string, n: number, segmentSize = 16 * 1024): Promise<void> {
  const s = SegmentStore.open(dir, { segmentSize });
  for (let i = 0; i < n; i++) s.put(keyOf('cli', i), i % 4 === 0 ? 'rust' : 'python', payloadOf('cli', i, 1500));
  await s.flush();
  s.close();
}

function segFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'segments')).filter((n) => n.endsWith('.seg')).sort();
}

beforeAll(() => {
  createLogger({ level: 'silent' });
});
afterAll(() => cleanupTemp());

describe('cst-cli store commands', () => {
  it('stats: human and --json output; CST_CACHE_DIR is used when --cache-dir is absent', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b` (the CLI tests spawn the built cst-cli)');
    const dir = path.join(tempDir('cli-stats'), 'cache');
    await populate(dir, 80);
    const h = cli(['stats', '--cache-dir', dir]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain(`cache dir:  ${dir}`);
    expect(h.stdout).toMatch(/records: +80 live, 0 dead/);
    expect(h.stdout).toMatch(/python: 60 records/);
    expect(h.stdout).toMatch(/rust: 20 records/);
    expect(h.stderr).toBe('');
    const j = json(cli(['stats', '--json'], { CST_CACHE_DIR: dir }));
    expect(j).toMatchObject({ dir, formatVersion: 1, records: 80, corruptRecords: 0, languages: { python: { records: 60 }, rust: { records: 20 } } });
    expect(j.segments).toBe(segFiles(dir).length);
  });

  it('verify: exit 0 when clean; exit 1 with a report naming the segment and offset when a byte is flipped', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const dir = path.join(tempDir('cli-verify'), 'cache');
    await populate(dir, 40);
    const ok = cli(['verify', '--cache-dir', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: \d+ segments, 40 valid records \(40 live\)/m);
    const victim = segFiles(dir)[1]!;
    const file = path.join(dir, 'segments', victim);
    const buf = fs.readFileSync(file);
    buf[buf.length - 10] ^= 0xff; // inside the last record's payload
    fs.writeFileSync(file, buf);
    const bad = cli(['verify', '--cache-dir', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`segments/${victim}: 1 damaged record`);
    expect(bad.stdout).toMatch(/offset \d+: record checksum mismatch/);
    expect(bad.stdout).toMatch(/^FAILED: 1 damaged record;/m);
    const bj = cli(['verify', '--cache-dir', dir, '--json']);
    expect(bj.code).toBe(1);
    expect(json(bj)).toMatchObject({ ok: false, corruptRecords: 1, records: 39 });
    // defrag drops the damaged record; verify is clean again
    const d = cli(['defrag', '--cache-dir', dir, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(json(d)).toMatchObject({ command: 'defrag', keptRecords: 39 });
    expect(cli(['verify', '--cache-dir', dir]).code).toBe(0);
    expect(json(cli(['stats', '--cache-dir', dir, '--json']))).toMatchObject({ records: 39 });
  });

  it('verify reports truncation and foreign files; defrag removes them', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const dir = path.join(tempDir('cli-trunc'), 'cache');
    await populate(dir, 30);
    const last = path.join(dir, 'segments', segFiles(dir).at(-1)!);
    fs.truncateSync(last, fs.statSync(last).size - 100);
    fs.writeFileSync(path.join(dir, 'segments', 'stray.bin'), 'not ours');
    const v = cli(['verify', '--cache-dir', dir]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/truncated record/);
    expect(v.stdout).toContain('segments/stray.bin: not a segment of this store');
    expect(v.stdout).toMatch(/FAILED: 1 damaged record, 1 foreign file/);
    const d = cli(['defrag', '--cache-dir', dir]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/defragmented: \d+ segments? -> \d+, kept 29 records, dropped 0; removed 1 foreign or stale file/);
    expect(cli(['verify', '--cache-dir', dir]).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'segments', 'stray.bin'))).toBe(false);
  });

  it('clear --language, clear --all', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const dir = path.join(tempDir('cli-clear'), 'cache');
    await populate(dir, 40);
    const c = cli(['clear', '--language', 'rust', '--cache-dir', dir]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/cleared rust: removed 10 records, kept 30/);
    const s = json<{ records: number; languages: Record<string, unknown> }>(cli(['stats', '--cache-dir', dir, '--json']));
    expect(s.records).toBe(30);
    expect(Object.keys(s.languages)).toEqual(['python']);
    const store = SegmentStore.open(dir, { readOnly: true });
    for (let i = 0; i < 40; i++) {
      const got = store.get(keyOf('cli', i));
      if (i % 4 === 0) expect(got).toBeUndefined();
      else expect(got!.equals(payloadOf('cli', i, 1500))).toBe(true);
    }
    store.close();
    const all = cli(['clear', '--all', '--cache-dir', dir, '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(json(all)).toMatchObject({ command: 'clear', removedRecords: 30, bytesAfter: 0 });
    expect(segFiles(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'cst-store.json'))).toBe(true);
    expect(json(cli(['stats', '--cache-dir', dir, '--json']))).toMatchObject({ records: 0, segments: 0 });
  });

  it('cleanup --older-than removes segments unused for that long (s/m/h/d units)', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const dir = path.join(tempDir('cli-cleanup'), 'cache');
    await populate(dir, 60);
    const files = segFiles(dir);
    expect(files.length).toBeGreaterThan(4);
    const now = Date.now() / 1000;
    const aged = files.slice(0, 2);
    for (const f of aged) fs.utimesSync(path.join(dir, 'segments', f), now - 8 * 86400, now - 8 * 86400);
    for (const f of files.slice(2, 3)) fs.utimesSync(path.join(dir, 'segments', f), now - 3 * 3600, now - 3 * 3600);
    const r = cli(['cleanup', '--older-than', '7d', '--cache-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/removed 2 segments unused for 7d/);
    expect(segFiles(dir)).toEqual(files.slice(2));
    const r2 = json(cli(['cleanup', '--older-than', '120m', '--cache-dir', dir, '--json']));
    expect(r2).toMatchObject({ command: 'cleanup', removedSegments: 1 });
    expect(json(cli(['cleanup', '--older-than', '1h', '--cache-dir', dir, '--json']))).toMatchObject({ removedSegments: 0 });
    expect(json(cli(['cleanup', '--older-than', '3600s', '--cache-dir', dir, '--json']))).toMatchObject({ removedSegments: 0 });
    const bad = cli(['cleanup', '--older-than', '7x', '--cache-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--older-than needs an age with a unit/);
  });

  it('missing, foreign and non-directory paths: exit 2 with one clear line, nothing touched', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const base = tempDir('cli-bad');
    const missing = path.join(base, 'nope');
    for (const cmd of [['stats'], ['verify'], ['clear', '--all'], ['cleanup', '--older-than', '1d'], ['defrag']]) {
      const r = cli([...cmd, '--cache-dir', missing]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`cst-cli ${cmd[0]}: no cache directory at ${missing} (nothing cached yet, or check --cache-dir / CST_CACHE_DIR)\n`);
      expect(r.stdout).toBe('');
    }
    expect(fs.existsSync(missing)).toBe(false);
    const foreign = path.join(base, 'home');
    fs.mkdirSync(path.join(foreign, 'segments'), { recursive: true });
    fs.writeFileSync(path.join(foreign, 'thesis.tex'), 'precious');
    fs.writeFileSync(path.join(foreign, 'segments', 'x.seg'), 'precious too');
    for (const cmd of [['stats'], ['clear', '--all'], ['defrag']]) {
      const r = cli([...cmd, '--cache-dir', foreign]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^cst-cli ${cmd[0]}: ${foreign} is not a cst-language-server cache directory: no cst-store.json.*refusing to touch it\\n$`));
    }
    expect(fs.readdirSync(foreign).sort()).toEqual(['segments', 'thesis.tex']);
    expect(fs.readdirSync(path.join(foreign, 'segments'))).toEqual(['x.seg']);
    const file = path.join(base, 'afile');
    fs.writeFileSync(file, 'x');
    const nf = cli(['stats', '--cache-dir', file]);
    expect(nf.code).toBe(2);
    expect(nf.stderr).toMatch(/is not a directory/);
    // An empty directory is an empty store: nothing to report, nothing created.
    const empty = path.join(base, 'empty');
    fs.mkdirSync(empty);
    const e = cli(['stats', '--cache-dir', empty, '--json']);
    expect(e.code).toBe(0);
    expect(json(e)).toMatchObject({ records: 0, segments: 0 });
    expect(cli(['defrag', '--cache-dir', empty]).code).toBe(0);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('usage errors exit 2', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    const dir = path.join(tempDir('cli-usage'), 'cache');
    await populate(dir, 3);
    const cases: [string[], RegExp][] = [
      [['clear', '--cache-dir', dir], /say what to clear: --all or --language ID/],
      [['clear', '--all', '--language', 'go', '--cache-dir', dir], /not both/],
      [['cleanup', '--cache-dir', dir], /needs --older-than/],
      [['stats', '--bogus'], /unknown option --bogus/],
      [['verify', 'extra', '--cache-dir', dir], /unexpected argument "extra"/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const help = cli(['defrag', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^cst-cli defrag/);
    expect(json(cli(['stats', '--cache-dir', dir, '--json']))).toMatchObject({ records: 3 });
  });

  it('a read-only store: stats and verify work, changes are refused with exit 2', async (ctx) => {
    requireOrSkip(ctx, distBuilt(), 'server/dist is missing: run `npx tsc -b`');
    requireOrSkip(ctx, nobodyCanRun(), 'cannot run the CLI as uid/gid 65534 (nobody): needs root and a world-readable checkout');
    const dir = path.join(tempDir('cli-ro'), 'cache');
    await populate(dir, 10);
    const asNobody = (args: string[]) => {
      const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', uid: 65534, gid: 65534, cwd: '/', env: { ...process.env, CST_CACHE_DIR: '' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const s = asNobody(['stats', '--cache-dir', dir, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(json(s)).toMatchObject({ records: 10 });
    expect(asNobody(['verify', '--cache-dir', dir]).code).toBe(0);
    const d = asNobody(['defrag', '--cache-dir', dir]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/^cst-cli defrag: cannot change .*: read-only \(EACCES\)/);
    expect(d.stderr.trim().split('\n')).toHaveLength(1);
  });
});
