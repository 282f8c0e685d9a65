// runQuery (features/cstQuery.ts) runs a query window by window so that its
// time budget and result cap hold; on real files its captures must be exactly
// those of one unbounded web-tree-sitter run (each node and capture name once,
// in document order), with and without a range.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Parser, Query, type Tree } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry, initTreeSitter } from '../../server/src/syntax/grammars.js';
import { QUERY_WINDOW, regexPredicates, runQuery } from '../../server/src/features/cstQuery.js';
import { repoRoot } from '../helpers/lsp.js';
import { pythonStdlib } from '../helpers/corpus.js';

let registry: GrammarRegistry;
const trees: Tree[] = [];
beforeAll(async () => {
  await initTreeSitter();
  registry = GrammarRegistry.fromDisk();
});
afterAll(() => {
  for (const t of trees) t.delete();
});

async function setup(language: string, file: string) {
  const grammar = (await registry.load(language))!;
  const text = fs.readFileSync(file, 'utf8');
  const parser = new Parser();
  parser.setLanguage(grammar.language);
  const tree = parser.parse(text)!;
  parser.delete();
  trees.push(tree);
  return { grammar, tree, doc: TextDocument.create('file:///x', language, 0, text), text };
}

/** One unbounded run, as the reference. */
function reference(query: Query, tree: Tree, doc: TextDocument, startIndex?: number, endIndex?: number) {
  const seen = new Set<string>();
  const out: string[] = [];
  const options = startIndex === undefined ? {} : { startIndex: startIndex * 2, endIndex: endIndex! * 2 };
  for (const c of query.captures(tree.rootNode, options)) {
    const key = `${c.node.id}:${c.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`${c.name} ${c.node.type} ${doc.positionAt(c.node.startIndex).line}:${doc.positionAt(c.node.startIndex).character}-${doc.positionAt(c.node.endIndex).line}:${doc.positionAt(c.node.endIndex).character}`);
  }
  return out;
}

const CASES = [
  { language: 'typescript', file: path.join(repoRoot, 'node_modules/typescript/lib/lib.es5.d.ts'), queries: ['(identifier) @id', '(interface_declaration name: (_) @name body: (_) @body) (method_signature name: (_) @m)', '(program) @root (comment) @c'] },
  { language: 'python', file: path.join(pythonStdlib(), 'argparse.py'), queries: ['(class_definition name: (identifier) @cls body: (block) @body) (function_definition name: (identifier) @fn)', '(string) @s'] },
  { language: 'json', file: path.join(repoRoot, 'package-lock.json'), queries: ['(pair key: (string) @k)', '(object) @o'] },
];

describe('runQuery windows', () => {
  for (const c of CASES) {
    it(`${c.language}: ${path.basename(c.file)} equals one unbounded run`, async () => {
      const { grammar, tree, doc, text } = await setup(c.language, c.file);
      expect(text.length).toBeGreaterThan(QUERY_WINDOW * 2); // several windows
      for (const source of c.queries) {
        const query = new Query(grammar.language, source);
        try {
          const windowed = runQuery(query, tree, doc, c.language, { maxResults: 100_000, timeoutMs: 10_000 });
          expect(windowed.timedOut).toBe(false);
          const brief = windowed.captures.map((x) => `${x.name} ${x.type} ${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character}`);
          expect(brief, source).toEqual(reference(query, tree, doc));
          // A range across a window boundary.
          const from = QUERY_WINDOW - 5000;
          const to = QUERY_WINDOW + 5000;
          const ranged = runQuery(query, tree, doc, c.language, { maxResults: 100_000, timeoutMs: 10_000, range: { start: doc.positionAt(from), end: doc.positionAt(to) } });
          expect(ranged.captures.map((x) => `${x.name} ${x.type} ${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character}`), `${source} ranged`).toEqual(reference(query, tree, doc, doc.offsetAt(doc.positionAt(from)), doc.offsetAt(doc.positionAt(to))));
        } finally {
          query.delete();
        }
      }
    });
  }

  it('maxResults stops early and says so; a tiny budget stops between windows and says so', async () => {
    const { grammar, tree, doc } = await setup('typescript', path.join(repoRoot, 'node_modules/typescript/lib/lib.dom.d.ts'));
    const query = new Query(grammar.language, '(_) @a');
    try {
      const capped = runQuery(query, tree, doc, 'typescript', { maxResults: 50 });
      expect(capped).toMatchObject({ truncated: true, timedOut: false });
      expect(capped.captures).toHaveLength(50);
      const t0 = performance.now();
      const rushed = runQuery(query, tree, doc, 'typescript', { maxResults: 100_000, timeoutMs: 1 });
      const took = performance.now() - t0;
      expect(rushed.timedOut).toBe(true);
      expect(rushed.captures.length).toBeLessThan(100_000);
      // One window's worth of work at most past the budget, not the whole 1.8 MB file's.
      expect(took).toBeLessThan(1500);
    } finally {
      query.delete();
    }
  });
});

describe('regexPredicates', () => {
  it('finds the #match? family patterns as tree-sitter reads them, skipping comments and other strings', () => {
    // As written in a query file: tree-sitter unescapes \\ \" \n \t \r \0 and drops other backslashes.
    const source = [
      String.raw`; (#match? @c "in a comment")`,
      String.raw`((identifier) @a (#match? @a "^[A-Z]\\w*\d$"))`,
      String.raw`((string) @s (#eq? @s "(#match? @s \"not a predicate\")"))`,
      String.raw`((identifier) @b (#any-not-match?   @b   "tab\there\"quote"))`,
      String.raw`((comment) @c (#not-match? @c "a;b") (#any-match? @c "x"))`,
      String.raw`((identifier) @d (#lua-match? @d "%a+"))`,
    ].join('\n');
    const found = regexPredicates(source).map((p) => [p.pattern, source.slice(p.offset, p.offset + 3)]);
    expect(found).toEqual([
      ['^[A-Z]\\w*d$', '"^['],
      ['tab\there"quote', '"ta'],
      ['a;b', '"a;'],
      ['x', '"x"'],
    ]);
  });
});
