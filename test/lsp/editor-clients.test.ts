// What real editors send that a server must not trip over, over JSON-RPC to
// the built server. Measured in the editors themselves (test/e2e/): eglot 1.9
// (Emacs 28) sends the languageId of the major mode that started the server for
// every file the server manages, Emacs 28 opens .json files in js-mode, and
// Emacs quitting sends SIGHUP to the server and closes its stdin (eglot 1.9 does
// not shut it down first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type TestServer } from '../helpers/lsp.js';
import type { CstStats, DebugTreeResult } from '../../server/src/protocol.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } } } });
});

afterAll(async () => {
  await server.stop();
});

const tree = (uri: string) => server.request<DebugTreeResult>('$/cstDebugTree', { uri, digest: false });
const names = async (uri: string) => (await server.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } })).map((s) => s.name);

describe('a languageId that contradicts the file name', () => {
  it('eglot 1.9: util.py sent as "js" (the server was started for js-mode) is parsed as Python', async () => {
    const uri = 'file:///editor-clients/util.py';
    server.open(uri, 'js', 'def greet(name):\n    return "hi " + name\n\nclass Greeter:\n    pass\n');
    expect(await names(uri)).toEqual(['greet', 'Greeter']);
    expect((await tree(uri)).language).toBe('python');
    const diags = await server.waitForDiagnostics(uri);
    expect(diags.diagnostics).toEqual([]);
  });

  it('Emacs 28: a .json file in js-mode ("js") is parsed as JSON, without syntax errors', async () => {
    const uri = 'file:///editor-clients/package.json';
    server.open(uri, 'js', '{ "name": "x", "version": "1.0.0" }\n');
    expect((await tree(uri)).language).toBe('json');
    expect((await server.waitForDiagnostics(uri)).diagnostics).toEqual([]);
  });

  it('within a family the languageId wins: a .h header as C++ (Neovim, VS Code), a .js file as TypeScript', async () => {
    const header = 'file:///editor-clients/vec.h';
    server.open(header, 'cpp', 'namespace geo { class Vec { public: int x; }; }\n');
    expect((await tree(header)).language).toBe('cpp');
    const script = 'file:///editor-clients/legacy.js';
    server.open(script, 'typescript', 'let n: number = 1;\n');
    expect((await tree(script)).language).toBe('typescript');
  });

  it('an unknown file name keeps the languageId; an unknown languageId falls back to the file name', async () => {
    const notes = 'file:///editor-clients/notes.txt';
    server.open(notes, 'python', 'x = 1\n');
    expect((await tree(notes)).language).toBe('python');
    const rb = 'file:///editor-clients/task.rb';
    server.open(rb, 'enh-ruby', 'def run; end\n');
    expect((await tree(rb)).language).toBe('ruby');
  });
});

/** Open a file, end the server with `end`, then check a restarted server on the same cache needs no parse. */
async function persistsAfter(end: (s: TestServer) => void, expectedCode: number | undefined, logged: RegExp): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-editor-end-'));
  const uri = 'file:///editor-clients/end.py';
  const text = 'def greet(name):\n    return "hi " + name\n';
  try {
    const first = await startServer({ env: { CST_CACHE_DIR: dir, CST_LOG_LEVEL: 'info' } });
    first.open(uri, 'python', text);
    await first.request('textDocument/documentSymbol', { textDocument: { uri } });
    end(first);
    const code = await first.exited;
    if (expectedCode !== undefined) expect(code).toBe(expectedCode);
    else expect([0, 1]).toContain(code);
    expect(first.stderr()).toMatch(logged);
    expect(first.stderr()).toMatch(/shutdown: store flushed/);
    const again = await startServer({ env: { CST_CACHE_DIR: dir } });
    again.open(uri, 'python', text);
    await again.request('textDocument/documentSymbol', { textDocument: { uri } });
    expect((await again.request<CstStats>('$/cstStats', {})).parses.full).toBe(0);
    await again.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the editor going away without shutdown flushes the store', () => {
  // Which of the two the server handles first is up to the event loop (the signal can come second, after the
  // flush): it exits 0 (signal) or 1 (stdin closed, no shutdown came). Either way nothing is lost.
  it('Emacs quitting: SIGHUP and stdin closed at once', async () => {
    await persistsAfter(
      (s) => {
        s.proc.kill('SIGHUP');
        s.proc.stdin.end();
      },
      undefined,
      /"signal":"SIGHUP".*signal: shutting down|input closed: shutting down/,
    );
  });

  it('stdin closed alone (the client died); exit 1 as there was no shutdown', async () => {
    await persistsAfter((s) => s.proc.stdin.end(), 1, /input closed: shutting down/);
  });
});
