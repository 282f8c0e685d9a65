// Backpressure and cancellation over real JSON-RPC: a flood of edits and
// requests written in one go, as a client that types faster than the server
// answers would send them. A request whose document changed again before it
// ran is answered ContentModified (-32801) without running; $/cancelRequest
// for a queued request is answered RequestCancelled (-32800) at once; a
// running request waiting for its document's first parse sees its
// cancellation when the parse is done.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { frame, repoRoot, startServer, type RawMessage, type TestServer } from '../helpers/lsp.js';
import type { CstStats } from '../../server/src/protocol.js';

const CONTENT_MODIFIED = -32801;
const REQUEST_CANCELLED = -32800;

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(): Promise<TestServer> {
  const s = await startServer({ env: { CST_LOG_LEVEL: 'error', CST_DIAGNOSTICS_DEBOUNCE_MS: '50' } });
  servers.push(s);
  return s;
}

function change(uri: string, version: number, line: number, text: string): unknown {
  return { jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }] } };
}

function request(id: string, method: string, params: unknown): unknown {
  return { jsonrpc: '2.0', id, method, params };
}

async function responses(s: TestServer, ids: string[], timeoutMs = 20_000): Promise<Map<string, RawMessage>> {
  const last = ids.at(-1)!;
  await s.waitForRawResponse(last, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const byId = new Map(s.rawMessages().filter((m) => m.method === undefined && typeof m.id === 'string' && ids.includes(m.id)).map((m) => [m.id as string, m]));
    if (byId.size === ids.length || Date.now() > deadline) return byId;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lookups = async (s: TestServer) => (await s.request<CstStats>('$/cstStats', {})).lookups;

describe('backpressure', () => {
  it('a flood of edits with documentSymbol and completion after each: stale requests are answered ContentModified without running; the last one sees the final text', async () => {
    const s = await start();
    const uri = 'file:///flood/a.ts';
    s.open(uri, 'typescript', 'export const start = 1;\n', 1);
    await s.request('textDocument/documentSymbol', { textDocument: { uri } });
    const before = await lookups(s);

    const N = 60;
    const frames: Buffer[] = [];
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      frames.push(frame(change(uri, i + 2, 0, `function f${i}() {}\n`)));
      const method = i % 2 ? 'textDocument/completion' : 'textDocument/documentSymbol';
      const params = i % 2 ? { textDocument: { uri }, position: { line: 0, character: 3 } } : { textDocument: { uri } };
      frames.push(frame(request(`flood-${i}`, method, params)));
      ids.push(`flood-${i}`);
    }
    // All in one write: every request but the last has a later didChange of its document behind it.
    await s.writeRaw(Buffer.concat(frames));
    const got = await responses(s, ids);
    expect(got.size).toBe(N);
    const modified = ids.filter((id) => got.get(id)!.error?.code === CONTENT_MODIFIED);
    const answered = ids.filter((id) => got.get(id)!.error === undefined);
    // Everything is one of the two; no other error.
    expect(modified.length + answered.length).toBe(N);
    // The pipe may split the write; at least most requests were stale when dispatched.
    expect(modified.length, `answered: ${answered.join(', ')}`).toBeGreaterThanOrEqual(N * 0.8);
    // The last request (documentSymbol after the last change? N-1 is odd: completion) ran on the final text.
    expect(answered).toContain(`flood-${N - 1}`);
    // Dropped requests did not run: lookups grew by one per edit (each reparse counts) and one per request
    // that ran, so by N + answered, not 2N.
    const after = await lookups(s);
    expect(after - before).toBeLessThanOrEqual(N + answered.length);
    // And the document holds every edit.
    const symbols = await s.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((x) => x.name)).toEqual(expect.arrayContaining(['start', 'f0', `f${N - 1}`]));
    expect(symbols).toHaveLength(N + 1);
  });

  it('requests about other documents are not dropped by edits elsewhere', async () => {
    const s = await start();
    const a = 'file:///flood/a.py';
    const b = 'file:///flood/b.py';
    s.open(a, 'python', 'def a():\n    pass\n', 1);
    s.open(b, 'python', 'def b():\n    pass\n', 1);
    await s.request('textDocument/documentSymbol', { textDocument: { uri: b } });
    const frames: Buffer[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      frames.push(frame(request(`other-${i}`, 'textDocument/documentSymbol', { textDocument: { uri: b } })));
      frames.push(frame(change(a, i + 2, 0, `x${i} = ${i}\n`)));
      ids.push(`other-${i}`);
    }
    await s.writeRaw(Buffer.concat(frames));
    const got = await responses(s, ids);
    for (const id of ids) expect(got.get(id)!.result, id).toEqual([expect.objectContaining({ name: 'b' })]);
  });

  it('$/cancelRequest for queued requests: RequestCancelled at once, the handler never runs', async () => {
    const s = await start();
    const uri = 'file:///flood/c.js';
    s.open(uri, 'javascript', 'function c() {}\n', 1);
    await s.request('textDocument/documentSymbol', { textDocument: { uri } });
    const before = await lookups(s);
    const frames: Buffer[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      frames.push(frame(request(`cancel-${i}`, 'textDocument/foldingRange', { textDocument: { uri } })));
      ids.push(`cancel-${i}`);
    }
    for (let i = 0; i < 30; i += 2) frames.push(frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: `cancel-${i}` } }));
    await s.writeRaw(Buffer.concat(frames));
    const got = await responses(s, ids);
    const cancelled = ids.filter((id) => got.get(id)!.error?.code === REQUEST_CANCELLED);
    // Cancels arrive behind their requests: those still queued when a cancel is read are answered cancelled.
    expect(cancelled.length).toBeGreaterThanOrEqual(10);
    expect(cancelled.every((id) => Number(id.split('-')[1]) % 2 === 0)).toBe(true);
    for (let i = 1; i < 30; i += 2) expect(got.get(`cancel-${i}`)!.result, `cancel-${i}`).toBeInstanceOf(Array);
    expect((await lookups(s)) - before).toBeLessThanOrEqual(30 - cancelled.length + 1);
  });

  it('a request waiting for the first parse of a large file honours $/cancelRequest and is dropped by an edit', async () => {
    const s = await start();
    const big = fs.readFileSync(path.join(repoRoot, 'node_modules/typescript/lib/lib.dom.d.ts'), 'utf8');
    const uri = 'file:///flood/lib.dom.d.ts';
    await s.writeRaw(Buffer.concat([frame({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'typescript', version: 1, text: big } } }), frame(request('wait-1', 'textDocument/documentSymbol', { textDocument: { uri } })), frame(request('wait-2', 'textDocument/foldingRange', { textDocument: { uri } }))]));
    // The grammar loads and the 1.8 MB file parses (hundreds of ms) while both requests wait.
    await new Promise((r) => setTimeout(r, 30));
    await s.writeRaw(Buffer.concat([frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'wait-1' } }), frame(change(uri, 2, 0, '// edited\n'))]));
    const got = await responses(s, ['wait-1', 'wait-2'], 30_000);
    expect(got.get('wait-1')!.error?.code).toBe(REQUEST_CANCELLED);
    expect(got.get('wait-2')!.error?.code).toBe(CONTENT_MODIFIED);
    // The server is fine and serves the edited text.
    const folds = await s.request<unknown[]>('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds.length).toBeGreaterThan(1000);
  });
});
