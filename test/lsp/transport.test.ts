// Transports and process lifecycle: the same server over --socket=PORT and
// --node-ipc; stdout in stdio mode carries nothing but protocol frames (with
// debug logging on); exit codes per the spec; stdin closing ends the server.
import { describe, expect, it } from 'vitest';
import { parseFrames, startServer, type StartOptions, type TestServer } from '../helpers/lsp.js';
import { Oracle } from '../helpers/oracle.js';
import type { DebugTreeResult } from '../../server/src/protocol.js';

const TEXT = 'function greet(name) {\n  return `hello ${name} 😀`;\n}\n';

/** Resolves with the exit code, or null if the process is still running after `ms`. */
function exitWithin(server: TestServer, ms: number): Promise<number | null> {
  return Promise.race([server.exited, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}

/** `promise`, or a rejection after `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** initialize (done by startServer) + open + $/cstDebugTree, checked against a fresh parse. */
async function roundTrip(server: TestServer): Promise<void> {
  expect(server.init?.capabilities.positionEncoding).toBe('utf-16');
  const uri = 'file:///transport/greet.js';
  server.open(uri, 'javascript', TEXT, 1);
  let tree: DebugTreeResult;
  const deadline = Date.now() + 10_000;
  do tree = await server.request<DebugTreeResult>('$/cstDebugTree', { uri, text: true });
  while (tree.noTreeReason === 'loading' && Date.now() < deadline);
  const oracle = await Oracle.load('javascript');
  try {
    expect(tree).toMatchObject({ version: 1, hasTree: true, text: TEXT, language: 'javascript' });
    expect(tree.digest).toBe(oracle.parse(TEXT).digest);
  } finally {
    oracle.delete();
  }
  const symbols = await server.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
  expect(symbols.map((s) => s.name)).toContain('greet');
}

describe('transports', () => {
  for (const transport of ['socket', 'node-ipc'] as const) {
    it(`serves over ${transport === 'socket' ? '--socket=PORT (the server connects to 127.0.0.1:PORT)' : '--node-ipc'}`, async () => {
      const server = await startServer({ transport });
      let code: number | null = null;
      try {
        await roundTrip(server);
      } finally {
        code = await server.stop();
      }
      expect(code).toBe(0);
      // The protocol went over the socket or the ipc channel: nothing on stdout.
      expect(server.stdoutRaw().toString()).toBe('');
    });
  }
});

describe('stdout in stdio mode', () => {
  it('carries only well-formed Content-Length frames, with debug logging on', async () => {
    const server = await startServer({ env: { CST_LOG_LEVEL: 'debug', CST_DIAGNOSTICS_DEBOUNCE_MS: '0' } });
    // A session that makes the server log: errors, edits, odd configuration, unknown methods, a closed file.
    // Stray bytes on stdout would derail the client's reader, so every step is time-limited and the
    // byte stream is examined whatever happened.
    let session: unknown;
    let code: number | null = null;
    try {
      await within(10_000, roundTrip(server));
      const uri = 'file:///transport/broken.py';
      server.open(uri, 'python', 'def f(:\n  return 中文\r\n', 1);
      server.change(uri, 2, [{ range: { start: { line: 0, character: 6 }, end: { line: 0, character: 6 } }, text: 'x)' }]);
      server.change(uri, 3, []);
      void server.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: { diagnostics: { maxPerFile: 'lots' }, logLevel: 'debug' } } });
      await within(5000, server.request('textDocument/documentSymbol', { textDocument: { uri } }));
      await expect(within(5000, server.request('cst/noSuchMethod', {}))).rejects.toThrow(/Unhandled method/);
      await server.waitForDiagnostics(uri, (p) => (p.version ?? 0) >= 2, 5000);
      server.close(uri);
      server.change('file:///transport/never-opened.ts', 1, [{ text: 'x' }]);
      code = await server.stop();
    } catch (err) {
      session = err;
      server.proc.kill('SIGKILL');
    }

    const { messages, problems, rest } = parseFrames(server.stdoutRaw());
    expect(problems).toEqual([]);
    expect(rest.length, `trailing bytes: ${JSON.stringify(rest.toString().slice(0, 200))}`).toBe(0);
    expect(session).toBeUndefined();
    expect(code).toBe(0);
    // The frames are the conversation: responses and notifications both.
    expect(messages.filter((m) => m.id !== undefined && m.method === undefined).length).toBeGreaterThanOrEqual(5);
    expect(messages.some((m) => m.method === 'textDocument/publishDiagnostics')).toBe(true);
    // And the server did log, at debug level, elsewhere (stderr).
    expect(server.stderr()).toMatch(/"level":20/);
  });
});

describe('process lifecycle', () => {
  const quiet: StartOptions = { env: { CST_LOG_LEVEL: 'error' } };

  it('exits 0 on exit after shutdown', async () => {
    const server = await startServer(quiet);
    await server.request('shutdown', null);
    void server.conn.sendNotification('exit');
    expect(await exitWithin(server, 5000)).toBe(0);
  });

  it('exits 1 on exit without shutdown', async () => {
    const server = await startServer(quiet);
    server.open('file:///transport/a.js', 'javascript', 'let a = 1;\n', 1);
    void server.conn.sendNotification('exit');
    expect(await exitWithin(server, 5000)).toBe(1);
  });

  it('exits within a few seconds when stdin closes (the client went away)', async () => {
    const server = await startServer(quiet);
    server.open('file:///transport/a.js', 'javascript', 'let a = 1;\n', 1);
    await server.request('$/cstDebugTree', { uri: 'file:///transport/a.js' });
    server.proc.stdin.end();
    const code = await exitWithin(server, 5000);
    expect(code, 'still running 5 s after stdin closed').not.toBeNull();
    expect(code).toBe(1); // no shutdown came first
  });

  it('exits 0 when stdin closes after shutdown (eglot and Neovim end sessions this way too)', async () => {
    const server = await startServer(quiet);
    await server.request('shutdown', null);
    server.proc.stdin.end();
    expect(await exitWithin(server, 5000)).toBe(0);
  });
});
