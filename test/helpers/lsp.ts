// A real LSP client for tests: spawns the built cst-server and speaks
// JSON-RPC over stdio, as an editor does. Nothing of the server is mocked.
import { fork, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  SocketMessageReader,
  SocketMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
  type ProtocolConnection,
  type InitializeResult,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const serverMain = path.join(repoRoot, 'server/dist/main.js');
const defaultServerMain = serverMain;
export const cliMain = path.join(repoRoot, 'server/dist/cli/main.js');

export interface StartOptions {
  env?: Record<string, string | undefined>;
  initializationOptions?: unknown;
  capabilities?: Record<string, unknown>;
  rootUri?: string | null;
  workspaceFolders?: { uri: string; name: string }[] | null;
  /** Skip initialize (for tests of the raw stream). */
  noInitialize?: boolean;
  /**
   * How the client talks to the server: stdio (default), `--socket=PORT` (the
   * test listens on 127.0.0.1 and the server connects, as VS Code does) or
   * `--node-ipc` (a forked child with an ipc channel).
   */
  transport?: 'stdio' | 'socket' | 'node-ipc';
  /** Extra node flags for the server process (e.g. --expose-gc). */
  nodeArgs?: string[];
  /** Another server script (default: the built server/dist/main.js), e.g. the VS Code extension's bundle. */
  serverPath?: string;
  /** Another Node executable (default: the one running the tests). */
  nodePath?: string;
  /** A command the server runs under (stdio only), e.g. ['strace', '-f', '-o', FILE]: spawned as [...wrapper, node, ...]. */
  wrapper?: string[];
}

export interface TestServer {
  proc: ChildProcessWithoutNullStreams;
  conn: ProtocolConnection;
  init: InitializeResult | undefined;
  stderr: () => string;
  stdoutRaw: () => Buffer;
  diagnostics: Map<string, PublishDiagnosticsParams[]>;
  messages: { type: number; message: string }[];
  /** window/showMessageRequest requests the server sent (answered with null, as a dismissed prompt is). */
  messageRequests: { type: number; message: string; actions?: { title: string }[] }[];
  /** Wait until `pred` holds for the latest diagnostics of `uri`. */
  waitForDiagnostics: (uri: string, pred?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number) => Promise<PublishDiagnosticsParams>;
  open: (uri: string, languageId: string, text: string, version?: number) => void;
  change: (uri: string, version: number, changes: TextDocumentContentChangeEvent[]) => void;
  close: (uri: string) => void;
  request: <R>(method: string, params: unknown) => Promise<R>;
  /** shutdown + exit; resolves with the exit code. */
  stop: () => Promise<number | null>;
  exited: Promise<number | null>;
  /** Write bytes to the server's stdin as they are (stdio transport only): malformed frames, hand-made messages. */
  writeRaw: (data: string | Buffer) => Promise<void>;
  /** Every message the server wrote to stdout so far, parsed from the raw bytes (stdio transport only). */
  rawMessages: () => RawMessage[];
  /** Wait until the server's stdout carries a response with this id (for requests written with writeRaw). */
  waitForRawResponse: (id: number | string, timeoutMs?: number) => Promise<RawMessage>;
  /** Every `$/progress` notification, in arrival order (recorded from the start, before initialize returns). */
  progress: { token: string | number; value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number; cancellable?: boolean } }[];
  /** Tokens the server asked for with window/workDoneProgress/create (answered with null), in order. */
  progressTokens: (string | number)[];
  /** Registrations the server asked for with client/registerCapability (answered with null), in order. */
  registrations: { id: string; method: string; registerOptions?: unknown }[];
}

/** A JSON-RPC message as read from the wire. */
export interface RawMessage {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** One frame for the base protocol: Content-Length header, blank line, UTF-8 JSON body. */
export function frame(body: unknown): Buffer {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

/**
 * Split a byte stream into base-protocol frames. Strict: every frame must be
 * `Content-Length: N` (plus optional Content-Type) CRLF-terminated headers, an
 * empty line and exactly N bytes of a JSON-RPC 2.0 message; any other byte is a
 * problem. `rest` holds an incomplete trailing frame (the stream may still be
 * flowing; once the writer has exited it must be empty).
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseFrames(buf: Buffer): { messages: RawMessage[]; problems: string[]; rest: Buffer } {
  const messages: RawMessage[] = [];
  const problems: string[] = [];
  let at = 0;
  while (at < buf.length) {
    const headerEnd = buf.indexOf('\r\n\r\n', at, 'ascii');
    if (headerEnd === -1) return { messages, problems, rest: buf.subarray(at) };
    const headers = buf.subarray(at, headerEnd).toString('latin1').split('\r\n');
    let length = -1;
    for (const h of headers) {
      const m = /^([A-Za-z-]+): (.*)$/.exec(h);
      if (!m) {
        problems.push(`malformed header line at ${at}: ${JSON.stringify(h.slice(0, 200))}`);
        return { messages, problems, rest: Buffer.alloc(0) };
      }
      const name = m[1]!.toLowerCase();
      if (name === 'content-length' && /^\d+$/.test(m[2]!)) length = Number(m[2]);
      else if (name !== 'content-type') problems.push(`unexpected header ${JSON.stringify(h)} at ${at}`);
    }
    if (length < 0) {
      problems.push(`frame without a numeric Content-Length at ${at}: ${JSON.stringify(headers)}`);
      return { messages, problems, rest: Buffer.alloc(0) };
    }
    const bodyStart = headerEnd + 4;
    if (bodyStart + length > buf.length) return { messages, problems, rest: buf.subarray(at) };
    let body: string;
    try {
      body = utf8.decode(buf.subarray(bodyStart, bodyStart + length));
    } catch {
      problems.push(`body at ${at} is not valid UTF-8`);
      at = bodyStart + length;
      continue;
    }
    try {
      const msg = JSON.parse(body) as RawMessage;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg) || msg.jsonrpc !== '2.0') problems.push(`not a JSON-RPC 2.0 message at ${at}: ${body.slice(0, 200)}`);
      else messages.push(msg);
    } catch (err) {
      problems.push(`body at ${at} is not JSON (${(err as Error).message}): ${JSON.stringify(body.slice(0, 200))}`);
    }
    at = bodyStart + length;
  }
  return { messages, problems, rest: Buffer.alloc(0) };
}

/** The node flags of the server bin's interpreter line (`#!/usr/bin/env -S node FLAGS`): tests start it as the bin does. */
export function serverNodeFlags(script = serverMain): string[] {
  return serverNodeFlagsOf(script);
}

function serverNodeFlagsOf(script: string): string[] {
  const first = fs.readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!.*\bnode\b(.*)$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

export function fileUri(p: string): string {
  return pathToFileURL(p).toString();
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const serverMain = options.serverPath ?? defaultServerMain;
  const node = options.nodePath ?? process.execPath;
  const serverNodeFlags = () => serverNodeFlagsOf(serverMain);
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} is missing: run npm run build`);
  const env: Record<string, string> = {};
  // Each server gets a private cache dir unless the test names one (never the user's ~/.cache).
  const privateCache = options.env?.CST_CACHE_DIR === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'cst-test-cache-')) : undefined;
  for (const [k, v] of Object.entries({ ...process.env, CST_LOG_LEVEL: 'warn', CST_CACHE_DIR: privateCache, ...options.env })) if (v !== undefined) env[k] = v;
  const transport = options.transport ?? 'stdio';
  let listener: net.Server | undefined;
  let proc: ChildProcessWithoutNullStreams;
  let reader: MessageReader;
  let writer: MessageWriter;
  if (transport === 'socket') {
    listener = net.createServer();
    await new Promise<void>((resolve, reject) => {
      listener!.once('error', reject);
      listener!.listen(0, '127.0.0.1', resolve);
    });
    const port = (listener.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((resolve) => listener!.once('connection', resolve));
    proc = spawn(node, [...serverNodeFlags(), ...(options.nodeArgs ?? []), serverMain, `--socket=${port}`], { env, stdio: 'pipe' });
    const socket = await Promise.race([
      accepted,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the server did not connect to 127.0.0.1:${port}`)), 10_000)),
    ]);
    reader = new SocketMessageReader(socket);
    writer = new SocketMessageWriter(socket);
  } else if (transport === 'node-ipc') {
    proc = fork(serverMain, ['--node-ipc'], { env, execPath: node, execArgv: [...serverNodeFlags(), ...(options.nodeArgs ?? [])], stdio: ['pipe', 'pipe', 'pipe', 'ipc'] }) as unknown as ChildProcessWithoutNullStreams;
    reader = new IPCMessageReader(proc);
    writer = new IPCMessageWriter(proc);
  } else {
    const argv = [...serverNodeFlags(), ...(options.nodeArgs ?? []), serverMain, '--stdio'];
    const [command, ...prefix] = options.wrapper?.length ? [...options.wrapper, node] : [node];
    proc = spawn(command!, [...prefix, ...argv], { env, stdio: 'pipe' });
    reader = new StreamMessageReader(proc.stdout);
    writer = new StreamMessageWriter(proc.stdin);
  }
  let stderr = '';
  const stdoutChunks: Buffer[] = [];
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => stdoutChunks.push(d));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      listener?.close();
      if (privateCache) fs.rmSync(privateCache, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const conn = createProtocolConnection(reader, writer);
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
  const messageRequests: TestServer['messageRequests'] = [];
  conn.onRequest('window/showMessageRequest', (p: TestServer['messageRequests'][number]) => {
    messageRequests.push(p);
    return null;
  });
  conn.onNotification('window/logMessage', () => undefined);
  const progress: TestServer['progress'] = [];
  const progressTokens: TestServer['progressTokens'] = [];
  const registrations: TestServer['registrations'] = [];
  conn.onNotification('$/progress', (p: TestServer['progress'][number]) => progress.push(p));
  conn.onRequest('client/registerCapability', (p: { registrations?: TestServer['registrations'] }) => {
    registrations.push(...(p?.registrations ?? []));
    return null;
  });
  conn.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
    progressTokens.push(p?.token);
    return null;
  });
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
    messageRequests,
    progress,
    progressTokens,
    registrations,
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
    writeRaw(data) {
      if (transport !== 'stdio') throw new Error('writeRaw needs the stdio transport');
      return new Promise<void>((resolve, reject) => proc.stdin.write(data, (err) => (err ? reject(err) : resolve())));
    },
    rawMessages() {
      if (transport !== 'stdio') throw new Error('rawMessages needs the stdio transport');
      const { messages, problems } = parseFrames(server.stdoutRaw());
      if (problems.length > 0) throw new Error(`stdout is not a clean frame stream: ${problems.join('; ')}`);
      return messages;
    },
    async waitForRawResponse(id, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = server.rawMessages().find((m) => m.id === id && m.method === undefined);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no response with id ${JSON.stringify(id)} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
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
