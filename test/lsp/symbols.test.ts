// Golden outlines: textDocument/documentSymbol through the built server, over
// real JSON-RPC, for every language of grammars/languages.json.
//
// Fixtures: test/fixtures/symbols/<language>/<input file> and, beside it,
// <input file>.outline.json, the expected outline in a compact form (kind by
// name, positions as "line:character" 0-based UTF-16, as LSP counts them).
//
// Regenerate after a deliberate change to a query, then review every diff by
// eye (a golden file that enshrines a wrong outline is a defect):
//
//   npm run build && UPDATE_GOLDEN=1 npx vitest run test/lsp/symbols.test.ts
//
// Besides the goldens: structural invariants on every outline (selectionRange
// inside range, children inside their parent, names non-empty, the text under
// selectionRange matching the name, which catches UTF-16/emoji/CRLF offset
// bugs), CRLF and lone-CR documents, the flat SymbolInformation[] answer for
// clients without hierarchicalDocumentSymbolSupport, an edit reflected in the
// next outline, and deep nesting that must neither overflow nor hang.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import type { DocumentSymbol, Range, SymbolInformation } from 'vscode-languageserver-protocol';

const fixturesDir = path.join(repoRoot, 'test/fixtures/symbols');
const grammarsDir = path.join(repoRoot, 'grammars');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface ManifestLanguage {
  id: string;
  languageIds: string[];
  queries?: Record<string, string>;
}
const manifest = JSON.parse(fs.readFileSync(path.join(grammarsDir, 'languages.json'), 'utf8')) as { languages: ManifestLanguage[] };

const KIND_NAMES = ['', 'File', 'Module', 'Namespace', 'Package', 'Class', 'Method', 'Property', 'Field', 'Constructor', 'Enum', 'Interface', 'Function', 'Variable', 'Constant', 'String', 'Number', 'Boolean', 'Array', 'Object', 'Key', 'Null', 'EnumMember', 'Struct', 'Event', 'Operator', 'TypeParameter'];

interface GoldenSymbol {
  name: string;
  kind: string;
  detail?: string;
  range: string;
  selection: string;
  children?: GoldenSymbol[];
}

const pos = (p: { line: number; character: number }) => `${p.line}:${p.character}`;
const rangeText = (r: Range) => `${pos(r.start)}-${pos(r.end)}`;

/** Compact, reviewable form of an outline (iterative: outlines can be deep). */
function golden(symbols: DocumentSymbol[]): GoldenSymbol[] {
  const roots: GoldenSymbol[] = [];
  const work: { s: DocumentSymbol; into: GoldenSymbol[] }[] = symbols.map((s) => ({ s, into: roots }));
  for (let i = 0; i < work.length; i++) {
    const { s, into } = work[i]!;
    const g: GoldenSymbol = { name: s.name, kind: KIND_NAMES[s.kind] ?? String(s.kind), ...(s.detail ? { detail: s.detail } : {}), range: rangeText(s.range), selection: rangeText(s.selectionRange) };
    into.push(g);
    if (s.children?.length) {
      g.children = [];
      for (const c of s.children) work.push({ s: c, into: g.children });
    }
  }
  return roots;
}

function flatten(symbols: DocumentSymbol[]): { s: DocumentSymbol; parent: DocumentSymbol | undefined; depth: number }[] {
  const out: { s: DocumentSymbol; parent: DocumentSymbol | undefined; depth: number }[] = [];
  const work = symbols.map((s) => ({ s, parent: undefined as DocumentSymbol | undefined, depth: 0 })).reverse();
  while (work.length > 0) {
    const item = work.pop()!;
    out.push(item);
    for (const c of [...(item.s.children ?? [])].reverse()) work.push({ s: c, parent: item.s, depth: item.depth + 1 });
  }
  return out;
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const within = (inner: Range, outer: Range) => before(outer.start, inner.start) && before(inner.end, outer.end);

/** Text of a range, read the way LSP counts: lines split at \r\n, \n or \r; characters are UTF-16 units. */
function textAt(lines: string[], r: Range): string {
  if (r.start.line === r.end.line) return lines[r.start.line]!.slice(r.start.character, r.end.character);
  const parts = [lines[r.start.line]!.slice(r.start.character)];
  for (let l = r.start.line + 1; l < r.end.line; l++) parts.push(lines[l]!);
  parts.push(lines[r.end.line]!.slice(0, r.end.character));
  return parts.join('\n');
}

const squash = (s: string) => s.replace(/\s+/g, ' ').replace(/^["'`]|["'`]$/g, '').trim();

/** Invariants every outline must hold; returns the problems found. */
function check(symbols: DocumentSymbol[], text: string, language: string): string[] {
  const problems: string[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  const valid = (p: { line: number; character: number }) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  for (const { s, parent } of flatten(symbols)) {
    const where = `${s.name} @${rangeText(s.range)}`;
    if (!s.name || !s.name.trim()) problems.push(`empty name at ${rangeText(s.range)}`);
    if (![s.range.start, s.range.end, s.selectionRange.start, s.selectionRange.end].every(valid)) problems.push(`${where}: position outside the document`);
    if (!before(s.range.start, s.range.end)) problems.push(`${where}: range ends before it starts`);
    if (!within(s.selectionRange, s.range)) problems.push(`${where}: selectionRange ${rangeText(s.selectionRange)} not inside range`);
    if (parent && !within(s.range, parent.range)) problems.push(`${where}: not inside its parent ${parent.name} @${rangeText(parent.range)}`);
    // The text under the selection is the name, or a piece of it (templated
    // names such as "(*T).Method" or "describe('x') callback"), or contains it.
    // A symbol without a name node (an array item, `new()` of an interface)
    // selects its whole declaration.
    const sel = squash(textAt(lines, s.selectionRange));
    const name = squash(s.name);
    if (rangeText(s.selectionRange) === rangeText(s.range)) continue;
    if (language === 'html') {
      const id = s.name.slice(s.name.indexOf('#') + 1);
      if (!sel.includes(id)) problems.push(`${where}: selection "${sel}" does not hold the id`);
    } else if (!(sel.includes(name) || name.includes(sel))) {
      problems.push(`${where}: selection text "${sel}" does not match the name`);
    }
  }
  return problems;
}

async function waitForTree(server: TestServer, uri: string, version = 1): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const t = await server.request<{ hasTree: boolean; tier: string; version: number; noTreeReason?: string } | null>('$/cstDebugTree', { uri, digest: false });
    // A text the cache has seen is restored warm on open (no live tree): its syntax data is there all the same.
    if ((t?.hasTree || (t?.tier && t.tier !== 'none')) && t.version >= version) return;
    if (t?.noTreeReason && t.noTreeReason !== 'loading') throw new Error(`${uri}: no tree (${t.noTreeReason})`);
    if (Date.now() > deadline) throw new Error(`${uri}: no tree within 30 s (last state ${JSON.stringify(t)}; server log: ${server.stderr().slice(-2000)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function outlineOf(server: TestServer, uri: string, languageId: string, text: string): Promise<DocumentSymbol[]> {
  server.open(uri, languageId, text, 1);
  await waitForTree(server, uri);
  const result = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  server.close(uri);
  return result;
}

interface Fixture {
  language: string;
  languageId: string;
  file: string;
}

function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const lang of manifest.languages) {
    const dir = path.join(fixturesDir, lang.id);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.endsWith('.outline.json') || f.startsWith('.')) continue;
      out.push({ language: lang.id, languageId: lang.languageIds[0]!, file: path.join(dir, f) });
    }
  }
  return out;
}

describe('document symbols: golden outlines', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has a symbols query, a manifest entry for it, and a fixture for every language', () => {
    for (const lang of manifest.languages) {
      expect(fs.existsSync(path.join(grammarsDir, lang.id, 'symbols.scm')), `${lang.id}/symbols.scm`).toBe(true);
      expect(lang.queries?.symbols, `${lang.id}: "queries": {"symbols": ...} in languages.json`).toBe('symbols.scm');
      expect(fixtures().some((f) => f.language === lang.id), `a fixture in test/fixtures/symbols/${lang.id}/`).toBe(true);
    }
  });

  it('gives TSX the TypeScript query (by inheritance, no copy)', () => {
    expect(fs.readFileSync(path.join(grammarsDir, 'tsx/symbols.scm'), 'utf8')).toMatch(/^; inherits: typescript\n/);
  });

  for (const fx of fixtures()) {
    const rel = path.relative(fixturesDir, fx.file);
    it(`${rel} matches its golden outline`, async () => {
      const text = fs.readFileSync(fx.file, 'utf8');
      const symbols = await outlineOf(server, fileUri(fx.file), fx.languageId, text);
      expect(symbols.length, 'a non-empty outline (an empty one means the query failed to compile: see the server log)').toBeGreaterThan(0);
      expect(check(symbols, text, fx.language)).toEqual([]);
      const goldenFile = `${fx.file}.outline.json`;
      const actual = golden(symbols);
      if (UPDATE || !fs.existsSync(goldenFile)) {
        fs.writeFileSync(goldenFile, JSON.stringify(actual, null, 2) + '\n');
        if (!UPDATE) throw new Error(`${goldenFile} was missing and has been written: review it, then run again`);
      }
      expect(actual).toEqual(JSON.parse(fs.readFileSync(goldenFile, 'utf8')) as GoldenSymbol[]);
    });
  }

  for (const fx of fixtures().filter((f) => !fs.readFileSync(f.file, 'utf8').includes('\r'))) {
    it(`${path.relative(fixturesDir, fx.file)} with CRLF line ends has the same outline`, async () => {
      const text = fs.readFileSync(fx.file, 'utf8');
      const lf = await outlineOf(server, `${fileUri(fx.file)}.lf`, fx.languageId, text);
      const crlfText = text.replace(/\n/g, '\r\n');
      const crlf = await outlineOf(server, `${fileUri(fx.file)}.crlf`, fx.languageId, crlfText);
      expect(check(crlf, crlfText, fx.language)).toEqual([]);
      expect(golden(crlf)).toEqual(golden(lf));
    });
  }
});

describe('document symbols: protocol', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('uses LSP lines, not tree-sitter rows, when a document has a lone CR', async () => {
    // A lone \r ends a line for LSP but not for tree-sitter: positions after it must still be right.
    const text = '// one\rtwo\nfunction after(a: string) {}\r\nclass Later { m() {} }\n';
    const symbols = await outlineOf(server, 'file:///tmp/symbols/lone-cr.ts', 'typescript', text);
    expect(golden(symbols)).toEqual([
      { name: 'after', kind: 'Function', detail: '(a: string)', range: '2:0-2:28', selection: '2:9-2:14' },
      { name: 'Later', kind: 'Class', range: '3:0-3:22', selection: '3:6-3:11', children: [{ name: 'm', kind: 'Method', detail: '()', range: '3:14-3:20', selection: '3:14-3:15' }] },
    ]);
    expect(check(symbols, text, 'typescript')).toEqual([]);
  });

  it('counts UTF-16 code units after astral characters', async () => {
    const text = 'const s = "👩‍👩‍👧🚀"; function f() {}\nclass 𝒞 {}\n';
    const symbols = await outlineOf(server, 'file:///tmp/symbols/astral.ts', 'typescript', text);
    expect(golden(symbols).map((s) => `${s.name} ${s.selection}`)).toEqual(['s 0:6-0:7', 'f 0:33-0:34', '𝒞 1:6-1:8']);
  });

  it('reflects an edit in the next outline', async () => {
    const uri = 'file:///tmp/symbols/edit.py';
    server.open(uri, 'python', 'def old():\n    pass\n', 1);
    await waitForTree(server, uri, 1);
    server.change(uri, 2, [{ range: { start: { line: 0, character: 4 }, end: { line: 0, character: 7 } }, text: 'renamed' }]);
    await waitForTree(server, uri, 2);
    const symbols = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(golden(symbols)).toEqual([{ name: 'renamed', kind: 'Function', detail: '()', range: '0:0-1:8', selection: '0:4-0:11' }]);
  });

  it('survives deep nesting without recursion and caps the depth', async () => {
    const depth = 5000;
    const text = `${'{"k": '.repeat(depth)}1${'}'.repeat(depth)}`;
    const t0 = Date.now();
    const symbols = await outlineOf(server, 'file:///tmp/symbols/deep.json', 'json', text);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const flat = flatten(symbols);
    const maxDepth = Math.max(...flat.map((f) => f.depth));
    expect(maxDepth).toBeGreaterThan(50);
    expect(maxDepth).toBeLessThan(depth);
    expect(check(symbols, text, 'json')).toEqual([]);
  });

  it('answers an empty outline for a document in a language it does not know', async () => {
    const uri = 'file:///tmp/symbols/notes.unknown';
    server.open(uri, 'plaintext', 'hello', 1);
    expect(await server.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } })).toEqual([]);
  });
});

describe('document symbols: clients without hierarchical support', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: false } } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers SymbolInformation[] with containerName, in document order', async () => {
    const uri = 'file:///tmp/symbols/flat.py';
    const text = 'class A:\n    def m(self):\n        pass\n\ndef f():\n    pass\n';
    server.open(uri, 'python', text, 1);
    await waitForTree(server, uri);
    const result = await server.request<SymbolInformation[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(result.map((s) => ({ name: s.name, kind: KIND_NAMES[s.kind], container: s.containerName, uri: s.location.uri, range: rangeText(s.location.range) }))).toEqual([
      { name: 'A', kind: 'Class', container: undefined, uri, range: '0:0-2:12' },
      { name: 'm', kind: 'Method', container: 'A', uri, range: '1:4-2:12' },
      { name: 'f', kind: 'Function', container: undefined, uri, range: '4:0-5:8' },
    ]);
  });
});
