// Navigation through the built server, over real JSON-RPC: folding ranges,
// selection ranges and document highlights for every language of
// grammars/languages.json, from every tier of the cache.
//
// Golden folds: test/fixtures/navigation/<language>/<input file> and, beside
// it, <input file>.folds.txt: one line per range as a lineFoldingOnly client
// (VS Code, Neovim) gets it, then the exact end a character-folding client
// gets, then the first and last visible-or-hidden lines' text so a reviewer
// sees what folds:
//
//   <startLine>-<endLine> [kind] ~<endLine>[:<endCharacter>] | <start line> … <end line>
//
// (0-based lines, as LSP counts them). Regenerate after a deliberate change
// to a folds.scm, then review every diff by eye (a golden file that enshrines
// a wrong fold is a defect):
//
//   npm run build && UPDATE_GOLDEN=1 npx vitest run test/lsp/navigation.test.ts
//
// Besides the goldens: every language has its query files and they compile;
// fold invariants (one range per start line, inside the document, sorted);
// the identical answer for all three requests from hot, warm, cold and
// frozen; rangeLimit and lineFoldingOnly; selection ranges in strings, on
// emoji and with CRLF (every range contains the position and its child, no
// range splits a surrogate pair); highlights that respect scope (a parameter
// `x` of one function is not highlighted in another) with Write/Read/Text
// kinds; CR-only line ends; and 100,000 nested brackets that neither crash
// nor hang any of the three.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentHighlight, FoldingRange, Position, Range, SelectionRange } from 'vscode-languageserver-protocol';
import { repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import type { CstStats, Tier } from '../../server/src/protocol.js';

const fixturesDir = path.join(repoRoot, 'test/fixtures/navigation');
const grammarsDir = path.join(repoRoot, 'grammars');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface ManifestLanguage {
  id: string;
  languageIds: string[];
  queries?: Record<string, string>;
}
const manifest = JSON.parse(fs.readFileSync(path.join(grammarsDir, 'languages.json'), 'utf8')) as { languages: ManifestLanguage[] };

interface Fixture {
  language: string;
  languageId: string;
  file: string;
  uri: string;
  text: string;
}

function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const lang of manifest.languages) {
    const dir = path.join(fixturesDir, lang.id);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.endsWith('.folds.txt') || f.startsWith('.')) continue;
      const file = path.join(dir, f);
      out.push({ language: lang.id, languageId: lang.languageIds[0]!, file, uri: `file:///navigation/${lang.id}/${f}`, text: fs.readFileSync(file, 'utf8') });
    }
  }
  return out;
}

/** Lines as LSP counts them: split at \r\n, \n or \r. */
const lspLines = (text: string) => text.split(/\r\n|\n|\r/);

/** UTF-16 offset of an LSP position (lines split at \r\n, \n, \r). */
function offsetAt(text: string, p: Position): number {
  let line = 0;
  let i = 0;
  while (line < p.line && i < text.length) {
    const c = text.charCodeAt(i++);
    if (c === 10 || (c === 13 && text.charCodeAt(i) !== 10)) line++;
    else if (c === 13) {
      i++;
      line++;
    }
  }
  return i + p.character;
}

function positionAt(text: string, offset: number): Position {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
    if (c === 10 || c === 13) {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

const textOf = (text: string, r: Range) => text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const contains = (outer: Range, inner: Range) => before(outer.start, inner.start) && before(inner.end, outer.end);
const containsPos = (r: Range, p: Position) => before(r.start, p) && before(p, r.end);
const show = (s: string, max = 48) => {
  const t = s.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

function chainOf(s: SelectionRange): Range[] {
  const out: Range[] = [];
  for (let r: SelectionRange | undefined = s; r; r = r.parent) out.push(r.range);
  return out;
}

async function ready(server: TestServer, uri: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await server.request<{ hasTree: boolean; noTreeReason?: string } | null>('$/cstDebugTree', { uri, digest: false });
    if (t?.hasTree) return;
    if (t?.noTreeReason && t.noTreeReason !== 'loading') throw new Error(`${uri}: no tree (${t.noTreeReason})`);
    if (Date.now() > deadline) throw new Error(`${uri}: no tree within 60 s; server log: ${server.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const folds = (s: TestServer, uri: string) => s.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
const selections = (s: TestServer, uri: string, positions: Position[]) => s.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions });
const highlights = (s: TestServer, uri: string, position: Position) => s.request<DocumentHighlight[] | null>('textDocument/documentHighlight', { textDocument: { uri }, position }).then((h) => h ?? []);

/** Golden form of the folds of one document from two clients (line folding, character folding). */
function goldenFolds(text: string, lineOnly: FoldingRange[], exact: FoldingRange[]): string {
  const lines = lspLines(text);
  expect(exact.length).toBe(lineOnly.length);
  return lineOnly
    .map((f, i) => {
      const e = exact[i]!;
      const kind = f.kind ? ` ${f.kind}` : '';
      const end = `~${e.endLine}${e.endCharacter !== undefined ? `:${e.endCharacter}` : ''}`;
      return `${f.startLine}-${f.endLine}${kind} ${end} | ${show(lines[f.startLine] ?? '')} … ${show(lines[f.endLine] ?? '')}`;
    })
    .join('\n')
    .concat('\n');
}

function foldProblems(text: string, ranges: FoldingRange[], lineOnly: boolean): string[] {
  const problems: string[] = [];
  const lines = lspLines(text);
  let previousStart = -1;
  for (const f of ranges) {
    const where = `${f.startLine}-${f.endLine}`;
    if (!(f.endLine > f.startLine)) problems.push(`${where}: hides nothing`);
    if (f.startLine <= previousStart) problems.push(`${where}: not sorted or two ranges on one start line`);
    previousStart = f.startLine;
    if (f.endLine >= lines.length) problems.push(`${where}: ends after the document`);
    if (lineOnly && (f.startCharacter !== undefined || f.endCharacter !== undefined)) problems.push(`${where}: characters for a lineFoldingOnly client`);
    if (f.endCharacter !== undefined && f.endCharacter > (lines[f.endLine]?.length ?? 0)) problems.push(`${where}: endCharacter past the line`);
    if (f.kind !== undefined && !['comment', 'imports', 'region'].includes(f.kind)) problems.push(`${where}: unknown kind ${f.kind}`);
  }
  return problems;
}

/** Positions to probe: the start and middle of every word-ish token, plus a stride over the text. */
function probePositions(text: string, max = 60): Position[] {
  const offsets = new Set<number>();
  for (const m of text.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)) {
    offsets.add(m.index);
    offsets.add(m.index + Math.floor(m[0].length / 2));
  }
  const stride = Math.max(1, Math.floor(text.length / 20));
  for (let o = 0; o <= text.length; o += stride) offsets.add(o);
  const sorted = [...offsets].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(sorted.length / max));
  return sorted.filter((_, i) => i % step === 0).map((o) => positionAt(text, o));
}

describe('navigation: query files and golden folds', () => {
  let lineClient: TestServer;
  let charClient: TestServer;
  beforeAll(async () => {
    lineClient = await startServer({ capabilities: { textDocument: { foldingRange: { lineFoldingOnly: true } } } });
    charClient = await startServer({ capabilities: { textDocument: { foldingRange: { lineFoldingOnly: false } } } });
  });
  afterAll(async () => {
    await lineClient?.stop();
    await charClient?.stop();
  });

  it('advertises the three providers', () => {
    const caps = lineClient.init!.capabilities;
    expect(caps.foldingRangeProvider).toBeTruthy();
    expect(caps.selectionRangeProvider).toBeTruthy();
    expect(caps.documentHighlightProvider).toBeTruthy();
  });

  it('has folds.scm and locals.scm, manifest entries and a fixture for every language', () => {
    const withFixture = new Set(fixtures().map((f) => f.language));
    for (const lang of manifest.languages) {
      for (const q of ['folds', 'locals']) {
        expect(fs.existsSync(path.join(grammarsDir, lang.id, `${q}.scm`)), `${lang.id}/${q}.scm`).toBe(true);
        expect(lang.queries?.[q], `${lang.id}: "queries": {"${q}": ...} in languages.json`).toBe(`${q}.scm`);
      }
      expect(withFixture.has(lang.id), `a fixture in test/fixtures/navigation/${lang.id}/`).toBe(true);
    }
  });

  for (const fx of fixtures()) {
    it(`${fx.language}: ${path.basename(fx.file)} folds as its golden file says`, async () => {
      lineClient.open(fx.uri, fx.languageId, fx.text);
      charClient.open(fx.uri, fx.languageId, fx.text);
      await ready(lineClient, fx.uri);
      await ready(charClient, fx.uri);
      const lineOnly = await folds(lineClient, fx.uri);
      const exact = await folds(charClient, fx.uri);
      lineClient.close(fx.uri);
      charClient.close(fx.uri);
      expect(foldProblems(fx.text, lineOnly, true)).toEqual([]);
      expect(foldProblems(fx.text, exact, false)).toEqual([]);
      // Character folding refines the ends; it folds the same ranges.
      expect(exact.map((f) => f.startLine)).toEqual(lineOnly.map((f) => f.startLine));
      for (let i = 0; i < exact.length; i++) expect(exact[i]!.endLine).toBeGreaterThanOrEqual(lineOnly[i]!.endLine);
      // Every fixture exercises code folds, and a comment where the language has comments.
      expect(lineOnly.length).toBeGreaterThan(3);
      const golden = goldenFolds(fx.text, lineOnly, exact);
      const goldenFile = `${fx.file}.folds.txt`;
      if (UPDATE || !fs.existsSync(goldenFile)) fs.writeFileSync(goldenFile, golden);
      expect(golden).toBe(fs.readFileSync(goldenFile, 'utf8'));
    });
  }

  it('logs no query that fails to compile', () => {
    expect(lineClient.stderr()).not.toMatch(/query failed to compile/);
    expect(charClient.stderr()).not.toMatch(/query failed to compile/);
  });
});

describe('navigation: every tier gives the same answer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: { CST_MEMORY_MB: '512' },
      capabilities: { textDocument: { foldingRange: { lineFoldingOnly: true, rangeLimit: 5000 } } },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('folding, selection and highlights from hot, warm, cold and frozen are identical', async () => {
    const all = fixtures();
    for (const fx of all) server.open(fx.uri, fx.languageId, fx.text);
    for (const fx of all) await ready(server, fx.uri);
    // Frozen needs the idle full-parse confirmation to have persisted each entry.
    const deadline = Date.now() + 60_000;
    while ((await server.request<CstStats>('$/cstStats', {})).frozen.records < all.length) {
      if (Date.now() > deadline) throw new Error('entries were not persisted within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const fx of all) {
      const positions = probePositions(fx.text);
      const answer = async () => ({
        folds: await folds(server, fx.uri),
        selections: await selections(server, fx.uri, positions),
        highlights: await Promise.all(positions.slice(0, 40).map((p) => highlights(server, fx.uri, p))),
      });
      const tierOf = async () => (await server.request<CstStats>('$/cstStats', { uri: fx.uri })).document?.tier;
      expect(await tierOf()).toBe('hot');
      const hot = await answer();
      expect(hot.highlights.some((h) => h.length > 0), `${fx.language}: some probe highlights something`).toBe(true);
      for (const tier of ['warm', 'cold', 'frozen'] as Tier[]) {
        // Each request below starts from the tier under test (a read promotes to warm).
        for (const feature of ['folds', 'selections', 'highlights'] as const) {
          const moved = await server.request<{ tier: string }>('$/cstDebugSetTier', { uri: fx.uri, tier });
          expect(moved.tier, `${fx.language} to ${tier}`).toBe(tier);
          const got = await answer();
          expect(got[feature], `${fx.language}: ${feature} from ${tier}`).toEqual(hot[feature]);
        }
      }
      await server.request('$/cstDebugSetTier', { uri: fx.uri, tier: 'hot' });
      expect(await answer(), `${fx.language}: back to hot`).toEqual(hot);
      server.close(fx.uri);
    }
  }, 300_000);
});

describe('navigation: behaviour', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ capabilities: { textDocument: { foldingRange: { lineFoldingOnly: true } } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  let serial = 0;
  async function open(languageId: string, text: string, ext: string): Promise<string> {
    const uri = `file:///navigation/behaviour/doc${++serial}.${ext}`;
    server.open(uri, languageId, text);
    await ready(server, uri);
    return uri;
  }

  it('highlights a parameter within its own function only, with Write and Read kinds', async () => {
    const text = ['function f(x) {', '  return x + 1;', '}', 'function g(x) {', '  x = x * 2;', '  return x;', '}', 'const x = f(1) + g(2);', ''].join('\n');
    const uri = await open('javascript', text, 'js');
    const at = (line: number, character: number) => highlights(server, uri, { line, character });
    const summary = (hs: DocumentHighlight[]) => hs.map((h) => `${h.range.start.line}:${h.range.start.character}-${h.range.end.character}/${h.kind}`);
    // x in f: the parameter (Write) and its use (Read), nothing of g or the top level.
    expect(summary(await at(1, 9))).toEqual(['0:11-12/3', '1:9-10/2']);
    expect(summary(await at(0, 11))).toEqual(['0:11-12/3', '1:9-10/2']);
    // x in g: parameter, assignment (Write), reads.
    expect(summary(await at(5, 9))).toEqual(['3:11-12/3', '4:2-3/3', '4:6-7/2', '5:9-10/2']);
    // The top-level x is its own binding; f and g are visible beside their declarations.
    expect(summary(await at(7, 6))).toEqual(['7:6-7/3']);
    expect(summary(await at(7, 10))).toEqual(['0:9-10/3', '7:10-11/2']);
    // The cursor just after a name still finds it; a keyword or an operator finds nothing.
    expect(summary(await at(1, 10))).toEqual(['0:11-12/3', '1:9-10/2']);
    expect(await at(1, 3)).toEqual([]);
    expect(await at(4, 4)).toEqual([]);
  });

  it('highlights Python names by scope, and attributes by text (kind Text)', async () => {
    const text = ['class A:', '    def f(self, x):', '        self.x = x', '        return x', '', '    def g(self, x):', '        return self.x + x', ''].join('\n');
    const uri = await open('python', text, 'py');
    const hs = await highlights(server, uri, { line: 3, character: 15 });
    expect(hs.map((h) => [h.range.start.line, h.range.start.character, h.kind])).toEqual([
      [1, 16, 3],
      [2, 17, 2],
      [3, 15, 2],
    ]);
    const attr = await highlights(server, uri, { line: 2, character: 13 });
    expect(attr.map((h) => [h.range.start.line, h.range.start.character, h.kind])).toEqual([
      [2, 13, 1],
      [6, 20, 1],
    ]);
  });

  it('pairs an HTML element\'s start and end tags, not other elements of the same name', async () => {
    const text = '<div>\n  <div>inner</div>\n</div>\n';
    const uri = await open('html', text, 'html');
    const hs = await highlights(server, uri, { line: 0, character: 2 });
    expect(hs.map((h) => `${h.range.start.line}:${h.range.start.character}`)).toEqual(['0:1', '2:2']);
  });

  it('selects from the word inside a string outward, never splitting an emoji', async () => {
    const text = 'const s = "héllo wörld 👋🏽 done";\r\nfunction f(a, b) {\r\n  return [a, "x y"];\r\n}\r\n';
    const uri = await open('typescript', text, 'ts');
    const emoji = text.indexOf('👋');
    const probes: Position[] = [
      { line: 0, character: text.indexOf('wörld') + 2 }, // inside a word of a string
      { line: 0, character: emoji }, // on an emoji
      { line: 0, character: emoji + 1 }, // between the surrogates of an emoji
      { line: 0, character: emoji + 3 }, // inside the skin-tone modifier
      { line: 2, character: 17 }, // inside "x y", on y
      { line: 1, character: 11 }, // on a parameter
      { line: 1, character: 10 }, // just after `f`, before `(`
      { line: 3, character: 1 }, // end of the last line
    ];
    const result = await selections(server, uri, probes);
    expect(result).toHaveLength(probes.length);
    const whole = { start: { line: 0, character: 0 }, end: positionAt(text, text.length) };
    for (let i = 0; i < probes.length; i++) {
      const chain = chainOf(result[i]!);
      expect(chain.length).toBeGreaterThan(1);
      expect(chain[chain.length - 1]).toEqual(whole);
      for (let k = 0; k < chain.length; k++) {
        expect(containsPos(chain[k]!, probes[i]!), `range ${k} contains probe ${i}`).toBe(true);
        if (k > 0) {
          expect(contains(chain[k]!, chain[k - 1]!), `range ${k} contains range ${k - 1}`).toBe(true);
          expect(chain[k]).not.toEqual(chain[k - 1]);
        }
        for (const p of [chain[k]!.start, chain[k]!.end]) {
          const o = offsetAt(text, p);
          const low = text.charCodeAt(o);
          expect(low >= 0xdc00 && low <= 0xdfff, `range ${k} of probe ${i} splits a surrogate pair`).toBe(false);
        }
      }
    }
    const texts = result.map((r) => chainOf(r).map((range) => textOf(text, range)));
    expect(texts[0]!.slice(0, 3)).toEqual(['wörld', 'héllo wörld 👋🏽 done', '"héllo wörld 👋🏽 done"']);
    expect(texts[1]![0]).toBe('héllo wörld 👋🏽 done');
    expect(texts[4]!.slice(0, 3)).toEqual(['y', 'x y', '"x y"']);
    expect(texts[5]!.slice(0, 3)).toEqual(['a', '(a, b)', 'function f(a, b) {\r\n  return [a, "x y"];\r\n}']);
    expect(texts[6]![0]).toBe('f');
  });

  it('folds a document with CR-only line ends on LSP lines', async () => {
    const text = 'function f() {\r  if (x) {\r    y();\r  }\r}\r';
    const uri = await open('javascript', text, 'js');
    expect(await folds(server, uri)).toEqual([
      { startLine: 0, endLine: 3 },
      { startLine: 1, endLine: 2 },
    ]);
  });

  it('follows an edit: the next answers come from the new text', async () => {
    const uri = await open('python', 'def f(x):\n    return x\n', 'py');
    expect(await folds(server, uri)).toEqual([{ startLine: 0, endLine: 1 }]);
    server.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import os\nimport sys\n\n' }]);
    expect(await folds(server, uri)).toEqual([
      { startLine: 0, endLine: 1, kind: 'imports' },
      { startLine: 3, endLine: 4 },
    ]);
    expect((await highlights(server, uri, { line: 4, character: 12 })).map((h) => h.range.start.line)).toEqual([3, 4]);
  });

  it('answers empty results for a language it does not know', async () => {
    const uri = 'file:///navigation/behaviour/notes.unknown';
    server.open(uri, 'plaintext', 'hello {\n}\n');
    expect(await folds(server, uri)).toEqual([]);
    expect(await highlights(server, uri, { line: 0, character: 1 })).toEqual([]);
    const sel = await selections(server, uri, [{ line: 0, character: 1 }]);
    expect(Array.isArray(sel)).toBe(true);
  });
});

describe('navigation: folding client capabilities', () => {
  const text = fs.readFileSync(path.join(fixturesDir, 'typescript/sample.ts'), 'utf8');
  const uri = 'file:///navigation/limits/sample.ts';

  async function foldsWith(foldingRange: Record<string, unknown>): Promise<FoldingRange[]> {
    const s = await startServer({ capabilities: { textDocument: { foldingRange } } });
    try {
      s.open(uri, 'typescript', text);
      await ready(s, uri);
      return await folds(s, uri);
    } finally {
      await s.stop();
    }
  }

  it('honours rangeLimit by keeping the outermost ranges, and lineFoldingOnly', async () => {
    const [all, limited, exact] = await Promise.all([
      foldsWith({ lineFoldingOnly: true }),
      foldsWith({ lineFoldingOnly: true, rangeLimit: 6 }),
      foldsWith({}),
    ]);
    expect(all.length).toBeGreaterThan(6);
    expect(limited).toHaveLength(6);
    // Outermost first: every kept range is in the full answer, and no dropped range contains a kept one.
    for (const f of limited) expect(all).toContainEqual(f);
    const dropped = all.filter((f) => !limited.some((g) => g.startLine === f.startLine));
    for (const d of dropped) for (const k of limited) expect(d.startLine <= k.startLine && d.endLine >= k.endLine, `dropped ${d.startLine}-${d.endLine} contains kept ${k.startLine}-${k.endLine}`).toBe(false);
    expect(all.every((f) => f.endCharacter === undefined && f.startCharacter === undefined)).toBe(true);
    // Without lineFoldingOnly a range with a closing bracket ends at it: `{…}`.
    const lines = lspLines(text);
    const closers = exact.filter((f) => f.endCharacter !== undefined);
    expect(closers.length).toBeGreaterThan(3);
    for (const f of closers) expect('}])>`'.includes(lines[f.endLine]![f.endCharacter!]!), `${f.startLine}-${f.endLine}:${f.endCharacter}`).toBe(true);
  }, 60_000);
});

describe('navigation: deep nesting', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ capabilities: { textDocument: { foldingRange: { lineFoldingOnly: true, rangeLimit: 5000 } } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const [languageId, ext, text] of [
    ['json', 'json', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['json', 'json', '[\n'.repeat(100_000) + ']\n'.repeat(100_000)],
    ['javascript', 'js', 'x = ' + '('.repeat(100_000) + 'y' + ')'.repeat(100_000) + ';\n'],
    ['python', 'py', 'x = ' + '['.repeat(100_000) + 'y' + ']'.repeat(100_000) + '\n'],
  ] as const) {
    it(`serves all three on 100,000 nested brackets (${languageId}, ${text.includes('\n[') ? 'one per line' : 'one line'}) from hot and warm`, async () => {
      const uri = `file:///navigation/deep/${languageId}-${text.length}.${ext}`;
      server.open(uri, languageId, text);
      await ready(server, uri);
      const middle = positionAt(text, text.indexOf(languageId === 'json' ? ']' : 'y'));
      const run = async () => {
        const t0 = Date.now();
        const f = await folds(server, uri);
        const s = await selections(server, uri, [middle, { line: 0, character: 0 }]);
        const h = await highlights(server, uri, middle);
        return { f, s, h, ms: Date.now() - t0 };
      };
      const hot = await run();
      expect(hot.f.length).toBeLessThanOrEqual(5000);
      // One bracket per line: a fold per level down to the fold depth limit (MAX_FOLD_DEPTH = 4096), within the 5000 cap.
      if (text.includes('\n[')) expect(hot.f.length).toBeGreaterThanOrEqual(4000);
      expect(hot.s).toHaveLength(2);
      const chain = chainOf(hot.s[0]!);
      expect(chain.length).toBeGreaterThan(100);
      expect(chain.length).toBeLessThanOrEqual(1000);
      expect(chain[chain.length - 1]!.start).toEqual({ line: 0, character: 0 });
      for (let k = 1; k < chain.length; k++) expect(contains(chain[k]!, chain[k - 1]!)).toBe(true);
      await server.request('$/cstDebugSetTier', { uri, tier: 'warm' });
      const warm = await run();
      expect(warm.f).toEqual(hot.f);
      expect(warm.s).toEqual(hot.s);
      expect(warm.h).toEqual(hot.h);
      expect(hot.ms + warm.ms).toBeLessThan(60_000);
      // Still serving.
      expect(await server.request('$/health', {})).toBeTruthy();
      server.close(uri);
    }, 180_000);
  }
});
