// $/cstQuery through the real server: captures with UTF-16 positions, range
// restriction, limits, the same answer from every tier, and invalid queries
// reported as InvalidParams naming the position of the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/lsp.js';
import type { CstQueryCapture, CstQueryErrorData, CstQueryResult } from '../../server/src/protocol.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ env: { CST_LOG_LEVEL: 'error' } });
});
afterAll(async () => {
  await s.stop();
});

const TS = 'const smile = "😀";\r\nfunction greet(name: string) {\r\n  return `hi ${name}`;\r\n}\r\nclass Box { open() {} }\r\n';

async function opened(uri: string, languageId: string, text: string): Promise<void> {
  s.open(uri, languageId, text);
  await s.request('textDocument/documentSymbol', { textDocument: { uri } });
}

function query(params: Record<string, unknown>): Promise<CstQueryResult> {
  return s.request<CstQueryResult>('$/cstQuery', params);
}

async function queryError(params: Record<string, unknown>): Promise<{ code: number; message: string; data?: CstQueryErrorData }> {
  try {
    await query(params);
  } catch (err) {
    const e = err as { code: number; message: string; data?: CstQueryErrorData };
    return { code: e.code, message: e.message, data: e.data };
  }
  throw new Error('the query succeeded');
}

const brief = (c: CstQueryCapture) => `${c.name} ${c.type} ${c.range.start.line}:${c.range.start.character}-${c.range.end.line}:${c.range.end.character} ${c.text}`;

describe('$/cstQuery', () => {
  it('is advertised', () => {
    expect(s.init?.capabilities.experimental).toMatchObject({ cstQueryProvider: true });
  });

  it('returns captures with name, node type, UTF-16 range and text, in document order', async () => {
    const uri = 'file:///query/a.ts';
    await opened(uri, 'typescript', TS);
    const r = await query({ uri, query: '(function_declaration name: (identifier) @fn) (method_definition name: (property_identifier) @method) (string) @str' });
    expect(r).toMatchObject({ language: 'typescript', truncated: false, timedOut: false });
    expect(r.captures.map(brief)).toEqual([
      'str string 0:14-0:18 "😀"', // the emoji is two UTF-16 code units
      'fn identifier 1:9-1:14 greet',
      'method property_identifier 4:12-4:16 open',
    ]);
  });

  it('range limits captures to nodes intersecting it; maxResults cuts and says so', async () => {
    const uri = 'file:///query/b.py';
    const text = Array.from({ length: 50 }, (_, i) => `def f${i}(a, b):\n    return a + b\n`).join('');
    await opened(uri, 'python', text);
    const q = '(function_definition name: (identifier) @name)';
    expect((await query({ uri, query: q })).captures).toHaveLength(50);
    const ranged = await query({ uri, query: q, range: { start: { line: 10, character: 0 }, end: { line: 15, character: 0 } } });
    expect(ranged.captures.map((c) => c.text)).toEqual(['f5', 'f6', 'f7']);
    const capped = await query({ uri, query: q, maxResults: 4 });
    expect(capped.captures.map((c) => c.text)).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(capped.truncated).toBe(true);
  });

  it('cuts long capture texts at 200 characters and marks them', async () => {
    const uri = 'file:///query/c.json';
    const long = 'x'.repeat(1000);
    await opened(uri, 'json', `{"k": "${long}"}`);
    const r = await query({ uri, query: '(pair value: (string) @v)' });
    expect(r.captures[0]!.text).toHaveLength(200);
    expect(r.captures[0]!.truncated).toBe(true);
    expect(r.captures[0]!.range.end.character).toBe(1008);
  });

  it('answers the same from a demoted document (parsed again for the query)', async () => {
    const uri = 'file:///query/d.ts';
    await opened(uri, 'typescript', TS);
    const q = { uri, query: '(identifier) @id' };
    const hot = await query(q);
    for (const tier of ['warm', 'cold', 'frozen']) {
      await s.request('$/cstDebugSetTier', { uri, tier });
      expect(await query(q), tier).toEqual(hot);
    }
  });

  it('a query that does not compile is InvalidParams naming the position', async () => {
    const uri = 'file:///query/e.js';
    await opened(uri, 'javascript', 'let x = 1;\n');
    const syntax = await queryError({ uri, query: '(identifier) @a\n(program (identifier @b' });
    expect(syntax.code).toBe(-32602);
    expect(syntax.message).toMatch(/^invalid query at 2:\d+: /);
    expect(syntax.data).toMatchObject({ kind: 'syntax', line: 1 });
    const node = await queryError({ uri, query: '(program\n  (no_such_node) @x)' });
    expect(node.message).toBe("invalid query at 2:4: Bad node name 'no_such_node'");
    expect(node.data).toEqual({ kind: 'node-name', offset: 12, line: 1, character: 3 });
    const field = await queryError({ uri, query: '(variable_declarator nonfield: (identifier))' });
    expect(field.data).toMatchObject({ kind: 'field-name', line: 0, character: 21 });
    const predicate = await queryError({ uri, query: '((identifier) @a (#eq? @a))' });
    expect(predicate).toMatchObject({ code: -32602, data: { kind: 'predicate' } });
    expect(predicate.message).toMatch(/invalid query: .*#eq\?/);
    expect((await queryError({ uri, query: '   ' })).data).toEqual({ kind: 'empty' });
    expect((await queryError({ uri, query: '(identifier) @a ' + ' '.repeat(70_000) })).data).toEqual({ kind: 'too-long' });
  });

  it('bad params, limits and documents are InvalidParams with one clear message; the server stays up', async () => {
    const uri = 'file:///query/f.js';
    await opened(uri, 'javascript', 'let y = 2;\n');
    expect(await queryError({ uri })).toMatchObject({ code: -32602, message: 'expected { uri, query, range?, maxResults?, timeoutMs? }' });
    expect(await queryError({ uri, query: '(identifier) @i', maxResults: 0 })).toMatchObject({ code: -32602, message: 'maxResults must be a positive integer' });
    expect(await queryError({ uri, query: '(identifier) @i', timeoutMs: 'soon' })).toMatchObject({ code: -32602, message: 'timeoutMs must be a positive integer' });
    expect(await queryError({ uri, query: '(identifier) @i', range: { start: 1 } })).toMatchObject({ code: -32602 });
    expect(await queryError({ uri: 'file:///query/never-opened.js', query: '(identifier) @i' })).toMatchObject({ code: -32602, message: 'file:///query/never-opened.js is not open' });
    s.open('file:///query/notes.txt', 'plaintext', 'hello');
    expect((await queryError({ uri: 'file:///query/notes.txt', query: '(x) @x' })).message).toMatch(/has no syntax tree \(unknown-language\)/);
    expect((await query({ uri, query: '(identifier) @i' })).captures.map((c) => c.text)).toEqual(['y']);
  });

  // /^(a+)+$/ on 40 a's and a b backtracks 2^40 times in V8's default engine (28 a's took 25 s, measured):
  // without the linear-time fallback this request, and the server's event loop, would not return for hours.
  it('#match? patterns cannot freeze the server: backtracking ones run in linear time, unbounded ones are refused', async () => {
    const uri = 'file:///query/redos.py';
    const evil = 'a'.repeat(40) + 'b';
    await opened(uri, 'python', `${evil} = 1\naaaa = 2\n`);
    const started = performance.now();
    const r = await query({ uri, query: '((identifier) @x (#match? @x "^(a+)+$"))' });
    expect(r.captures.map((c) => c.text)).toEqual(['aaaa']);
    expect(performance.now() - started).toBeLessThan(5000);
    // `not-match?` and escapes as tree-sitter reads them ("\\w" is \w).
    expect((await query({ uri, query: '((identifier) @x (#not-match? @x "^(\\\\w+)+$"))' })).captures).toEqual([]);
    // A backreference or lookaround cannot fall back to the linear-time engine: refused, at the pattern's position.
    for (const [q, at] of [
      ['((identifier) @x\n  (#match? @x "^(a+)\\\\1$"))', '2:15'],
      ['; (#match? @x "ignored in a comment")\n((identifier) @x (#any-match? @x "a(?=b)"))', '2:34'],
    ] as const) {
      const refused = await queryError({ uri, query: q });
      expect(refused.code).toBe(-32602);
      expect(refused.message).toMatch(new RegExp(`^invalid query at ${at}: the pattern .* cannot run in linear time`));
      expect(refused.data).toMatchObject({ kind: 'predicate' });
    }
    // A pattern JavaScript rejects is named with its position too.
    expect((await queryError({ uri, query: '((identifier) @x (#match? @x "a("))' })).message).toMatch(/^invalid query at 1:30: Invalid regular expression/);
    expect((await query({ uri, query: '((identifier) @x (#match? @x "^a{4}$"))' })).captures.map((c) => c.text)).toEqual(['aaaa']);
  });

  it('a query over deep nesting stops at its time budget and says so', async () => {
    const uri = 'file:///query/deep.json';
    const depth = 20_000;
    await opened(uri, 'json', '['.repeat(depth) + ']'.repeat(depth));
    const r = await query({ uri, query: '(array (array (array) @inner))', timeoutMs: 5 });
    expect(r.timedOut).toBe(true);
    expect(r.captures.length).toBeLessThan(depth);
  });
});
