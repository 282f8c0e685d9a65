// A real LSP client for tests: spawns the built cst-server and speaks
// JSON-RPC over stdio, as an editor does. Nothing of the server is mocked.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type InitializeResult,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverMain = path.join(repoRoot, 'server/dist/main.js');
export const cliMain = path.join(repoRoot, 'server/dist/cli/main.js');

export interface StartOptions {
  env?: Record<string, string | undefined>;
  initializationOptions?: unknown;
  capabilities?: Record<string, unknown>;
  rootUri?: string | null;
  workspaceFolders?: { uri: string; name: string }[] | null;
  /** Skip initialize (for tests of the raw stream). */
  noInitialize?: boolean;
}

export interface TestServer {
  proc: ChildProcessWithoutNullStreams;
  conn: ProtocolConnection;
  init: InitializeResult | undefined;
  stderr: () => string;
  stdoutRaw: () => Buffer;
  diagnostics: Map<string, PublishDiagnosticsParams[]>;
  messages: { type: number; message: string }[];
  /** Wait until `pred` holds for the latest diagnostics of `uri`. */
  waitForDiagnostics: (uri: string, pred?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number) => Promise<PublishDiagnosticsParams>;
  open: (uri: string, languageId: string, text: string, version?: number) => void;
  change: (uri: string, version: number, changes: TextDocumentContentChangeEvent[]) => void;
  close: (uri: string) => void;
  request: <R>(method: string, params: unknown) => Promise<R>;
  /** shutdown + exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  exited: Promise<number | null>;
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} is missing: run npm run build`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, CST_LOG_LEVEL: 'warn', ...options.env })) if (v !== undefined) env[k] = v;
  const proc = spawn(process.execPath, [serverMain, '--stdio'], { env, stdio: 'pipe' });
  let stderr = '';
  const stdoutChunks: Buffer[] = [];
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => stdoutChunks.push(d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  const waiters: (() => void)[] = [];
  const messages: { type: number; message: string }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    const list = diagnostics.get(p.uri) ?? [];
    list.push(p);
    diagnostics.set(p.uri, list);
    for (const w of waiters.splice(0)) w();
  });
  conn.onNotification('window/showMessage', (p: { type: number; message: string }) => messages.push(p));
  conn.onNotification('window/logMessage', () => undefined);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('workspace/configuration', () => []);
  conn.onError(() => undefined);
  conn.onClose(() => undefined);
  conn.listen();

  const server: TestServer = {
    proc,
    conn,
    init: undefined,
    stderr: () => stderr,
    stdoutRaw: () => Buffer.concat(stdoutChunks),
    diagnostics,
    messages,
    exited,
    async waitForDiagnostics(uri, pred = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const latest = diagnostics.get(uri)?.at(-1);
        if (latest && pred(latest)) return latest;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; latest: ${JSON.stringify(latest)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    open(uri, languageId, text, version = 1) {
      void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    },
    change(uri, version, changes) {
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    },
    close(uri) {
      void conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    request<R>(method: string, params: unknown) {
      return conn.sendRequest(method, params) as Promise<R>;
    },
    async stop() {
      if (proc.exitCode === null) {
        try {
          await Promise.race([conn.sendRequest('shutdown'), new Promise((_, rej) => setTimeout(() => rej(new Error('shutdown timed out')), 10_000))]);
          await conn.sendNotification('exit');
        } catch {
          proc.kill('SIGKILL');
        }
      }
      const code = await Promise.race([exited, new Promise<number | null>((r) => setTimeout(() => { proc.kill('SIGKILL'); r(null); }, 5000))]);
      conn.dispose();
      return code;
    },
  };
  if (!options.noInitialize) {
    server.init = await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      workspaceFolders: options.workspaceFolders ?? null,
      capabilities: options.capabilities ?? {
        textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true }, publishDiagnostics: { versionSupport: true } },
        workspace: { didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
      },
      initializationOptions: options.initializationOptions,
    });
    await conn.sendNotification('initialized', {});
  }
  return server;
}
