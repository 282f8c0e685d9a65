// What the server reads: only inside the workspace folders and the cache
// directory (plus its own installation: grammars and their packages). A
// workspace full of symlinks and `..` paths that point outside, watched-file
// events, formatting (.editorconfig lookups), completion documentation of
// closed files and a document opened from outside the workspace must not make
// the server read anything there. Proved twice: by the audit log
// (CST_AUDIT_LOG, one line per read and store write), and by the kernel's
// view, strace's record of every file the process (and its threads) opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';

interface AuditLine {
  time: string;
  action: string;
  resource: string;
  result: string;
}

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A missing tool: skip with a visible message, or fail under CI=true. */
function requireTool(ctx: { skip: (note?: string) => never }, ok: boolean, message: string): void {
  if (ok) return;
  if (process.env.CI === 'true') throw new Error(`prerequisite missing under CI: ${message}`);
  process.stderr.write(`\n[SKIPPED] ${message}\n`);
  ctx.skip(message);
}

const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

// base/ws is the workspace; base/outside and base/.editorconfig are outside it.
const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cst-access-')));
const ws = path.join(base, 'ws');
const outside = path.join(base, 'outside');
const cache = path.join(base, 'cache');
const auditLog = path.join(base, 'audit', 'audit.log');
const traceFile = path.join(base, 'strace.txt');

function write(p: string, text: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
}

function layout(): void {
  write(path.join(outside, 'secret.ts'), '/** secret docs */\nexport function secretFunction() {}\n');
  write(path.join(outside, 'dir', 'hidden.py'), 'def hidden_function():\n    pass\n');
  write(path.join(outside, 'gitignore'), '*.py\n');
  write(path.join(outside, 'ec'), 'root = true\n[*]\nindent_size = 7\n');
  write(path.join(outside, '.editorconfig'), 'root = true\n[*]\nindent_size = 5\n');
  write(path.join(base, '.editorconfig'), '[*]\nindent_size = 3\n');
  write(path.join(ws, 'a.ts'), '/** visible docs */\nexport function visibleFunction(x: number) {\n  return x;\n}\n');
  write(path.join(ws, 'sub', 'b.py'), 'def inner_function():\n  return 1\n');
  write(path.join(ws, 'sub', 'c.ts'), 'const x = 1;   \nconst y = 2;');
  write(path.join(ws, 'sub', '.editorconfig'), '[*.ts]\ntrim_trailing_whitespace = false\ninsert_final_newline = false\n');
  fs.symlinkSync('../outside/secret.ts', path.join(ws, 'link-file.ts'));
  fs.symlinkSync('../outside/dir', path.join(ws, 'link-dir'));
  fs.symlinkSync('../../outside/gitignore', path.join(ws, 'sub', '.gitignore'));
  fs.symlinkSync('../outside/ec', path.join(ws, '.editorconfig'));
  fs.symlinkSync(outside, path.join(ws, 'abs-link'));
}

let server: TestServer | undefined;
let traced = false;
const results: Record<string, unknown> = {};

async function waitFor<T>(what: string, probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  layout();
  traced = hasStrace();
  const s = await startServer({
    env: { CST_AUDIT_LOG: auditLog, CST_CACHE_DIR: cache, CST_LOG_LEVEL: 'warn' },
    workspaceFolders: [{ uri: fileUri(ws), name: 'ws' }],
    rootUri: fileUri(ws),
    capabilities: {
      textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
      window: { workDoneProgress: true },
    },
    wrapper: traced ? ['strace', '-f', '-y', '-qq', '-e', 'trace=open,openat,openat2,execve', '-o', traceFile] : undefined,
  });
  server = s;
  await waitFor('indexing', () => s.progress.some((p) => p.value.kind === 'end'), (v) => v, 60_000);
  const sym = (q: string) => s.request<{ name: string }[]>('workspace/symbol', { query: q });
  results.visible = (await sym('visibleFunction')).map((x) => x.name);
  results.inner = (await sym('inner_function')).map((x) => x.name);
  results.secretBefore = (await sym('secretFunction')).map((x) => x.name);
  results.hiddenBefore = (await sym('hidden_function')).map((x) => x.name);

  // Watched-file events naming outside files through `..`, a symlinked folder and a symlinked file.
  await s.conn.sendNotification('workspace/didChangeWatchedFiles', {
    changes: [
      { uri: `file://${ws}/../outside/secret.ts`, type: 1 },
      { uri: `file://${ws}/link-dir/hidden.py`, type: 2 },
      { uri: fileUri(path.join(ws, 'link-file.ts')), type: 2 },
      { uri: `file://${ws}/abs-link/secret.ts`, type: 1 },
      { uri: `file://${ws}/sub/%2e%2e/%2e%2e/outside/secret.ts`, type: 1 },
    ],
  });

  // Formatting inside the workspace: .editorconfig up to the workspace folder (a symlinked one is refused).
  const c = fileUri(path.join(ws, 'sub', 'c.ts'));
  s.open(c, 'typescript', fs.readFileSync(path.join(ws, 'sub', 'c.ts'), 'utf8'));
  results.formatC = await s.request('textDocument/formatting', { textDocument: { uri: c }, options: { tabSize: 2, insertSpaces: true } });
  // A document opened through the symlink, and one opened from outside the workspace.
  const link = fileUri(path.join(ws, 'link-file.ts'));
  s.open(link, 'typescript', 'export function viaLink() {\nreturn 1;\n}\n');
  results.formatLink = await s.request('textDocument/formatting', { textDocument: { uri: link }, options: { tabSize: 2, insertSpaces: true } });
  const out = fileUri(path.join(outside, 'secret.ts'));
  s.open(out, 'typescript', 'export function secretFunction() {\nreturn 1;\n}\n');
  results.formatOutside = await s.request('textDocument/formatting', { textDocument: { uri: out }, options: { tabSize: 2, insertSpaces: true } });
  s.close(link);
  s.close(out);

  // Completion documentation of closed files: inside is read, outside (directly, by `..`, by symlink) is not.
  const resolve = (uri: string) => s.request<{ documentation?: unknown }>('completionItem/resolve', { label: 'x', data: { uri, line: 1 } });
  results.resolveInside = await resolve(fileUri(path.join(ws, 'a.ts')));
  results.resolveOutside = [
    await resolve(fileUri(path.join(outside, 'secret.ts'))),
    await resolve(`file://${ws}/../outside/secret.ts`),
    await resolve(fileUri(path.join(ws, 'link-file.ts'))),
    await resolve(`file://${ws}/abs-link/secret.ts`),
    await resolve('file:///etc/passwd'),
  ];
  await new Promise((r) => setTimeout(r, 500));
  results.secretAfter = (await sym('secretFunction')).map((x) => x.name);
  results.hiddenAfter = (await sym('hidden_function')).map((x) => x.name);
  results.code = await s.stop();
}, 120_000);

afterAll(async () => {
  if (server && server.proc.exitCode === null) await server.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

function audit(): AuditLine[] {
  return fs
    .readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

describe('reads stay inside the workspace and the cache directory', () => {
  it('the session did what it should with what it may read', () => {
    expect(results.code).toBe(0);
    expect(results.visible).toEqual(['visibleFunction']);
    expect(results.inner).toEqual(['inner_function']);
    expect([results.secretBefore, results.hiddenBefore, results.secretAfter, results.hiddenAfter]).toEqual([[], [], [], []]);
    // The workspace's own .editorconfig (sub/) applied: trailing spaces and the missing final newline are kept.
    expect(results.formatC).toEqual([]);
    expect(results.formatLink).toBeInstanceOf(Array);
    expect(results.formatOutside).toBeInstanceOf(Array);
    expect((results.resolveInside as { documentation?: { value?: string } }).documentation).toBeDefined();
    for (const r of results.resolveOutside as { documentation?: unknown }[]) expect(r.documentation).toBeUndefined();
  });

  it('the audit log: every read and listing is inside the workspace, the cache dir or the installation; refusals are logged', () => {
    const lines = audit();
    const allowed = [ws, cache, path.join(repoRoot, 'grammars'), path.join(repoRoot, 'node_modules')];
    const reads = lines.filter((l) => l.action === 'read' || l.action === 'list');
    expect(reads.length).toBeGreaterThan(5);
    for (const l of reads) expect(allowed.some((d) => inside(l.resource, d)), `${l.action} ${l.resource}`).toBe(true);
    // Nothing resolved outside either (a path inside the workspace that is a symlink out would show here).
    for (const l of reads.filter((x) => x.result === 'ok')) expect(inside(fs.realpathSync(l.resource.split('#')[0]!), outside), l.resource).toBe(false);
    expect(lines.some((l) => l.action === 'read' && l.resource === path.join(ws, 'a.ts') && l.result === 'ok')).toBe(true);
    expect(lines.some((l) => l.action === 'read' && l.resource === path.join(ws, 'sub', '.editorconfig'))).toBe(true);
    expect(lines.some((l) => l.action === 'list' && l.resource === ws)).toBe(true);
    // The refused symlinks: the ignore file and the .editorconfig, and the completion lookups outside.
    const denied = lines.filter((l) => l.action === 'denied').map((l) => l.resource);
    expect(denied).toEqual(expect.arrayContaining([path.join(ws, 'sub', '.gitignore'), path.join(ws, '.editorconfig'), path.join(outside, 'secret.ts'), path.join(ws, 'link-file.ts'), '/etc/passwd']));
    // Store writes are logged with their segment and key.
    const writes = lines.filter((l) => l.action === 'store-write' && l.resource.includes('#'));
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (const w of writes) expect(inside(w.resource, cache), w.resource).toBe(true);
    for (const l of lines) {
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
      expect(typeof l.result).toBe('string');
    }
  });

  it('strace: no file outside the workspace was opened by the server or its threads', (ctx) => {
    requireTool(ctx, traced, 'strace is not installed (apt-get install strace): the kernel-level access check is skipped');
    const trace = fs.readFileSync(traceFile, 'utf8');
    const opens = trace.split('\n').filter((l) => /\bopen(at2?)?\(/.test(l));
    expect(opens.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const line of opens) {
      // openat(AT_FDCWD</dir>, "requested", flags) = fd</resolved>
      const requested = /"([^"]*)"/.exec(line)?.[1] ?? '';
      const resolved = /=\s+\d+<([^>]*)>/.exec(line)?.[1];
      for (const p of [requested, resolved]) {
        if (!p) continue;
        const abs = path.isAbsolute(p) ? path.normalize(p) : p;
        if (inside(abs, outside) || abs === path.join(base, '.editorconfig') || abs === '/etc/passwd') offenders.push(line);
      }
    }
    expect(offenders).toEqual([]);
    // The workspace was read for real (the check sees what it should).
    expect(opens.some((l) => l.includes(path.join(ws, 'a.ts')))).toBe(true);
    expect(opens.some((l) => l.includes(auditLog))).toBe(true);
  });
});
