// The workspace index through the real server, in temporary workspaces built
// on disk: progress, ignore files and default excludes, include/exclude
// globs, limits, symlink safety, binary and non-UTF-8 files, watched-file
// updates, workspace/symbol ranking and cap, requests answered while a large
// workspace (the Python standard library) is still being indexed, and a
// restart that indexes the same workspace without a single parse.
//
// What was indexed is audited through the protocol only: workspace/symbol
// with an empty query and a cap above the symbol count lists every indexed
// symbol with its URI.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, startServer, type StartOptions, type TestServer } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';
import type { CstStats, Health } from '../../server/src/protocol.js';

interface WorkspaceSymbol {
  name: string;
  kind: number;
  containerName?: string;
  location: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };
}

type Progress = TestServer['progress'][number];

/** An editor that can show progress and watch files for the server. */
const CAPABILITIES = {
  textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true }, publishDiagnostics: { versionSupport: true } },
  workspace: {
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    symbol: { dynamicRegistration: false },
    workspaceFolders: true,
  },
  window: { workDoneProgress: true },
};

const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 } as const;

const servers: TestServer[] = [];
const tmpDirs: string[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, by its real path (the workspace root the editor names). */
function tmpDir(prefix = 'cst-ws-test-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  tmpDirs.push(d);
  return d;
}

/** Write files (relative path -> content) under `root`. */
function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** A Python file whose only symbol is a function named `name`. */
function py(name: string): string {
  return `def ${name}():\n    return ${JSON.stringify(name)}\n`;
}

function workspace(files: Record<string, string | Buffer>): string {
  const root = tmpDir();
  writeFiles(root, files);
  return root;
}

async function start(roots: string | string[], env: Record<string, string> = {}, extra: Partial<StartOptions> = {}): Promise<TestServer> {
  const list = Array.isArray(roots) ? roots : [roots];
  const s = await startServer({
    rootUri: fileUri(list[0]!),
    workspaceFolders: list.map((r) => ({ uri: fileUri(r), name: path.basename(r) })),
    capabilities: CAPABILITIES,
    ...extra,
    // A cap above any symbol count here: an empty query then lists the whole index.
    env: { CST_WORKSPACE_SYMBOL_LIMIT: '100000', ...env },
  });
  servers.push(s);
  return s;
}

async function waitFor<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(v)?.slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The $/progress notifications of the indexing run, once its `end` has arrived. */
async function indexed(s: TestServer, timeoutMs = 30_000): Promise<Progress[]> {
  await waitFor('the end of workspace indexing ($/progress end)', () => s.progress.filter((p) => p.value.kind === 'end').length, (n) => n >= 1, timeoutMs);
  const token = s.progress.find((p) => p.value.kind === 'end')!.token;
  return s.progress.filter((p) => p.token === token);
}

function stats(s: TestServer): Promise<CstStats> {
  return s.request<CstStats>('$/cstStats', {});
}

function health(s: TestServer): Promise<Health> {
  return s.request<Health>('$/health', {});
}

function search(s: TestServer, query: string): Promise<WorkspaceSymbol[]> {
  return s.request<WorkspaceSymbol[]>('workspace/symbol', { query });
}

/** Every indexed symbol (empty query, cap above the count). */
function everything(s: TestServer): Promise<WorkspaceSymbol[]> {
  return search(s, '');
}

/** Workspace-relative paths of the files that have symbols in the index; throws on a URI outside every root. */
function filesOf(symbols: WorkspaceSymbol[], roots: string | string[]): string[] {
  const list = (Array.isArray(roots) ? roots : [roots]).map((r) => fileUri(r) + '/');
  const out = new Set<string>();
  for (const s of symbols) {
    const root = list.find((r) => s.location.uri.startsWith(r));
    if (!root) throw new Error(`indexed outside the workspace: ${s.location.uri}`);
    out.add(decodeURIComponent(s.location.uri.slice(root.length)));
  }
  return [...out].sort();
}

function names(symbols: WorkspaceSymbol[]): string[] {
  return symbols.map((s) => s.name);
}

/** The "workspace indexed" summary the server logs at info level (needs CST_LOG_LEVEL=info). */
interface IndexLog {
  files: number;
  parsed: number;
  fromCache: number;
  bytes: number;
  ms: number;
  skipped: Record<string, number>;
  fileLimitHit: boolean;
}

function indexLogs(s: TestServer): IndexLog[] {
  const out: IndexLog[] = [];
  for (const line of s.stderr().split('\n')) {
    if (!line.includes('"workspace indexed"')) continue;
    try {
      out.push(JSON.parse(line) as IndexLog);
    } catch {
      // a partial line: the next read completes it
    }
  }
  return out;
}

function notifyWatched(s: TestServer, changes: { path: string; type: number }[]): Promise<void> {
  return s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: fileUri(c.path), type: c.type })) });
}

describe('workspace indexing: progress', () => {
  it('reports begin, reports with percentage and "n/total files", and end, on the token the client created', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`pkg${i % 4}/mod_${String(i).padStart(2, '0')}.py`] = py(`fn_${i}`);
    const root = workspace(files);
    const s = await start(root);
    const progress = await indexed(s);

    // One token, created through window/workDoneProgress/create before any $/progress on it.
    expect(s.progressTokens).toHaveLength(1);
    expect(progress.every((p) => p.token === s.progressTokens[0])).toBe(true);
    expect(s.progress).toHaveLength(progress.length);

    const [begin, ...rest] = progress;
    const end = rest.pop()!;
    expect(begin!.value).toMatchObject({ kind: 'begin', percentage: 0, message: '0/40 files' });
    expect(begin!.value.title).toMatch(/index/i);
    expect(end.value.kind).toBe('end');
    expect(rest.length).toBeGreaterThanOrEqual(1);
    let lastDone = -1;
    for (const p of rest) {
      expect(p.value.kind).toBe('report');
      const m = /^(\d+)\/40 files$/.exec(p.value.message ?? '');
      expect(m, `report message ${JSON.stringify(p.value.message)}`).not.toBeNull();
      const done = Number(m![1]);
      expect(done).toBeGreaterThanOrEqual(lastDone);
      lastDone = done;
      expect(Number.isInteger(p.value.percentage)).toBe(true);
      expect(p.value.percentage).toBe(Math.floor((done / 40) * 100));
    }
    expect(rest.at(-1)!.value).toMatchObject({ percentage: 100, message: '40/40 files' });

    expect((await stats(s)).documents.indexed).toBe(40);
    expect((await health(s)).checks.index).toBe('ok');
    expect(filesOf(await everything(s), root)).toHaveLength(40);
  });

  it('indexes without $/progress when the client cannot show it, and indexes every workspace folder', async () => {
    const a = workspace({ 'a1.py': py('in_a1'), 'sub/a2.py': py('in_a2') });
    const b = workspace({ 'b1.py': py('in_b1') });
    const s = await start([a, b], { CST_LOG_LEVEL: 'info' }, { capabilities: { ...CAPABILITIES, window: {} } });
    await waitFor('the index summary in the log', () => indexLogs(s), (l) => l.length === 1);
    expect(s.progressTokens).toEqual([]);
    expect(s.progress).toEqual([]);
    const all = await everything(s);
    expect(filesOf(all, [a, b])).toEqual(['a1.py', 'b1.py', 'sub/a2.py']);
    expect((await stats(s)).documents.indexed).toBe(3);
  });
});

describe('workspace indexing: what is walked', () => {
  it('honours .gitignore, .ignore and .git/info/exclude, nested ones and negations; skips node_modules, .git, dist and build output', async () => {
    const root = workspace({
      '.gitignore': ['ignored_dir/', '!ignored_dir/reincluded.py', '*.gen.py', '/top_only.py', 'generated_*.py', 'logs_*.py', '!logs_keep.py', ''].join('\n'),
      '.ignore': 'scratch.py\n',
      '.git/info/exclude': 'local_exclude.py\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.git/hooks/hook.py': py('in_git_dir'),
      'keep.py': py('keep'),
      'top_only.py': py('top_only_root'),
      'sub/top_only.py': py('top_only_sub'),
      'a.gen.py': py('gen_file'),
      'scratch.py': py('scratch_file'),
      'local_exclude.py': py('local_exclude'),
      'ignored_dir/x.py': py('in_ignored_dir'),
      'ignored_dir/reincluded.py': py('reincluded_under_ignored_dir'),
      'generated_one.py': py('generated_one'),
      'logs_drop.py': py('logs_drop'),
      'logs_keep.py': py('logs_keep'),
      'nested_only.py': py('nested_only_root'),
      'pkg/.gitignore': '!generated_keep.py\nnested_only.py\n',
      'pkg/generated_keep.py': py('generated_keep'),
      'pkg/generated_two.py': py('generated_two'),
      'pkg/nested_only.py': py('nested_only_pkg'),
      'pkg/deeper/.ignore': '*.py\n!wanted.py\n',
      'pkg/deeper/wanted.py': py('wanted'),
      'pkg/deeper/unwanted.py': py('unwanted'),
      'node_modules/lib/index.js': 'function inNodeModules() {}\n',
      'node_modules/pkg/mod.py': py('in_node_modules'),
      'src/node_modules/deep.py': py('in_nested_node_modules'),
      'dist/bundle.js': 'function inDist() {}\n',
      'build/out.py': py('in_build'),
      '__pycache__/cached.py': py('in_pycache'),
      '.venv/lib/site.py': py('in_venv'),
      'src/app.ts': 'export function appMain(): void {}\n',
      'src/dist/bundle.js': 'function inNestedDist() {}\n',
      'README.md': '# not a known language\n',
    });
    const s = await start(root);
    await indexed(s);
    const all = await everything(s);
    expect(filesOf(all, root)).toEqual([
      'keep.py',
      'logs_keep.py',
      'nested_only.py',
      'pkg/deeper/wanted.py',
      'pkg/generated_keep.py', // a nested .gitignore's negation overrides the root's pattern, as git does
      'src/app.ts',
      'sub/top_only.py',
    ]);
    expect(names(all).sort()).toEqual(['appMain', 'generated_keep', 'keep', 'logs_keep', 'nested_only_root', 'top_only_sub', 'wanted']);
  });

  it('applies include and exclude globs (environment and initializationOptions)', async () => {
    const files = {
      'src/a.py': py('src_a'),
      'src/gen/b.py': py('src_gen_b'),
      'src/c_pb2.py': py('src_c_pb2'),
      'src/f.ts': 'export function srcF(): number { return 1; }\n',
      'lib/d.py': py('lib_d'),
      'tools/e.js': 'function toolsE() {}\n',
      'top.py': py('top'),
    };
    const root = workspace(files);
    const s1 = await start(root, { CST_INDEX_INCLUDE: 'src/**, tools/**', CST_INDEX_EXCLUDE: '**/gen/**,**/*_pb2.py' });
    await indexed(s1);
    expect(filesOf(await everything(s1), root)).toEqual(['src/a.py', 'src/f.ts', 'tools/e.js']);

    const s2 = await start(root, {}, { initializationOptions: { cst: { index: { include: ['**/*.py'], exclude: ['lib/**'] } } } });
    await indexed(s2);
    expect(filesOf(await everything(s2), root)).toEqual(['src/a.py', 'src/c_pb2.py', 'src/gen/b.py', 'top.py']);
  });

  it('stops at the file limit and says so in $/health and the log', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`m${String(i).padStart(2, '0')}.py`] = py(`limited_${i}`);
    const root = workspace(files);
    const s = await start(root, { CST_INDEX_MAX_FILES: '5' });
    const progress = await indexed(s);
    expect(progress[0]!.value.message).toBe('0/5 files');
    expect(filesOf(await everything(s), root)).toHaveLength(5);
    expect((await stats(s)).documents.indexed).toBe(5);
    const h = await health(s);
    expect(h.checks.index).toMatch(/^ok \(file limit reached \(5 files/);
    expect(h.status).toBe('healthy');
    expect(s.stderr()).toMatch(/file limit reached/);
  });

  it('skips files over the size limit and says so in $/health and the log', async () => {
    const big = Array.from({ length: 1500 }, (_, i) => `def big_${i}():\n    return ${i}\n`).join(''); // ~40 KB
    const root = workspace({ 'small.py': py('small'), 'big.py': big, 'also_small.py': py('also_small') });
    const s = await start(root, { CST_INDEX_MAX_FILE_MB: '0.02' }); // 20,971 bytes
    await indexed(s);
    const all = await everything(s);
    expect(filesOf(all, root)).toEqual(['also_small.py', 'small.py']);
    expect(all.some((x) => x.name.startsWith('big_'))).toBe(false);
    const h = await health(s);
    expect(h.checks.index).toMatch(/^ok \(1 files over the size limit/);
    expect(s.stderr()).toMatch(/over the size limit/);
  });

  it("never indexes the server's own files inside the workspace: the cache dir, the log file, the audit log", async () => {
    const root = workspace({ 'main.py': py('main_entry') });
    // A team keeps the cache in the repository; logs land beside it. All are JSON the walker could parse.
    const env = { CST_CACHE_DIR: path.join(root, '.cst-cache'), CST_LOG_FILE: path.join(root, 'logs', 'cst.json'), CST_AUDIT_LOG: path.join(root, 'audit.json'), CST_LOG_LEVEL: 'info' };
    const s = await start(root, env);
    await indexed(s);
    expect(fs.existsSync(path.join(root, '.cst-cache', 'cst-store.json'))).toBe(true);
    expect(fs.statSync(path.join(root, 'audit.json')).size).toBeGreaterThan(0);
    expect(filesOf(await everything(s), root)).toEqual(['main.py']);
    expect((await stats(s)).parses.background).toBe(1);
    // A watched-file event for one of them is refused too.
    await notifyWatched(s, [{ path: path.join(root, '.cst-cache', 'cst-store.json'), type: FileChangeType.Changed }, { path: path.join(root, 'audit.json'), type: FileChangeType.Changed }]);
    await notifyWatched(s, [{ path: path.join(root, 'main.py'), type: FileChangeType.Changed }]);
    await waitFor('the watched-file events handled', () => stats(s), (x) => x.documents.indexed === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(filesOf(await everything(s), root)).toEqual(['main.py']);
    // The walk counts them as excluded, like any exclude glob (the log is in the file, not on stderr).
    const summary = fs.readFileSync(env.CST_LOG_FILE, 'utf8').split('\n').find((l) => l.includes('"workspace indexed"'))!;
    expect((JSON.parse(summary) as IndexLog).skipped.excluded).toBeGreaterThanOrEqual(2);
  });

  it('neither hangs on symlink loops nor indexes anything outside the workspace through a symlink', async () => {
    const base = tmpDir();
    const ws = path.join(base, 'ws');
    writeFiles(base, {
      'outside/secret.py': py('outside_secret'),
      'outside/nested/deep.py': py('outside_deep'),
      'ws-sibling/sibling.py': py('sibling_secret'), // a sibling whose path has the workspace's as a prefix
      'ws/real/inner.py': py('inner_fn'),
      'ws/top.py': py('top_fn'),
    });
    const link = (target: string, at: string) => fs.symlinkSync(target, path.join(ws, at));
    link('.', 'loop'); // the root itself
    link('..', 'real/back'); // a parent
    link('.', 'real/self');
    link('../outside', 'escape'); // relative, out
    link(path.join(base, 'outside'), 'abs_escape'); // absolute, out
    link('../outside/secret.py', 'escape_file.py');
    link('../ws-sibling', 'sibling');
    link('real', 'alias'); // inside, not a loop: the target is indexed at its own path, once
    link('real/inner.py', 'alias_file.py');
    link('missing.py', 'dangling.py');
    link('chain_b', 'chain_a');
    link('chain_a', 'chain_b'); // a cycle of links (ELOOP)

    const started = Date.now();
    const s = await start(ws);
    await indexed(s, 15_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    const all = await everything(s);
    for (const sym of all) expect(sym.location.uri.startsWith(fileUri(ws) + '/')).toBe(true);
    expect(filesOf(all, ws)).toEqual(['real/inner.py', 'top.py']);
    expect(names(all).sort()).toEqual(['inner_fn', 'top_fn']);
    for (const q of ['outside_secret', 'outside_deep', 'sibling_secret']) expect(await search(s, q)).toEqual([]);
    expect((await stats(s)).documents.indexed).toBe(2);
    expect((await health(s)).status).toBe('healthy');
  });

  it('indexes a workspace opened through a symlinked path under that path (the URIs the editor uses)', async () => {
    const base = tmpDir();
    writeFiles(base, { 'real-ws/a.py': py('via_link_a') });
    fs.symlinkSync(path.join(base, 'real-ws'), path.join(base, 'link-ws'));
    const root = path.join(base, 'link-ws');
    const s = await start(root);
    await indexed(s);
    const found = await search(s, 'via_link_a');
    expect(found.map((x) => x.location.uri)).toEqual([fileUri(path.join(root, 'a.py'))]);
    // A deletion reported under the editor's path removes it.
    fs.rmSync(path.join(base, 'real-ws/a.py'));
    await notifyWatched(s, [{ path: path.join(root, 'a.py'), type: FileChangeType.Deleted }]);
    await waitFor('the deleted file to leave the index', () => search(s, 'via_link_a'), (r) => r.length === 0, 5000);
  });

  it('skips binary and non-UTF-8 files and indexes UTF-8 ones (BOM, emoji, CJK)', async () => {
    const root = workspace({
      'bin.py': Buffer.concat([Buffer.from(py('binary_fn')), Buffer.from([0, 1, 2, 0, 0xff])]),
      'latin1.py': Buffer.from('def latin_fn():\n    return "caf\xe9"\n', 'latin1'),
      'utf16.py': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(py('utf16_fn'), 'utf16le')]),
      'bom.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(py('bom_fn'))]),
      'emoji.py': 's = "😀 日本語"\nclass Ünïcödé:\n    def ok_fn(self):\n        return "👍"\n',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
    });
    const s = await start(root);
    await indexed(s);
    const all = await everything(s);
    expect(filesOf(all, root)).toEqual(['bom.py', 'emoji.py']);
    expect(names(all).sort()).toEqual(['bom_fn', 'ok_fn', 's', 'Ünïcödé'].sort());
    const ok = all.find((x) => x.name === 'ok_fn')!;
    expect(ok.containerName).toBe('Ünïcödé');
    expect(ok.location.range.start).toEqual({ line: 2, character: 8 });
    const bom = all.find((x) => x.name === 'bom_fn')!;
    expect(bom.location.range.start).toEqual({ line: 0, character: 4 }); // the BOM is not a character of the text
    expect((await health(s)).status).toBe('healthy');
  });
});

describe('workspace indexing: keeping the index current', () => {
  it('registers for watched files and re-indexes created, changed and deleted files; ignored, outside and undecodable ones leave or stay out', async () => {
    const base = tmpDir();
    const root = path.join(base, 'ws');
    writeFiles(base, {
      'ws/.gitignore': 'ignored.py\n',
      'ws/a.py': py('alpha_old'),
      'ws/b.py': py('beta'),
      'ws/c.py': py('gamma'),
      'ws-sibling/x.py': py('sibling_fn'),
    });
    const s = await start(root);
    await indexed(s);
    const reg = s.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    expect(reg, JSON.stringify(s.registrations)).toBeDefined();
    const globs = (reg!.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern).join(' ');
    for (const ext of ['py', 'ts', 'js', 'rs', 'go']) expect(globs).toMatch(new RegExp(`\\b${ext}\\b`));
    expect(names(await everything(s)).sort()).toEqual(['alpha_old', 'beta', 'gamma']);

    // Changed.
    fs.writeFileSync(path.join(root, 'a.py'), py('alpha_new'));
    await notifyWatched(s, [{ path: path.join(root, 'a.py'), type: FileChangeType.Changed }]);
    await waitFor('a.py re-indexed', async () => names(await everything(s)).sort(), (n) => n.join() === 'alpha_new,beta,gamma', 5000);

    // Deleted.
    fs.rmSync(path.join(root, 'b.py'));
    await notifyWatched(s, [{ path: path.join(root, 'b.py'), type: FileChangeType.Deleted }]);
    await waitFor('b.py removed', async () => names(await everything(s)).sort(), (n) => n.join() === 'alpha_new,gamma', 5000);

    // Created: a file of the workspace comes in; an ignored one, one under node_modules and one outside the workspace do not.
    writeFiles(base, {
      'ws/ignored.py': py('ignored_fn'),
      'ws/node_modules/pkg/m.py': py('node_modules_fn'),
      'ws-sibling/y.py': py('sibling_new_fn'),
      'ws/d.py': py('delta'),
    });
    await notifyWatched(s, [
      { path: path.join(root, 'ignored.py'), type: FileChangeType.Created },
      { path: path.join(root, 'node_modules/pkg/m.py'), type: FileChangeType.Created },
      { path: path.join(base, 'ws-sibling/y.py'), type: FileChangeType.Created },
      { path: path.join(base, 'ws-sibling/x.py'), type: FileChangeType.Changed },
      { path: path.join(root, 'd.py'), type: FileChangeType.Created },
    ]);
    await waitFor('d.py indexed', () => search(s, 'delta'), (r) => r.length === 1, 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(names(await everything(s)).sort()).toEqual(['alpha_new', 'delta', 'gamma']);

    // Changed into something that cannot be indexed (binary, then not UTF-8): its old symbols leave.
    fs.writeFileSync(path.join(root, 'c.py'), Buffer.concat([Buffer.from(py('gamma')), Buffer.from([0, 0, 0])]));
    fs.writeFileSync(path.join(root, 'd.py'), Buffer.from('def delta():\n    return "\xe9"\n', 'latin1'));
    await notifyWatched(s, [
      { path: path.join(root, 'c.py'), type: FileChangeType.Changed },
      { path: path.join(root, 'd.py'), type: FileChangeType.Changed },
    ]);
    await waitFor('binary and non-UTF-8 files removed', async () => names(await everything(s)).sort(), (n) => n.join() === 'alpha_new', 5000);
    expect((await stats(s)).documents.indexed).toBe(1);
  });

  it('re-indexes the file on disk when the editor closes it with unsaved edits', async () => {
    const root = workspace({ 'a.py': py('on_disk'), 'b.py': py('other') });
    const s = await start(root);
    await indexed(s);
    const uri = fileUri(path.join(root, 'a.py'));
    s.open(uri, 'python', py('on_disk'));
    s.change(uri, 2, [{ text: py('unsaved_edit') }]);
    const outline = await s.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(outline.map((x) => x.name)).toEqual(['unsaved_edit']);
    s.close(uri);
    await waitFor('the disk version back in the index', async () => names(await everything(s)).sort(), (n) => n.join() === 'on_disk,other', 5000);
  });
});

describe('workspace indexing: folders added and removed', () => {
  it('indexes a folder added through workspace/didChangeWorkspaceFolders and drops a removed one, watched files following', async () => {
    const a = workspace({ 'a.py': py('from_a'), 'nested/b.py': py('from_a_nested') });
    const b = workspace({ 'c.py': py('from_b') });
    const s = await start(a);
    expect(s.init?.capabilities.workspace?.workspaceFolders).toEqual({ supported: true, changeNotifications: true });
    await indexed(s);
    expect(names(await everything(s)).sort()).toEqual(['from_a', 'from_a_nested']);

    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(b), name: 'b' }], removed: [] } });
    await waitFor('folder b indexed', async () => names(await everything(s)).sort(), (n) => n.join() === 'from_a,from_a_nested,from_b');
    expect(filesOf(await everything(s), [a, b])).toEqual(['a.py', 'c.py', 'nested/b.py']);

    // A file created in the new folder is picked up; after removal, neither old nor new files of a come back.
    writeFiles(b, { 'd.py': py('from_b_later') });
    await notifyWatched(s, [{ path: path.join(b, 'd.py'), type: FileChangeType.Created }]);
    await waitFor('d.py indexed', () => search(s, 'from_b_later'), (r) => r.length === 1);

    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: fileUri(a), name: 'a' }] } });
    await waitFor('folder a dropped', async () => names(await everything(s)).sort(), (n) => n.join() === 'from_b,from_b_later');
    writeFiles(a, { 'e.py': py('from_a_after_removal') });
    await notifyWatched(s, [{ path: path.join(a, 'e.py'), type: FileChangeType.Created }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(names(await everything(s)).sort()).toEqual(['from_b', 'from_b_later']);
    // Malformed events change nothing and the server stays up.
    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: 'x', removed: [null, { uri: 42 }] } });
    await s.conn.sendNotification('workspace/didChangeWorkspaceFolders', {});
    expect(names(await everything(s)).sort()).toEqual(['from_b', 'from_b_later']);
  });
});

describe('workspace/symbol', () => {
  it('ranks exact > prefix > word-start > subsequence, then kind and path depth, and caps the result count', async () => {
    const root = workspace({
      'ranking.py': [
        'def parse(): pass',
        'class Parse: pass',
        'def parse_args(): pass',
        'def parseTree(): pass',
        'def read_parse(): pass',
        'def htmlParser(): pass',
        'def pause_resume(): pass',
        'def unrelated(): pass',
        'def getSymbolName(): pass',
        'def get_symbol_name(): pass',
        '',
      ].join('\n'),
      'deep/er/still/ranking_deep.py': 'def parse(): pass\n',
    });
    const s = await start(root);
    await indexed(s);
    const found = await search(s, 'parse');
    const summary = found.map((x) => `${x.name}@${path.basename(x.location.uri)}`);
    expect(summary).toEqual([
      'Parse@ranking.py', // exact, a class ranks above functions
      'parse@ranking.py', // exact, shallower path first
      'parse@ranking_deep.py',
      'parseTree@ranking.py', // prefix (shorter first)
      'parse_args@ranking.py',
      'htmlParser@ranking.py', // word start
      'read_parse@ranking.py',
      'pause_resume@ranking.py', // subsequence
    ]);
    expect(found[0]!.location.range.start).toEqual({ line: 1, character: 6 });

    // camelCase and snake_case initials, and smart case.
    expect(names(await search(s, 'gsn')).sort()).toEqual(['getSymbolName', 'get_symbol_name']);
    expect(names(await search(s, 'gSN'))).toEqual(['getSymbolName']);
    expect(names(await search(s, 'pT'))).toEqual(['parseTree']);
    expect(await search(s, 'zzz')).toEqual([]);

    // The cap: the first n of the same ranking.
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: { workspaceSymbolLimit: 3 } } });
    await waitFor('the cap applied', () => search(s, 'parse'), (r) => r.length === 3, 5000);
    expect((await search(s, 'parse')).map((x) => `${x.name}@${path.basename(x.location.uri)}`)).toEqual(summary.slice(0, 3));
    expect(await everything(s)).toHaveLength(3);
  });

  it('returns, for any cap, the first n results of the uncapped ranking, on real code', async () => {
    const root = tmpDir();
    for (const pkg of ['json', 'email', 'http']) fs.cpSync(path.join(pythonStdlib(), pkg), path.join(root, pkg), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    const s = await start(root);
    await indexed(s, 60_000);
    const queries = ['', 'a', 'e', '_', 'get', 'Message', 'msg', 'gP', 'hdr', 'pa', 'x', 'H', 'decode', 'set_'];
    const full = new Map<string, WorkspaceSymbol[]>();
    for (const q of queries) full.set(q, await search(s, q));
    expect(full.get('')!.length).toBeGreaterThan(1000);
    expect(full.get('a')!.length).toBeGreaterThan(500);
    for (const cap of [1, 20, 300]) {
      await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: { workspaceSymbolLimit: cap } } });
      await waitFor(`the cap ${cap} applied`, () => everything(s), (r) => r.length === cap, 5000);
      for (const q of queries) expect(await search(s, q), `query ${JSON.stringify(q)}, cap ${cap}`).toEqual(full.get(q)!.slice(0, cap));
    }
  });
});

describe('workspace indexing: a large workspace', () => {
  it('answers documentSymbol, $/cstStats and workspace/symbol while the Python standard library is still being indexed', async () => {
    const stdlib = pythonStdlib();
    const s = await start(stdlib, { CST_INDEX_EXCLUDE: 'site-packages/**', CST_INDEX_INCLUDE: '**/*.py' });
    const timings: Record<string, number[]> = { cstStats: [], documentSymbol: [], workspaceSymbol: [], health: [] };
    const time = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await f();
      timings[what]!.push(performance.now() - t0);
      return r;
    };
    // Wait until indexing has begun (the walk is done and files are being parsed).
    await waitFor('indexing to begin', () => s.progress, (p) => p.some((x) => x.value.kind === 'begin'), 20_000, 10);
    const total = Number(/^0\/(\d+) files$/.exec(s.progress[0]!.value.message ?? '')?.[1]);
    expect(total).toBeGreaterThan(1500);

    const late = path.join(stdlib, 'zipfile.py'); // near the end of the walk order
    const uri = fileUri(late);
    s.open(uri, 'python', fs.readFileSync(late, 'utf8'));
    const outline = await time('documentSymbol', () => s.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } }));
    expect(outline.map((x) => x.name)).toContain('ZipFile');
    for (let i = 0; i < 10; i++) {
      const st = await time('cstStats', () => stats(s));
      expect(st.documents.open).toBe(1);
      const h = await time('health', () => health(s));
      expect(h.checks.index).toMatch(/^ok \(indexing \d+\/\d+\)$/);
      await time('workspaceSymbol', () => search(s, 'path'));
      await time('documentSymbol', () => s.request('textDocument/documentSymbol', { textDocument: { uri } }));
      await new Promise((r) => setTimeout(r, 50));
    }
    // All of that was answered before indexing ended.
    expect(s.progress.some((p) => p.value.kind === 'end')).toBe(false);
    const done = Number(/^ok \(indexing (\d+)\//.exec((await health(s)).checks.index)?.[1]);
    expect(done).toBeLessThan(total);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Generous bounds for a shared 2-core machine: the point is "not queued behind indexing".
    expect(Math.max(...timings.cstStats!), JSON.stringify(timings)).toBeLessThan(1000);
    expect(median(timings.cstStats!)).toBeLessThan(200);
    expect(median(timings.documentSymbol!)).toBeLessThan(200);
    expect(Math.max(...timings.documentSymbol!)).toBeLessThan(3000);
  }, 120_000);
});

describe('workspace indexing: background workers', () => {
  // Every worker runs below the main thread (none of their work is waited on by a keystroke); the
  // background-only worker is one more such thread.
  it.skipIf(process.platform !== 'linux')('indexes with one more worker thread, every worker at a lower priority, the main thread keeping its own', async () => {
    const stdlib = pythonStdlib();
    const s = await start(stdlib, { CST_INDEX_EXCLUDE: 'site-packages/**', CST_INDEX_INCLUDE: '**/*.py', CST_MAX_WORKERS: '1', CST_BACKGROUND_WORKERS: '1' });
    await waitFor('indexing to begin', () => s.progress, (p) => p.some((x) => x.value.kind === 'begin'), 20_000, 10);
    const pid = s.proc.pid!;
    const niceOf = (tid: string): number => {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const threads = await waitFor('two low-priority worker threads', () => fs.readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid, nice: niceOf(tid) })), (t) => t.filter((x) => x.nice === 10).length >= 2, 20_000);
    expect(niceOf(String(pid))).toBe(0);
    expect(threads.filter((t) => t.nice === 10).length).toBe(2);
    expect(threads.filter((t) => t.nice !== 0 && t.nice !== 10)).toEqual([]);
    // Both workers take indexing work: the index fills while the main thread answers.
    expect((await stats(s)).documents.open).toBe(0);
  }, 60_000);
});

describe('workspace indexing: cancellation', () => {
  // The begin says `cancellable: true`: a window/workDoneProgress/cancel stops indexing.
  it('stops indexing when the user cancels the progress', async () => {
    const stdlib = pythonStdlib();
    const s = await start(stdlib, { CST_INDEX_EXCLUDE: 'site-packages/**', CST_INDEX_INCLUDE: '**/*.py', CST_LOG_LEVEL: 'info' });
    await waitFor('indexing to begin', () => s.progress, (p) => p.some((x) => x.value.kind === 'begin'), 20_000, 10);
    const begin = s.progress.find((x) => x.value.kind === 'begin')!;
    expect(begin.value.cancellable).toBe(true);
    const total = Number(/^0\/(\d+) files$/.exec(begin.value.message ?? '')?.[1]);
    await s.conn.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
    await waitFor('the end after a cancel', () => s.progress, (p) => p.some((x) => x.value.kind === 'end'), 5000, 20);
    expect((await stats(s)).documents.indexed).toBeLessThan(total);
  }, 60_000);
});

describe('workspace indexing: restart', () => {
  it('indexes the same workspace again from the frozen tier with zero parses, and parses only what changed', async () => {
    // Real code: a few packages of the standard library, copied so that they can be changed.
    const root = tmpDir();
    for (const pkg of ['json', 'email', 'http', 'logging', 'concurrent', 'urllib']) fs.cpSync(path.join(pythonStdlib(), pkg), path.join(root, pkg), { recursive: true, filter: (p) => !p.includes('__pycache__') });
    const cacheDir = tmpDir('cst-ws-cache-');
    const env = { CST_CACHE_DIR: cacheDir, CST_LOG_LEVEL: 'info' };

    const cold = await start(root, env);
    await indexed(cold, 60_000);
    const coldLog = indexLogs(cold)[0]!;
    const coldAll = await everything(cold);
    const coldStats = await stats(cold);
    expect(coldLog.files).toBeGreaterThan(50);
    expect(coldLog.parsed).toBeGreaterThan(40);
    expect(coldLog.parsed + coldLog.fromCache).toBe(coldLog.files); // fromCache here: files with the same text (empty __init__.py)
    expect(coldStats.documents.indexed).toBe(coldLog.files);
    expect(coldStats.frozen.writes).toBeGreaterThan(0);
    await cold.stop();

    const warm = await start(root, env);
    const warmProgress = await indexed(warm, 60_000);
    const warmLog = indexLogs(warm)[0]!;
    const warmStats = await stats(warm);
    expect(warmLog).toMatchObject({ files: coldLog.files, parsed: 0, fromCache: coldLog.files, bytes: coldLog.bytes });
    expect(warmStats.parses.full + warmStats.parses.incremental).toBe(0);
    expect(warmStats.frozen.writes).toBe(0);
    expect(warmStats.documents.indexed).toBe(coldLog.files);
    expect(warmProgress.at(-2)!.value.message).toBe(`${coldLog.files}/${coldLog.files} files`);
    expect(await everything(warm)).toEqual(coldAll);
    expect((await health(warm)).checks.index).toBe('ok');
    expect(warmLog.ms).toBeLessThan(coldLog.ms);
    await warm.stop();

    // One file changed, one deleted, one added: two parses.
    fs.appendFileSync(path.join(root, 'json/decoder.py'), '\n\ndef added_after_restart():\n    pass\n');
    fs.rmSync(path.join(root, 'json/tool.py'));
    writeFiles(root, { 'json/brand_new.py': py('brand_new_fn') });
    const third = await start(root, env);
    await indexed(third, 60_000);
    expect(indexLogs(third)[0]).toMatchObject({ files: coldLog.files, parsed: 2, fromCache: coldLog.files - 2 });
    expect(await search(third, 'added_after_restart')).toHaveLength(1);
    expect(await search(third, 'brand_new_fn')).toHaveLength(1);
    expect(filesOf(await everything(third), root)).not.toContain('json/tool.py');
  }, 180_000);

  it('does not read again a file whose stat is unchanged since it was read, and reads one rewritten with its old size and mtime', async () => {
    // Not ASCII: a file's bytes are not its UTF-16 length, and the summary counts bytes either way.
    const root = workspace({ 'a.py': py('alpha') + '# naïve café ✓ 😀\n', 'b.py': py('beta'), 'sub/c.py': py('gamma') });
    // Signatures are trusted only for files last written well before they were read (workspace/manifest.ts).
    await new Promise((r) => setTimeout(r, 3200));
    const cacheDir = tmpDir('cst-ws-cache-');
    const logs = tmpDir('cst-ws-audit-');
    const reads = (auditLog: string): string[] =>
      fs
        .readFileSync(auditLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { action: string; resource: string })
        .filter((e) => e.action === 'read' && e.resource.startsWith(root + path.sep))
        .map((e) => path.relative(root, e.resource))
        .sort();
    const run = async (auditLog: string): Promise<TestServer> => {
      const s = await start(root, { CST_CACHE_DIR: cacheDir, CST_LOG_LEVEL: 'info', CST_AUDIT_LOG: auditLog });
      await indexed(s);
      return s;
    };

    const first = await run(path.join(logs, 'first.json'));
    expect(indexLogs(first)[0]).toMatchObject({ files: 3, parsed: 3 });
    await first.stop();
    expect(reads(path.join(logs, 'first.json'))).toEqual(['a.py', 'b.py', path.join('sub', 'c.py')]);

    const second = await run(path.join(logs, 'second.json'));
    expect(indexLogs(second)[0]).toMatchObject({ files: 3, parsed: 0, fromCache: 3, bytes: indexLogs(first)[0]!.bytes });
    expect(indexLogs(first)[0]!.bytes).toBe(['a.py', 'b.py', 'sub/c.py'].reduce((n, f) => n + fs.statSync(path.join(root, f)).size, 0));
    expect(names(await search(second, 'alpha'))).toEqual(['alpha']);
    await second.stop();
    expect(reads(path.join(logs, 'second.json'))).toEqual([]);

    // Same size, mtime put back as a tool that preserves it would: the change time still moved.
    const b = path.join(root, 'b.py');
    const before = fs.statSync(b);
    fs.writeFileSync(b, py('zeta'));
    fs.utimesSync(b, before.atime, before.mtime);
    expect(fs.statSync(b).size).toBe(before.size);
    const third = await run(path.join(logs, 'third.json'));
    expect(indexLogs(third)[0]).toMatchObject({ files: 3, parsed: 1, fromCache: 2 });
    expect(names(await search(third, 'zeta'))).toEqual(['zeta']);
    expect(await search(third, 'beta')).toEqual([]);
    expect(names(await everything(third)).sort()).toEqual(['alpha', 'gamma', 'zeta']);
    await third.stop();
    expect(reads(path.join(logs, 'third.json'))).toEqual(['b.py']);

    // The manifest is a hint: damaged, it is ignored (every file read again), and the index is whole.
    const manifest = path.join(cacheDir, 'index-manifest.json');
    expect(fs.existsSync(manifest)).toBe(true);
    fs.writeFileSync(manifest, '{"format":1,"files":{"' + b + '":[1,2,3');
    const fourth = await run(path.join(logs, 'fourth.json'));
    expect(indexLogs(fourth)[0]).toMatchObject({ files: 3, parsed: 0, fromCache: 3 });
    expect(names(await everything(fourth)).sort()).toEqual(['alpha', 'gamma', 'zeta']);
    await fourth.stop();
    expect(reads(path.join(logs, 'fourth.json'))).toEqual(['a.py', 'b.py', path.join('sub', 'c.py')]);
    expect(JSON.parse(fs.readFileSync(manifest, 'utf8'))).toMatchObject({ format: 1 });
  }, 60_000);
});
