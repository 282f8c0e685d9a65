// The chunked, incremental completion index (server/src/features/
// completionBuild.ts) on real files with real grammars: after every random
// edit (incremental parse, edits reported to the cache as the document store
// does), the index built from the previous build's records equals a build
// from scratch; on the unedited file the identifier counts equal an
// independent whole-text count outside the index's comment/string ranges
// (inside syntax errors chunk borders may split glued tokens differently). Small chunk sizes make
// every edit cross chunk borders; a reuse check proves the cache is used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Edit, Parser, type Tree } from 'web-tree-sitter';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry, initTreeSitter, type LoadedGrammar } from '../../server/src/syntax/grammars.js';
import { ChunkCache, buildCompletionIndex } from '../../server/src/features/completionBuild.js';
import { buildWorkspaceCompletion } from '../../server/src/features/completionFacts.js';
import { codeSpans, type CompletionIndex } from '../../server/src/features/completionIndex.js';
import { pythonStdlib } from '../helpers/corpus.js';
import { repoRoot } from '../helpers/lsp.js';

let registry: GrammarRegistry;
let parser: Parser;

beforeAll(async () => {
  await initTreeSitter();
  registry = GrammarRegistry.fromDisk(path.join(repoRoot, 'grammars'));
  for (const lang of ['python', 'typescript', 'javascript', 'ruby', 'c']) expect(await registry.load(lang), lang).toBeDefined();
  parser = new Parser();
});

/** A canonical form: word and member counts as sorted maps (their order is not part of the contract). */
function canon(ci: CompletionIndex | undefined): unknown {
  if (!ci) return undefined;
  const pairs: Record<string, string[]> = {};
  for (const r of Object.keys(ci.receivers).sort()) {
    const arr = ci.receivers[r]!;
    const list: string[] = [];
    for (let i = 0; i < arr.length; i += 2) list.push(`${ci.members[arr[i]!]}=${arr[i + 1]}`);
    pairs[r] = list.sort();
  }
  return {
    words: ci.words.map((w, i) => `${w}=${ci.counts[i]}`).sort(),
    members: ci.members.map((m, i) => `${m}=${ci.memberCounts[i]}`).sort(),
    receivers: pairs,
    scopes: ci.scopes,
    defs: [ci.defNames, ci.defKinds, ci.defOffsets, ci.defScopes],
    skip: ci.skip,
  };
}

/** Identifier counts over the whole text outside the index's own comment/string ranges. */
function oracleWords(text: string, ci: CompletionIndex): string[] {
  const counts = new Map<string, number>();
  const spans = codeSpans(text.length, ci.skip);
  const re = /[\p{L}\p{N}_$]+/gu;
  for (let i = 0; i < spans.length; i += 2) {
    const local = text.slice(spans[i]!, spans[i + 1]!);
    for (const m of local.matchAll(re)) if (!/^[0-9]/.test(m[0])) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  return [...counts].map(([w, n]) => `${w}=${n}`).sort();
}

function point(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    last = i;
  }
  return { row, column: offset - last - 1 };
}

const PIECES: Record<string, string[]> = {
  python: ['x', '.', ' ', '\n', '"', "'", '#', '(', ')', 'self.value', '"""', 'f"{a.b}"', 'def g(a):\n    return a\n', 'class K:\n    pass\n', '    '],
  typescript: ['x', '.', ' ', '\n', '"', '`', '//', '/*', '*/', '{', '}', '(', 'this.value', '`${a.b}`', 'function g(a) { return a; }\n', 'class K { m() {} }\n'],
  javascript: ['x', '.', ' ', '\n', "'", '`', '//', '/*', '*/', '{', '}', 'obj.prop', '`${a.b}`', 'const f = (a) => a.b;\n'],
  ruby: ['x', '.', ' ', '\n', '"', '#', 'def m\n  @a\nend\n', '"#{a.b}"', 'end', 'obj&.name'],
  c: ['x', '.', '->', ' ', '\n', '"', '/*', '*/', '{', '}', 'p->next', 'int f(void) { return 0; }\n'],
};

function cases(): { lang: string; file: string }[] {
  const std = pythonStdlib();
  const nm = path.join(repoRoot, 'node_modules');
  return [
    { lang: 'python', file: path.join(std, 'argparse.py') },
    { lang: 'python', file: path.join(std, 'string.py') },
    { lang: 'typescript', file: path.join(nm, 'zod/src/v3/types.ts') },
    { lang: 'javascript', file: path.join(nm, 'pino/lib/proto.js') },
    { lang: 'ruby', file: '/usr/lib/ruby/3.1.0/set.rb' },
    { lang: 'c', file: '/usr/include/stdio.h' },
  ].filter((c) => fs.existsSync(c.file));
}

describe('incremental completion index', () => {
  for (const chunkChars of [256, 4096]) {
    it(`equals a fresh build after every random edit (chunks of ${chunkChars} chars)`, () => {
      const list = cases();
      expect(list.length).toBeGreaterThanOrEqual(4);
      let seed = 20261122 + chunkChars;
      const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (const { lang, file } of list) {
        const grammar: LoadedGrammar = registry.loaded(lang)!;
        parser.setLanguage(grammar.language);
        let text = fs.readFileSync(file, 'utf8');
        let tree: Tree = parser.parse(text)!;
        const cache = new ChunkCache(chunkChars);
        const first = buildCompletionIndex(tree, grammar, TextDocument.create('file:///t', lang, 0, text), registry, cache)!;
        // On the real file, chunk borders change nothing: the counts are the whole text's.
        expect((canon(first) as { words: string[] }).words, `${path.basename(file)} words`).toEqual(oracleWords(text, first));
        let reused = 0;
        const edits = chunkChars === 256 ? 40 : 25;
        for (let k = 1; k <= edits; k++) {
          // One to three edits between builds, as a client batches them.
          const batch = 1 + Math.floor(rnd() * 3);
          for (let b = 0; b < batch; b++) {
            const at = Math.floor(rnd() * text.length);
            const del = rnd() < 0.3 ? Math.floor(rnd() * 30) : 0;
            const pieces = PIECES[lang]!;
            const ins = rnd() < 0.85 ? pieces[Math.floor(rnd() * pieces.length)]! : '';
            const before = text;
            const end = Math.min(text.length, at + del);
            text = text.slice(0, at) + ins + text.slice(end);
            tree.edit(new Edit({ startIndex: at, oldEndIndex: end, newEndIndex: at + ins.length, startPosition: point(before, at), oldEndPosition: point(before, end), newEndPosition: point(text, at + ins.length) }));
            cache.noteEdit(at, end, at + ins.length);
          }
          const next = parser.parse(text, tree)!;
          tree.delete();
          tree = next;
          const doc = TextDocument.create('file:///t', lang, k, text);
          const incremental = buildCompletionIndex(tree, grammar, doc, registry, cache);
          reused += cache.last.chunkHits + cache.last.largeHits;
          const fresh = buildCompletionIndex(tree, grammar, doc, registry, new ChunkCache(chunkChars));
          expect(canon(incremental), `${path.basename(file)} after edit ${k}`).toEqual(canon(fresh));
        }
        tree.delete();
        // The cache did its job: most nodes came from the previous build.
        expect(reused, `${path.basename(file)} reused records`).toBeGreaterThan(edits * 5);
      }
    }, 120_000);
  }

  it('gives workspace files the same identifier and member counts from the cheap build as from the full one', () => {
    for (const { lang, file } of cases()) {
      const grammar = registry.loaded(lang)!;
      parser.setLanguage(grammar.language);
      const text = fs.readFileSync(file, 'utf8');
      const tree = parser.parse(text)!;
      const doc = TextDocument.create('file:///t', lang, 0, text);
      const full = canon(buildCompletionIndex(tree, grammar, doc, registry)) as Record<string, unknown>;
      const cheap = canon(buildWorkspaceCompletion(tree, grammar, doc, registry)) as Record<string, unknown>;
      tree.delete();
      expect((full.words as string[]).length, file).toBeGreaterThan(50);
      for (const k of ['words', 'members', 'receivers']) expect(cheap[k], `${path.basename(file)} ${k}`).toEqual(full[k]);
    }
  });
});
