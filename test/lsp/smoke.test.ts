import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/lsp.js';
import type { DebugTreeResult } from '../../server/src/protocol.js';

describe('server lifecycle and basic sync', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('negotiates utf-16 and incremental sync', () => {
    expect(server.init?.capabilities.positionEncoding).toBe('utf-16');
    expect(server.init?.capabilities.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(server.init?.serverInfo?.name).toBe('cst-language-server');
  });

  it('publishes syntax diagnostics and clears them when fixed', async () => {
    const uri = 'file:///tmp/smoke/a.ts';
    server.open(uri, 'typescript', 'const x = ;\n', 1);
    const d1 = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    expect(d1.version).toBe(1);
    expect(d1.diagnostics[0]!.message).toMatch(/Syntax error|Missing/);
    server.change(uri, 2, [{ range: { start: { line: 0, character: 10 }, end: { line: 0, character: 10 } }, text: '1' }]);
    const d2 = await server.waitForDiagnostics(uri, (p) => p.version === 2);
    expect(d2.diagnostics).toEqual([]);
    const tree = await server.request<DebugTreeResult>('$/cstDebugTree', { uri, text: true, sexp: true });
    expect(tree.text).toBe('const x = 1;\n');
    expect(tree.hasTree).toBe(true);
    expect(tree.sexp).toContain('lexical_declaration');
  });
});
