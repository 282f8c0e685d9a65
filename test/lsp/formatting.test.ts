// Formatting through the real server: document, range and on-type requests,
// the request's options honoured, .editorconfig filling in what the request
// does not say, minimal edits, a demoted document formatted the same, and
// every language's reference golden (the output of its own formatter, from
// scrambled indentation) given back exactly over JSON-RPC.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, startServer, type TestServer } from '../helpers/lsp.js';
import { applyEdits } from '../../server/src/features/formatCheck.js';

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../fixtures/formatting');
/** languageId an editor sends, per fixture folder. */
const LANGUAGE_IDS: Record<string, string> = { bash: 'shellscript', c: 'c', cpp: 'cpp', css: 'css', html: 'html', java: 'java', javascript: 'javascript', python: 'python', ruby: 'ruby', rust: 'rust' };

let server: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const messy = 'class A {\nm(x: number) {\n      if (x) {\nreturn 1;   \n}\n  return 2;\n}\n}\n\n\n\n';
const tidy2 = 'class A {\n  m(x: number) {\n    if (x) {\n      return 1;\n    }\n    return 2;\n  }\n}\n';

type Edit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };

describe('formatting', () => {
  it('formats a document with the request options, in minimal edits, idempotently, from any tier', async () => {
    server = await startServer();
    const s = server;
    const uri = 'file:///fmt/a.ts';
    s.open(uri, 'typescript', messy);
    await s.waitForDiagnostics(uri);
    const edits = await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(applyEdits(messy, edits)).toBe(tidy2);
    // Only lines that change are touched: no whole-document replacement.
    expect(edits.every((e) => e.range.start.line === e.range.end.line || e.newText === '')).toBe(true);
    const tabs = await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: false } });
    expect(applyEdits(messy, tabs)).toBe(tidy2.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2)));
    // From warm: the same edits (formatting reparses a demoted document).
    await s.request('$/cstDebugSetTier', { uri, tier: 'frozen' });
    expect(await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual(edits);
    // Idempotent: the output formats to itself.
    s.change(uri, 2, [{ text: tidy2 }]);
    expect(await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('formats a range and on type', async () => {
    server = await startServer();
    const s = server;
    const uri = 'file:///fmt/b.ts';
    s.open(uri, 'typescript', messy);
    await s.waitForDiagnostics(uri);
    const range = await s.request<Edit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(range.length).toBeGreaterThan(0);
    expect(range.every((e) => e.range.start.line === 3)).toBe(true);
    const onType = await s.request<Edit[]>('textDocument/onTypeFormatting', {
      textDocument: { uri },
      position: { line: 4, character: 1 },
      ch: '}',
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(onType.some((e) => e.range.start.line === 4)).toBe(true);
  });

  it("gives back each language's own formatter output from scrambled indentation", async () => {
    server = await startServer();
    const s = server;
    const refs = fs.readdirSync(fixtures).filter((lang) => fs.readdirSync(path.join(fixtures, lang)).some((f) => f.startsWith('reference.input.')));
    expect(refs.sort()).toEqual(Object.keys(LANGUAGE_IDS).sort());
    for (const lang of refs) {
      const dirOf = path.join(fixtures, lang);
      const input = fs.readdirSync(dirOf).find((f) => f.startsWith('reference.input.'))!;
      const text = fs.readFileSync(path.join(dirOf, input), 'utf8');
      const expected = fs.readFileSync(path.join(dirOf, input.replace('.input.', '.expected.')), 'utf8');
      const { options } = JSON.parse(fs.readFileSync(path.join(dirOf, 'reference.json'), 'utf8')) as { options: Record<string, unknown> };
      const uri = `file:///fmt/ref/${input.replace('.input', '')}`;
      s.open(uri, LANGUAGE_IDS[lang]!, text);
      await s.waitForDiagnostics(uri);
      const edits = await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options });
      expect(applyEdits(text, edits), lang).toBe(expected);
    }
  });

  it('.editorconfig fills in what the request does not say', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-fmt-'));
    fs.writeFileSync(path.join(dir, '.editorconfig'), 'root = true\n[*.ts]\ninsert_final_newline = false\ntrim_trailing_whitespace = false\n');
    const file = path.join(dir, 'c.ts');
    const text = 'const x = 1;   \nconst y = 2;';
    fs.writeFileSync(file, text);
    // .editorconfig files are read inside workspace folders only (up to the folder).
    server = await startServer({ workspaceFolders: [{ uri: fileUri(dir), name: 'fmt' }] });
    const s = server;
    const uri = fileUri(file);
    s.open(uri, 'typescript', text);
    await s.waitForDiagnostics(uri);
    const edits = await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(applyEdits(text, edits)).toBe(text);
    const explicit = await s.request<Edit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true, insertFinalNewline: true, trimTrailingWhitespace: true } });
    expect(applyEdits(text, explicit)).toBe('const x = 1;\nconst y = 2;\n');
  });
});
