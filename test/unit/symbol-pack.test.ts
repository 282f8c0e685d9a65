// Packed document symbols (server/src/features/symbolPack.ts): how stored
// entries and worker replies carry symbols. On every golden outline fixture,
// real grammar and real parse: packing then unpacking gives back the same
// symbol tree, and an entry encoded then decoded keeps it; a damaged packed
// form is refused as a corrupt entry, never read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Parser } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentSymbol } from 'vscode-languageserver';
import { GrammarRegistry, initTreeSitter } from '../../server/src/syntax/grammars.js';
import { documentSymbols } from '../../server/src/features/symbols.js';
import { packSymbols, unpackSymbols, validPacked } from '../../server/src/features/symbolPack.js';
import { buildWorkspaceIndex, compress, decodeIndex, decodeStoredIndex, decompress, encodeEntry, EntryFormatError } from '../../server/src/cache/entry.js';
import { repoRoot } from '../helpers/lsp.js';

const FIXTURES = path.join(repoRoot, 'test/fixtures/symbols');
let registry: GrammarRegistry;

beforeAll(async () => {
  await initTreeSitter();
  registry = GrammarRegistry.fromDisk(path.join(repoRoot, 'grammars'));
});

function count(symbols: readonly DocumentSymbol[]): number {
  let n = 0;
  for (const s of symbols) n += 1 + count(s.children ?? []);
  return n;
}

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory())
  .flatMap((dir) => fs.readdirSync(path.join(FIXTURES, dir)).filter((f) => !f.endsWith('.json')).map((f) => ({ language: dir, file: path.join(FIXTURES, dir, f) })));

describe('packed symbols', () => {
  it('has fixtures to check', () => expect(fixtures.length).toBeGreaterThan(10));

  it.each(fixtures)('$language $file: pack, unpack and an entry round trip keep the symbol tree', async ({ language, file }) => {
    const grammar = await registry.load(language);
    expect(grammar, language).toBeDefined();
    const text = fs.readFileSync(file, 'utf8');
    const parser = new Parser();
    parser.setLanguage(grammar!.language);
    const tree = parser.parse(text)!;
    const doc = TextDocument.create('file:///fixture', language, 0, text);
    const symbols = documentSymbols(tree, grammar!, doc, registry);
    const index = buildWorkspaceIndex(tree, grammar!, doc, registry);
    tree.delete();
    parser.delete();
    expect(count(symbols)).toBeGreaterThan(0);

    const packed = packSymbols(symbols);
    expect(validPacked(packed)).toBe(true);
    expect(packed.names.length).toBe(count(symbols));
    expect(unpackSymbols(packed)).toEqual(symbols);
    // What a stored entry carries survives JSON (the entry header) as well.
    expect(unpackSymbols(JSON.parse(JSON.stringify(packed)))).toEqual(symbols);

    const payload = compress(encodeEntry(language, 'k', { compact: null, index }));
    expect(decodeIndex(decompress(payload), 'k').index.symbols).toEqual(index.symbols);
    expect(decodeStoredIndex(decompress(payload), 'k').index.symbols).toEqual(packSymbols(index.symbols));
  });

  it('refuses a damaged packed form (a corrupt entry is re-parsed, never read)', () => {
    const good = packSymbols([
      {
        name: 'A',
        kind: 5,
        range: { start: { line: 0, character: 0 }, end: { line: 3, character: 1 } },
        selectionRange: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } },
        children: [{ name: 'm', kind: 6, range: { start: { line: 1, character: 2 }, end: { line: 2, character: 3 } }, selectionRange: { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } }, children: [] }],
      },
    ]);
    expect(good.parents).toEqual([-1, 0]);
    expect(validPacked(good)).toBe(true);
    const damaged = [
      { ...good, ranges: good.ranges.slice(1) },
      { ...good, parents: [-1, 1] },
      { ...good, parents: [-1, 5] },
      { ...good, names: ['A', 7] },
      { ...good, kinds: [5] },
      { ...good, ranges: [...good.ranges.slice(0, 15), -1] },
      { ...good, details: undefined },
      [],
      null,
    ];
    for (const d of damaged) expect(validPacked(d), JSON.stringify(d)).toBe(false);

    // The same damage inside an entry header: decoding refuses the entry.
    const header = Buffer.from(JSON.stringify({ language: 'python', key: 'k', nodeCount: 0, index: { symbols: damaged[1] } }), 'utf8');
    const head = Buffer.alloc(12);
    const valid = decompress(compress(encodeEntry('python', 'k', { compact: null, index: { symbols: [], diagnostics: [], folds: [] as never, highlights: [] as never } })));
    valid.copy(head, 0, 0, 12);
    head.writeUInt32LE(header.length, 8);
    expect(() => decodeStoredIndex(Buffer.concat([head, header]), 'k')).toThrow(EntryFormatError);
  });
});
