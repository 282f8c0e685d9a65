// Positions on the wire: LSP's UTF-16 code units and its line breaks (\n,
// \r\n, \r; U+2028/U+2029 are ordinary characters), checked through the
// ranges of syntax diagnostics; and the diagnostics' own contract: version,
// cap, and configuration that clears them (or, from eglot and Neovim, changes
// nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startServer, type TestServer } from '../helpers/lsp.js';
import { positionAt } from '../helpers/oracle.js';

interface Case {
  name: string;
  text: string;
  /** The diagnostic's range, worked out by hand. */
  range: [line: number, startChar: number, endLine: number, endChar: number];
  message: string;
  /** The offset the range starts at, for a cross-check with the test's own position model. */
  at: number;
}

// JSON: an extra number in an array is one ERROR node around exactly that
// number; a trailing comma leaves a zero-width MISSING number before "]".
const CASES: Case[] = [
  { name: 'emoji (surrogate pairs)', text: '["😀😀", 2 3]', range: [0, 11, 0, 12], message: 'Syntax error: unexpected "3"', at: 11 },
  { name: 'CJK', text: '["中文字", 2 3]', range: [0, 10, 0, 11], message: 'Syntax error: unexpected "3"', at: 10 },
  { name: 'CRLF', text: '[\r\n  "😀",\r\n  2 3\r\n]', range: [2, 4, 2, 5], message: 'Syntax error: unexpected "3"', at: 16 },
  { name: 'lone CR (a line break for LSP, not for tree-sitter)', text: '[\r  "x",\r  2 3\r]', range: [2, 4, 2, 5], message: 'Syntax error: unexpected "3"', at: 13 },
  { name: 'U+2028 and U+2029 (not line breaks)', text: '["a\u2028b\u2029c", 2 3]', range: [0, 12, 0, 13], message: 'Syntax error: unexpected "3"', at: 12 },
  // Not JSON whitespace either: the error runs from U+2028 to "2", all on line 0.
  { name: 'U+2028 and U+2029 outside strings', text: '[\u2028"a",\u2029 2 3]', range: [0, 1, 0, 9], message: 'Syntax error: unexpected ""a",\u2029 2"', at: 1 },
  // An error spanning a line break ends at its first line's end; U+2028 breaks nothing.
  { name: 'an error over a CRLF, after U+2028', text: '[1, "😀\u2028" "a\r\nb"]', range: [0, 10, 0, 12], message: 'Syntax error: unexpected ""a"', at: 10 },
  { name: 'emoji and CJK after CRLF', text: '[\r\n "𝕏中", 2 3]', range: [1, 10, 1, 11], message: 'Syntax error: unexpected "3"', at: 13 },
  { name: 'all of them, before a MISSING node', text: '{"a": "😀\u2028中"}\r\n\r["𝕏", 1,]', range: [2, 9, 2, 9], message: 'Missing number', at: 25 },
];

let server: TestServer;
let nextUri = 0;

/** Open `text` (which has a syntax error) as a new JSON document and return its diagnostics. */
async function diagnosticsOf(text: string, version = 1): Promise<PublishDiagnosticsParams> {
  const uri = `file:///positions/${nextUri++}.json`;
  server.open(uri, 'json', text, version);
  return server.waitForDiagnostics(uri, (p) => p.version === version && p.diagnostics.length > 0);
}

function range(d: Diagnostic): [number, number, number, number] {
  return [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];
}

beforeAll(async () => {
  server = await startServer({ env: { CST_DIAGNOSTICS_DEBOUNCE_MS: '10' } });
});
afterAll(async () => {
  await server?.stop();
});

describe('positions', () => {
  it('states positionEncoding utf-16 in the initialize result, whatever the client offers', async () => {
    expect(server.init?.capabilities.positionEncoding).toBe('utf-16');
    const other = await startServer({ capabilities: { general: { positionEncodings: ['utf-8', 'utf-32', 'utf-16'] } } });
    try {
      expect(other.init?.capabilities.positionEncoding).toBe('utf-16');
    } finally {
      await other.stop();
    }
  });

  for (const c of CASES) {
    it(`puts a syntax error at its exact UTF-16 range: ${c.name}`, async () => {
      // The hand-worked range agrees with the test's own LSP position model.
      expect(positionAt(c.text, c.at)).toEqual({ line: c.range[0], character: c.range[1] });
      const published = await diagnosticsOf(c.text);
      expect(published.diagnostics.map((d) => ({ range: range(d), message: d.message, severity: d.severity }))).toEqual([
        { range: c.range, message: c.message, severity: 1 },
      ]);
    });
  }
});

describe('diagnostics', () => {
  it('are not published empty for a document whose first parse has not happened yet', async () => {
    // A fresh server: the JSON grammar loads (asynchronously) on first use. Publishing [] for
    // version 1 meanwhile tells the client that version 1 has no errors.
    const fresh = await startServer({ env: { CST_DIAGNOSTICS_DEBOUNCE_MS: '0' } });
    try {
      const uri = 'file:///positions/first.json';
      fresh.open(uri, 'json', '["😀", 2 3]', 1);
      await fresh.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
      expect(fresh.diagnostics.get(uri)!.map((p) => ({ version: p.version, count: p.diagnostics.length }))).toEqual([{ version: 1, count: 1 }]);
    } finally {
      await fresh.stop();
    }
  });

  it('carry the version of the text they describe', async () => {
    const uri = 'file:///positions/versioned.json';
    server.open(uri, 'json', '[1 2]', 7);
    const v7 = await server.waitForDiagnostics(uri, (p) => p.version === 7 && p.diagnostics.length > 0);
    expect(v7.diagnostics.map(range)).toEqual([[0, 1, 0, 2]]); // "[1 2]": tree-sitter blames the "1"
    server.change(uri, 8, [{ range: { start: { line: 0, character: 2 }, end: { line: 0, character: 2 } }, text: ', 5' }]);
    const v8 = await server.waitForDiagnostics(uri, (p) => p.version === 8);
    expect(v8.diagnostics.map(range)).toEqual([[0, 6, 0, 7]]); // "[1, 5 2]"
    server.change(uri, 9, [{ text: '[1, 2]' }]);
    const v9 = await server.waitForDiagnostics(uri, (p) => p.version === 9);
    expect(v9.diagnostics).toEqual([]);
  });

  it('are capped per file, cleared by diagnostics.enable: false, and left alone by empty settings (eglot {}, Neovim [])', async () => {
    const uri = 'file:///positions/many.json';
    const lines = Array.from({ length: 10 }, (_, i) => `  [${i} ${i}],`); // one error per line
    const text = `[\n${lines.join('\n')}\n  0\n]`;
    server.open(uri, 'json', text, 1);
    const all = await server.waitForDiagnostics(uri, (p) => p.version === 1 && p.diagnostics.length > 0);
    expect(all.diagnostics.map((d) => d.range.start.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const configure = (settings: unknown) => void server.conn.sendNotification('workspace/didChangeConfiguration', { settings });
    const count = () => server.diagnostics.get(uri)!.length;

    configure({ cst: { diagnostics: { maxPerFile: 3 } } });
    const capped = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length === 3);
    expect(capped.diagnostics).toEqual(all.diagnostics.slice(0, 3));
    expect(capped.version).toBe(1);

    // eglot sends {settings: {}} after opening, Neovim 0.7 an empty Lua table: []. Nothing changes:
    // a later edit still gets 3 diagnostics, not the default 100.
    for (const [version, settings] of [[2, {}], [3, []], [4, null], [5, { cst: {} }]] as const) {
      const before = count();
      configure(settings);
      server.change(uri, version, [{ range: { start: { line: 11, character: 2 }, end: { line: 11, character: 3 } }, text: String(version) }]);
      const after = await server.waitForDiagnostics(uri, (p) => p.version === version);
      expect(after.diagnostics, `after settings ${JSON.stringify(settings)}`).toEqual(capped.diagnostics);
      expect(count()).toBe(before + 1); // one publication for the edit, none for the settings
    }

    configure({ cst: { diagnostics: { enable: false } } });
    const cleared = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    expect(cleared.version).toBe(5);
    // Still off after empty settings and an edit that adds errors.
    configure({});
    configure([]);
    server.change(uri, 6, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '1 ' }]);
    expect((await server.waitForDiagnostics(uri, (p) => p.version === 6)).diagnostics).toEqual([]);

    // Back on: the cap set before the empty settings still holds.
    configure({ cst: { diagnostics: { enable: true } } });
    const back = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    expect(back.version).toBe(6);
    expect(back.diagnostics).toHaveLength(3);
    expect(server.messages).toEqual([]);
  });

  it('take their cap from initializationOptions', async () => {
    const capped = await startServer({ initializationOptions: { cst: { diagnostics: { maxPerFile: 2, debounceMs: 10 } } } });
    try {
      const uri = 'file:///positions/init-options.json';
      capped.open(uri, 'json', '[[1 1], [2 2], [3 3], [4 4]]', 1);
      const published = await capped.waitForDiagnostics(uri, (p) => p.version === 1 && p.diagnostics.length > 0);
      expect(published.diagnostics.map(range)).toEqual([[0, 2, 0, 3], [0, 9, 0, 10]]);
    } finally {
      await capped.stop();
    }
  });
});
