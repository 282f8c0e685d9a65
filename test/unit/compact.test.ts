// The compact CST (server/src/cache/compact.ts) against live web-tree-sitter
// trees, with real grammars and real files: every node agrees on every
// property of the SyntaxNode subset, descendantForIndex agrees at random
// positions, encode/decode round-trips exactly, and decode rejects damaged
// input with an Error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { Edit, Parser, type Node, type Tree } from 'web-tree-sitter';
import { GrammarRegistry, initTreeSitter, type LoadedGrammar } from '../../server/src/syntax/grammars.js';
import {
  COMPACT_FORMAT_VERSION,
  COMPACT_HEADER_SIZE,
  CompactNode,
  CompactTree,
  compactChecksum,
  type Point,
  type SyntaxNode,
} from '../../server/src/cache/compact.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.join(here, '../fixtures/compact');

// ---------------------------------------------------------------------------
// Type level: web-tree-sitter's Node and CompactNode both satisfy SyntaxNode,
// so a feature typed against SyntaxNode accepts either.
expectTypeOf<Node>().toExtend<SyntaxNode>();
expectTypeOf<CompactNode>().toExtend<SyntaxNode>();
expectTypeOf<Node['startPosition']>().toExtend<Point>();
const liveIsSyntaxNode = (n: Node): SyntaxNode => n;
void liveIsSyntaxNode;

// ---------------------------------------------------------------------------
// Inputs

let registry: GrammarRegistry;
const grammars = new Map<string, LoadedGrammar>();
const parsers = new Map<string, Parser>();
const trees: Tree[] = [];

async function grammar(id: string): Promise<LoadedGrammar> {
  let g = grammars.get(id);
  if (!g) {
    g = await registry.load(id);
    if (!g) throw new Error(`grammar ${id} failed to load`);
    grammars.set(id, g);
  }
  return g;
}

async function parse(language: string, text: string): Promise<Tree> {
  const g = await grammar(language);
  let p = parsers.get(language);
  if (!p) {
    p = new Parser();
    p.setLanguage(g.language);
    parsers.set(language, p);
  }
  const tree = p.parse(text);
  if (!tree) throw new Error(`parse of ${language} failed`);
  trees.push(tree);
  return tree;
}

function pythonStdlib(): string | undefined {
  try {
    return execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Damage a source file: delete or duplicate characters at random, so the parse is full of ERROR and MISSING nodes. */
function damage(text: string, seed: number, every: number): string {
  const r = rng(seed);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const x = r();
    if (x < 1 / every) continue;
    out += text[i];
    if (x > 1 - 1 / every) out += text[i];
  }
  return out;
}

const UNICODE_TS = [
  '// emoji 👋🏽 and CJK 漢字 comments, CRLF line ends\r\n',
  'const 名前 = "héllo 世界 🎉";\r\n',
  'let ünïcödé = `template ${名前} 👨‍👩‍👧‍👦 ${1 + 2}`;\r\n',
  'function 関数(引数: string): number { return 引数.length; } // 💥\r\n',
  'const lone = "\uD83D"; const sep = "\u2028"; const cr = 1;\r',
  'const afterBareCR = 2;\n',
  '/* multi\r\n   line 🧵\r\n   comment */ class Ｃ { 𝒳 = 1; }\r\n',
  'const s = `a\r\nb`;\r\n',
].join('');

const ERRORS_TS = [
  'let x = (1 + 2;\n',
  'function f(a, b {\n  return a +;\n}\n',
  'class { method( }\n',
  'const y = [1, 2, 3\n',
  'if (x) { else }\n',
  'export default {\n  a: 1,\n  b:\n};\n',
  'interface I { a: string; b }\n',
].join('');

const ERRORS_PY = 'def f(a, b:\n    return a +\n\nclass C(\n    x = [1, 2\nprint("unterminated\nif x\n    pass\n';
const ERRORS_JSON = '{"a": [1, 2,], "b": {"c": }, "d" 3, "e": "unterminated\n';
const ERRORS_C = 'int main(void) {\n  int x = 1\n  return x\n}\nstruct s { int a int b; };\n';
const C_SOURCE = (): string => fs.readFileSync(path.join(root, 'node_modules/tree-sitter-c/src/tree_sitter/parser.h'), 'utf8');
const DEPTH = 100_000;

// ---------------------------------------------------------------------------
// Comparison of a compact tree with the live tree, node by node.

interface CompareOptions {
  /** Source text: also compare `text`. */
  text?: string;
  /** Compare parent and sibling links through the live API (O(depth) each in tree-sitter: off for the deep tree). */
  relations?: boolean;
  /** Compare childForFieldName/childrenForFieldName for every field of the language (slow; small files). */
  allFields?: boolean;
  /** Compare descendantForIndex on every node's own span from the root. */
  spans?: boolean;
}

interface CompareStats {
  nodes: number;
  errors: number;
  missing: number;
  extras: number;
  fields: number;
}

function liveNodes(tree: Tree): { nodes: Node[]; ids: Map<number, number>; parents: Int32Array } {
  const nodes: Node[] = [];
  const ids = new Map<number, number>();
  const parentsList: number[] = [];
  const stack: number[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      ids.set(node.id, nodes.length);
      parentsList.push(stack.length ? stack[stack.length - 1]! : -1);
      nodes.push(node);
      if (cursor.gotoFirstChild()) {
        stack.push(nodes.length - 1);
        continue;
      }
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        stack.pop();
      }
      if (done) break;
    }
  } finally {
    cursor.delete();
  }
  return { nodes, ids, parents: Int32Array.from(parentsList) };
}

function samePoint(a: Point, b: Point): boolean {
  return a.row === b.row && a.column === b.column;
}

function compareWithLive(tree: Tree, ct: CompactTree, opts: CompareOptions = {}): CompareStats {
  const { nodes, ids, parents } = liveNodes(tree);
  expect(ct.nodeCount).toBe(nodes.length);
  const bad: string[] = [];
  const stats: CompareStats = { nodes: nodes.length, errors: 0, missing: 0, extras: 0, fields: 0 };
  const idx = (n: Node | null): number => (n === null ? -1 : (ids.get(n.id) ?? -2));
  const cidx = (n: CompactNode | null): number => (n === null ? -1 : n.index);
  const check = (ok: boolean, i: number, what: string, live: unknown, compact: unknown): void => {
    if (!ok && bad.length < 25) bad.push(`node ${i} (${nodes[i]!.type} ${nodes[i]!.startIndex}-${nodes[i]!.endIndex}) ${what}: live ${JSON.stringify(live)} compact ${JSON.stringify(compact)}`);
  };
  const language = tree.language;
  const allFields = opts.allFields ? (language.fields.filter((f) => f) as string[]) : [];
  const liveRoot = tree.rootNode;
  const compactRoot = ct.rootNode;
  // Each node's position among its parent's children (from the compact children lists, compared below).
  const siblingsOf = new Map<number, number[]>();
  const positionOf = new Int32Array(nodes.length).fill(-1);
  for (let i = 0; i < nodes.length; i++) {
    const p = parents[i]!;
    if (p < 0) continue;
    let list = siblingsOf.get(p);
    if (!list) siblingsOf.set(p, (list = []));
    positionOf[i] = list.length;
    list.push(i);
  }

  for (let i = 0; i < nodes.length; i++) {
    const L = nodes[i]!;
    const C = ct.node(i);
    // Scalars.
    check(L.type === C.type, i, 'type', L.type, C.type);
    check(L.typeId === C.typeId, i, 'typeId', L.typeId, C.typeId);
    check(L.isNamed === C.isNamed, i, 'isNamed', L.isNamed, C.isNamed);
    check(L.isMissing === C.isMissing, i, 'isMissing', L.isMissing, C.isMissing);
    check(L.isError === C.isError, i, 'isError', L.isError, C.isError);
    check(L.isExtra === C.isExtra, i, 'isExtra', L.isExtra, C.isExtra);
    check(L.hasError === C.hasError, i, 'hasError', L.hasError, C.hasError);
    check(L.startIndex === C.startIndex, i, 'startIndex', L.startIndex, C.startIndex);
    check(L.endIndex === C.endIndex, i, 'endIndex', L.endIndex, C.endIndex);
    check(samePoint(L.startPosition, C.startPosition), i, 'startPosition', L.startPosition, C.startPosition);
    check(samePoint(L.endPosition, C.endPosition), i, 'endPosition', L.endPosition, C.endPosition);
    if (opts.text !== undefined) check(L.text === C.text, i, 'text', L.text.slice(0, 40), C.text.slice(0, 40));
    if (C.isError) stats.errors++;
    if (C.isMissing) stats.missing++;
    if (C.isExtra) stats.extras++;
    if (C.fieldName) stats.fields++;
    check(C.id === i && C.equals(ct.node(i)) && !C.equals(i === 0 ? ct.node(nodes.length - 1) : compactRoot) === (i !== 0 || nodes.length > 1), i, 'id/equals', i, C.id);

    // Parent: the walk's parent is the truth (the live `parent` is O(depth)).
    check(parents[i] === cidx(C.parent), i, 'parent (walk)', parents[i], cidx(C.parent));
    if (opts.relations) check(idx(L.parent) === cidx(C.parent), i, 'parent', idx(L.parent), cidx(C.parent));

    // Children.
    const lc = L.children.map(idx);
    const cc = C.children.map(cidx);
    check(lc.join() === cc.join(), i, 'children', lc, cc);
    const lnc = L.namedChildren.map(idx);
    const cnc = C.namedChildren.map(cidx);
    check(lnc.join() === cnc.join(), i, 'namedChildren', lnc, cnc);
    check(L.childCount === C.childCount, i, 'childCount', L.childCount, C.childCount);
    check(L.namedChildCount === C.namedChildCount, i, 'namedChildCount', L.namedChildCount, C.namedChildCount);
    // Every child(k) on the compact side (exercises the sequential memo), a few on the live side.
    for (let k = 0; k < cc.length; k++) if (cidx(C.child(k)) !== cc[k]) check(false, i, `child(${k}) vs children`, cc[k], cidx(C.child(k)));
    for (let k = 0; k < cnc.length; k++) if (cidx(C.namedChild(k)) !== cnc[k]) check(false, i, `namedChild(${k}) vs namedChildren`, cnc[k], cidx(C.namedChild(k)));
    for (const k of new Set([-1, 0, 1, lc.length - 1, lc.length, lc.length + 3])) {
      check(idx(L.child(k)) === cidx(C.child(k)), i, `child(${k})`, idx(L.child(k)), cidx(C.child(k)));
    }
    for (const k of new Set([-1, 0, 1, lnc.length - 1, lnc.length])) {
      check(idx(L.namedChild(k)) === cidx(C.namedChild(k)), i, `namedChild(${k})`, idx(L.namedChild(k)), cidx(C.namedChild(k)));
    }
    check(idx(L.firstChild) === cidx(C.firstChild), i, 'firstChild', idx(L.firstChild), cidx(C.firstChild));
    check(idx(L.lastChild) === cidx(C.lastChild), i, 'lastChild', idx(L.lastChild), cidx(C.lastChild));
    check(idx(L.firstNamedChild) === cidx(C.firstNamedChild), i, 'firstNamedChild', idx(L.firstNamedChild), cidx(C.firstNamedChild));
    check(idx(L.lastNamedChild) === cidx(C.lastNamedChild), i, 'lastNamedChild', idx(L.lastNamedChild), cidx(C.lastNamedChild));

    // Siblings.
    if (opts.relations) {
      check(idx(L.nextSibling) === cidx(C.nextSibling), i, 'nextSibling', idx(L.nextSibling), cidx(C.nextSibling));
      check(idx(L.previousSibling) === cidx(C.previousSibling), i, 'previousSibling', idx(L.previousSibling), cidx(C.previousSibling));
      check(idx(L.nextNamedSibling) === cidx(C.nextNamedSibling), i, 'nextNamedSibling', idx(L.nextNamedSibling), cidx(C.nextNamedSibling));
      check(idx(L.previousNamedSibling) === cidx(C.previousNamedSibling), i, 'previousNamedSibling', idx(L.previousNamedSibling), cidx(C.previousNamedSibling));
    } else {
      // From the children lists (which were compared above).
      const sib = siblingsOf.get(parents[i]!) ?? [];
      const at = positionOf[i]!;
      check((at >= 0 && at + 1 < sib.length ? sib[at + 1]! : -1) === cidx(C.nextSibling), i, 'nextSibling (children)', sib[at + 1], cidx(C.nextSibling));
      check((at > 0 ? sib[at - 1]! : -1) === cidx(C.previousSibling), i, 'previousSibling (children)', sib[at - 1], cidx(C.previousSibling));
    }

    // Fields.
    const names = new Set<string>(['no_such_field', ...allFields]);
    for (let k = -1; k <= lc.length; k++) {
      const lf = L.fieldNameForChild(k);
      const cf = C.fieldNameForChild(k);
      check(lf === cf, i, `fieldNameForChild(${k})`, lf, cf);
      if (lf) names.add(lf);
    }
    if (lc.length > 0) {
      for (const f of names) {
        check(idx(L.childForFieldName(f)) === cidx(C.childForFieldName(f)), i, `childForFieldName(${f})`, idx(L.childForFieldName(f)), cidx(C.childForFieldName(f)));
        const lf = L.childrenForFieldName(f).map(idx);
        const cf = C.childrenForFieldName(f).map(cidx);
        check(lf.join() === cf.join(), i, `childrenForFieldName(${f})`, lf, cf);
      }
    }

    // The node's own span, looked up from the root and from the node.
    if (opts.spans) {
      const s = L.startIndex;
      const e = L.endIndex;
      check(idx(liveRoot.descendantForIndex(s, e)) === cidx(compactRoot.descendantForIndex(s, e)), i, 'root.descendantForIndex(span)', idx(liveRoot.descendantForIndex(s, e)), cidx(compactRoot.descendantForIndex(s, e)));
      check(idx(liveRoot.namedDescendantForIndex(s, e)) === cidx(compactRoot.namedDescendantForIndex(s, e)), i, 'root.namedDescendantForIndex(span)', idx(liveRoot.namedDescendantForIndex(s, e)), cidx(compactRoot.namedDescendantForIndex(s, e)));
      check(idx(L.descendantForIndex(s)) === cidx(C.descendantForIndex(s)), i, 'descendantForIndex(start)', idx(L.descendantForIndex(s)), cidx(C.descendantForIndex(s)));
    }
  }
  expect(bad).toEqual([]);
  return stats;
}

/** descendantForIndex / namedDescendantForIndex / descendantsOfType at many random places. */
function compareQueries(tree: Tree, ct: CompactTree, textLength: number, seed: number, samples = 1500): void {
  const { nodes, ids } = liveNodes(tree);
  const idx = (n: Node | null): number => (n === null ? -1 : (ids.get(n.id) ?? -2));
  const cidx = (n: CompactNode | null): number => (n === null ? -1 : n.index);
  const r = rng(seed);
  const bad: string[] = [];
  const pos = (): number => Math.floor(r() * (textLength + 4));
  for (let k = 0; k < samples; k++) {
    const a = pos();
    const kind = r();
    const b = kind < 0.4 ? a : kind < 0.8 ? a + Math.floor(r() * 40) : pos();
    const from = r() < 0.5 ? 0 : Math.floor(r() * nodes.length);
    const L = nodes[from]!;
    const C = ct.node(from);
    const l1 = idx(L.descendantForIndex(a, b));
    const c1 = cidx(C.descendantForIndex(a, b));
    const l2 = idx(L.namedDescendantForIndex(a, b));
    const c2 = cidx(C.namedDescendantForIndex(a, b));
    if ((l1 !== c1 || l2 !== c2) && bad.length < 20) bad.push(`from ${from} [${a}, ${b}]: live ${l1}/${l2} compact ${c1}/${c2}`);
    if (kind > 0.9) {
      const l3 = idx(L.descendantForIndex(a));
      const c3 = cidx(C.descendantForIndex(a));
      if (l3 !== c3 && bad.length < 20) bad.push(`from ${from} [${a}]: live ${l3} compact ${c3}`);
    }
  }
  expect(bad).toEqual([]);

  // descendantsOfType, whole tree and ranges, from the root and inner nodes.
  // web-tree-sitter 0.27.1 gets a list that mixes 'ERROR' with other types
  // wrong (it puts ERROR's symbol 65535 first in a list that the C side
  // scans as sorted, so only ERROR nodes match): the compact tree returns
  // the union, compared here with the union of separate live calls.
  const typeNames = [...new Set(nodes.map((n) => n.type))].filter((t) => t !== 'ERROR');
  const byPreorder = (a: number, b: number): number => a - b;
  for (let k = 0; k < 12; k++) {
    const types = [typeNames[Math.floor(r() * typeNames.length)]!, typeNames[Math.floor(r() * typeNames.length)]!];
    const from = k < 4 ? 0 : Math.floor(r() * nodes.length);
    const L = nodes[from]!;
    const C = ct.node(from);
    expect(C.descendantsOfType(types).map(cidx)).toEqual(L.descendantsOfType(types).map(idx));
    expect(C.descendantsOfType(types[0]!).map(cidx)).toEqual(L.descendantsOfType(types[0]!).map(idx));
    expect(C.descendantsOfType('ERROR').map(cidx)).toEqual(L.descendantsOfType('ERROR').map(idx));
    const union = [...new Set([...L.descendantsOfType(types).map(idx), ...L.descendantsOfType('ERROR').map(idx)])].sort(byPreorder);
    expect(C.descendantsOfType([...types, 'ERROR']).map(cidx)).toEqual(union);
    const p1 = nodes[Math.floor(r() * nodes.length)]!.startPosition;
    const p2 = nodes[Math.floor(r() * nodes.length)]!.endPosition;
    const [s, e] = p1.row < p2.row || (p1.row === p2.row && p1.column <= p2.column) ? [p1, p2] : [p2, p1];
    expect(C.descendantsOfType(types, s, e).map(cidx)).toEqual(L.descendantsOfType(types, s, e).map(idx));
    expect(C.descendantsOfType(types, s).map(cidx)).toEqual(L.descendantsOfType(types, s).map(idx));
  }
}

/** Two compact trees hold exactly the same data. */
function expectSameCompact(a: CompactTree, b: CompactTree): void {
  expect(b.nodeCount).toBe(a.nodeCount);
  expect(b.typeNames).toEqual(a.typeNames);
  expect(b.fieldNames).toEqual(a.fieldNames);
  expect(Buffer.from(b.typeSymbols.buffer).equals(Buffer.from(a.typeSymbols.buffer))).toBe(true);
  for (const key of ['type', 'flags', 'field', 'startIndex', 'endIndex', 'startRow', 'endRow', 'parent', 'subtreeEnd'] as const) {
    const x = a[key];
    const y = b[key];
    expect(y.constructor, key).toBe(x.constructor);
    expect(Buffer.from(y.buffer, y.byteOffset, y.byteLength).equals(Buffer.from(x.buffer, x.byteOffset, x.byteLength)), key).toBe(true);
  }
  expect(b.lineStart === null).toBe(a.lineStart === null);
  for (let i = 0; i < a.nodeCount; i++) {
    if (a.startColumnAt(i) !== b.startColumnAt(i) || a.endColumnAt(i) !== b.endColumnAt(i)) {
      expect.fail(`node ${i}: columns differ after decode`);
    }
  }
}

/** Every node of a (possibly fuzzed) tree can be visited through the whole API without an exception. */
function exerciseAll(ct: CompactTree): void {
  for (let i = 0; i < ct.nodeCount; i++) {
    const n = ct.node(i);
    void [n.type, n.isNamed, n.isMissing, n.isError, n.isExtra, n.hasError, n.startIndex, n.endIndex, n.startPosition, n.endPosition];
    void [n.parent, n.childCount, n.namedChildCount, n.children, n.namedChildren, n.firstChild, n.lastChild, n.firstNamedChild, n.lastNamedChild];
    void [n.nextSibling, n.previousSibling, n.nextNamedSibling, n.previousNamedSibling, n.child(0), n.namedChild(0), n.fieldNameForChild(0)];
    void [n.descendantForIndex(n.startIndex, n.endIndex), n.namedDescendantForIndex(n.startIndex)];
    for (const c of n.children) if (c.parent?.index !== i) throw new Error(`node ${c.index}: parent is not ${i}`);
  }
  void ct.rootNode.descendantsOfType(ct.typeNames as string[]);
}

const sizeReport: string[] = [];
function report(label: string, ct: CompactTree, buildMs?: number): { encoded: Uint8Array } {
  const encoded = ct.encode();
  const z = zlib.deflateSync(encoded);
  const z3 = zlib.deflateRawSync(encoded, { level: 3 });
  const n = ct.nodeCount;
  sizeReport.push(
    `${label.padEnd(34)} ${String(n).padStart(7)} nodes  mem ${(ct.byteLength / n).toFixed(1).padStart(5)} B/node  encoded ${(encoded.length / n).toFixed(2).padStart(5)} B/node  deflate ${(z.length / n).toFixed(2).padStart(5)} B/node (raw level 3: ${(z3.length / n).toFixed(2)})` +
      (buildMs !== undefined ? `  build ${((buildMs * 1e6) / n).toFixed(0)} ns/node (best of 3, wall clock)` : ''),
  );
  return { encoded };
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
  await initTreeSitter();
  registry = GrammarRegistry.fromDisk();
});

afterAll(() => {
  for (const t of trees) t.delete();
  for (const p of parsers.values()) p.delete();
  if (sizeReport.length) console.log(`compact CST sizes (format ${COMPACT_FORMAT_VERSION}):\n${sizeReport.join('\n')}`);
});

interface Case {
  label: string;
  language: string;
  text: () => string | undefined;
  opts?: CompareOptions;
  queries?: number;
}

const stdlib = pythonStdlib();
const rustupMain = (() => {
  const home = process.env.HOME ?? '/root';
  for (const channel of ['stable', 'nightly']) {
    const p = path.join(home, `.rustup/toolchains/${channel}-x86_64-unknown-linux-gnu/share/doc/rust/html/error_codes/main.rs`);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
})();
const readIf = (p: string | undefined): string | undefined => (p && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);

const cases: Case[] = [
  { label: 'typescript lib.es5.d.ts', language: 'typescript', text: () => readIf(path.join(root, 'node_modules/typescript/lib/lib.es5.d.ts')), opts: { relations: true, spans: true, allFields: true } },
  { label: 'python argparse.py', language: 'python', text: () => readIf(stdlib && path.join(stdlib, 'argparse.py')), opts: { relations: true, spans: true } },
  { label: 'python dataclasses.py', language: 'python', text: () => readIf(stdlib && path.join(stdlib, 'dataclasses.py')), opts: { relations: true, allFields: true } },
  { label: 'rust fixtures/compact/sample.rs', language: 'rust', text: () => readIf(path.join(fixtures, 'sample.rs')), opts: { relations: true, allFields: true, spans: true } },
  { label: 'rust rustup error_codes/main.rs', language: 'rust', text: () => readIf(rustupMain), opts: { relations: true, allFields: true, spans: true } },
  { label: 'json tree-sitter-python node-types', language: 'json', text: () => readIf(path.join(root, 'node_modules/tree-sitter-python/src/node-types.json')), opts: { relations: true } },
  { label: 'javascript tree-sitter-javascript grammar.js', language: 'javascript', text: () => readIf(path.join(root, 'node_modules/tree-sitter-javascript/grammar.js')), opts: { relations: true, spans: true } },
  { label: 'c tree_sitter/parser.h', language: 'c', text: C_SOURCE, opts: { relations: true, allFields: true, spans: true } },
  {
    // Aliased rules whose fields the parent inherits (childForFieldName looks through them).
    label: 'typescript aliased rules',
    language: 'typescript',
    text: () => 'let a: typeof FileReader.EMPTY;\ntype N = -1 | 2 | typeof a.b.c;\nconst o = { m() { return 1; }, get g() { return 2; } };\n',
    opts: { relations: true, allFields: true, spans: true },
    queries: 1000,
  },
  {
    label: 'python match statement',
    language: 'python',
    text: () => 'match command.split():\n    case [action]:\n        pass\n    case [action, obj] if obj:\n        pass\n    case Point(x=0, y=0) | {"k": _}:\n        print("origin")\n    case _:\n        pass\n',
    opts: { relations: true, allFields: true, spans: true },
    queries: 1000,
  },
  { label: 'typescript unicode + CRLF', language: 'typescript', text: () => UNICODE_TS, opts: { relations: true, allFields: true, spans: true }, queries: 3000 },
  { label: 'typescript syntax errors', language: 'typescript', text: () => ERRORS_TS, opts: { relations: true, allFields: true, spans: true }, queries: 3000 },
  { label: 'typescript damaged lib.es5 (40 KB)', language: 'typescript', text: () => damage(fs.readFileSync(path.join(root, 'node_modules/typescript/lib/lib.es5.d.ts'), 'utf8').slice(0, 40_000), 7, 60), opts: { relations: true, spans: true } },
  { label: 'python syntax errors', language: 'python', text: () => ERRORS_PY, opts: { relations: true, allFields: true, spans: true }, queries: 3000 },
  { label: 'python damaged textwrap.py', language: 'python', text: () => readIf(stdlib && path.join(stdlib, 'textwrap.py')) && damage(readIf(stdlib && path.join(stdlib, 'textwrap.py'))!, 11, 40), opts: { relations: true, spans: true } },
  { label: 'json syntax errors', language: 'json', text: () => ERRORS_JSON, opts: { relations: true, allFields: true, spans: true }, queries: 3000 },
  { label: 'c syntax errors', language: 'c', text: () => ERRORS_C, opts: { relations: true, allFields: true, spans: true }, queries: 3000 },
  { label: 'rust damaged sample.rs', language: 'rust', text: () => damage(fs.readFileSync(path.join(fixtures, 'sample.rs'), 'utf8'), 3, 50), opts: { relations: true, spans: true } },
  { label: 'typescript empty file', language: 'typescript', text: () => '', opts: { relations: true, spans: true }, queries: 50 },
  { label: 'python comments and blank lines only', language: 'python', text: () => '\n\n# one\r\n   # two 💬\n\n', opts: { relations: true, spans: true }, queries: 200 },
];

describe('CompactTree matches the live tree', () => {
  let totalMissing = 0;
  let totalErrors = 0;
  let totalExtras = 0;

  for (const c of cases) {
    it(c.label, async () => {
      const text = c.text();
      if (text === undefined) {
        console.warn(`skipped ${c.label}: input not found on this machine`);
        return;
      }
      const tree = await parse(c.language, text);
      const ct = CompactTree.fromTree(tree, text);
      const stats = compareWithLive(tree, ct, { ...c.opts, text });
      totalMissing += stats.missing;
      totalErrors += stats.errors;
      totalExtras += stats.extras;
      compareQueries(tree, ct, text.length, text.length + 17, c.queries ?? 1500);

      // Built without the text (end points asked from the tree): the same data.
      expectSameCompact(ct, CompactTree.fromTree(tree));

      // Round trip: identical data, identical bytes, same answers.
      const { encoded } = report(c.label, ct);
      const decoded = CompactTree.decode(encoded, text);
      expectSameCompact(ct, decoded);
      expect(Buffer.from(decoded.encode()).equals(Buffer.from(encoded))).toBe(true);
      expect(decoded.rootNode.descendantsOfType(['identifier', 'ERROR']).map((n) => n.index)).toEqual(ct.rootNode.descendantsOfType(['identifier', 'ERROR']).map((n) => n.index));
      expect(ct.byteLength).toBeGreaterThan(ct.nodeCount * 20);
      expect(ct.byteLength).toBeLessThan(ct.nodeCount * 40 + 20_000);
    });
  }

  it('saw ERROR, MISSING and extra nodes in the inputs above', () => {
    expect(totalErrors).toBeGreaterThan(10);
    expect(totalMissing).toBeGreaterThan(3);
    expect(totalExtras).toBeGreaterThan(10);
  });
});

describe('deep nesting (100,000 brackets)', () => {
  it('builds, navigates, encodes and decodes without recursion', async () => {
    const text = '['.repeat(DEPTH) + '1' + ']'.repeat(DEPTH);
    const tree = await parse('json', text);
    const ct = CompactTree.fromTree(tree, text);
    expect(ct.nodeCount).toBe(tree.rootNode.descendantCount);
    // Scalars and children for every node; parent and siblings from the walk.
    compareWithLive(tree, ct, { text });
    // Lookups at the deepest point and around it agree with tree-sitter.
    const live = tree.rootNode;
    const { ids } = liveNodes(tree);
    for (const at of [0, 1, DEPTH - 1, DEPTH, DEPTH + 1, DEPTH + 2, 2 * DEPTH, 2 * DEPTH + 1, 777, DEPTH + 777]) {
      expect(ct.rootNode.descendantForIndex(at)?.index, `descendantForIndex(${at})`).toBe(ids.get(live.descendantForIndex(at)!.id));
      expect(ct.rootNode.namedDescendantForIndex(at, at + 1)?.index).toBe(ids.get(live.namedDescendantForIndex(at, at + 1)!.id));
    }
    const deepest = ct.rootNode.descendantForIndex(DEPTH);
    expect(deepest?.type).toBe('number');
    let depth = 0;
    for (let n: CompactNode | null = deepest; n; n = n.parent) depth++;
    expect(depth).toBeGreaterThan(DEPTH);
    expect(ct.rootNode.descendantsOfType('number').length).toBe(1);
    expect(ct.rootNode.descendantsOfType('array').length).toBe(DEPTH);
    // The last `]` of the outermost array: lastChild and previousSibling walk back over a deep sibling.
    const outer = ct.rootNode.firstNamedChild!;
    expect(outer.lastChild?.type).toBe(']');
    expect(outer.lastChild?.previousSibling?.type).toBe('array');
    expect(outer.lastNamedChild?.type).toBe('array');

    const { encoded } = report('json 100,000 nested brackets', ct);
    const decoded = CompactTree.decode(encoded, text);
    expectSameCompact(ct, decoded);
  }, 300_000);

  it('an ERROR 20,000 levels down, and an unclosed nest (one wide ERROR node)', async () => {
    for (const text of ['['.repeat(20_000) + '1,' + ']'.repeat(20_000), '['.repeat(5_000) + '{"a": 1']) {
      const tree = await parse('json', text);
      const ct = CompactTree.fromTree(tree, text);
      const stats = compareWithLive(tree, ct, { text });
      expect(stats.errors).toBeGreaterThan(0);
      compareQueries(tree, ct, text.length, 5, 200);
      expectSameCompact(ct, CompactTree.decode(ct.encode()));
    }
  }, 300_000);
});

describe('known difference', () => {
  // Some external scanners emit an invisible zero-width token right before a
  // node (CSS's descendant combinator, bash's word concatenation). A point
  // lookup at that position stops at the enclosing node in web-tree-sitter;
  // the compact tree, which does not store invisible tokens, answers the node
  // at the position. Everything else about such trees agrees.
  it('a point lookup behind an invisible zero-width token (CSS descendant combinator)', async () => {
    const text = 'h1 code, h2 > b { color: red; }\n';
    const tree = await parse('css', text);
    const ct = CompactTree.fromTree(tree, text);
    compareWithLive(tree, ct, { text, relations: true, allFields: true });
    const at = text.indexOf('code');
    expect(tree.rootNode.descendantForIndex(at)?.type).toBe('descendant_selector');
    expect(ct.rootNode.descendantForIndex(at)?.type).toBe('tag_name');
    expect(ct.rootNode.descendantForIndex(at, at + 4)?.type).toBe(tree.rootNode.descendantForIndex(at, at + 4)?.type);
    expect(ct.rootNode.descendantForIndex(at + 1)?.type).toBe(tree.rootNode.descendantForIndex(at + 1)?.type);
  });
});

describe('points that do not follow from indices', () => {
  it('keeps explicit columns (an edited, unparsed tree) and matches the live tree', async () => {
    const text = 'const a = 1;\nconst b = 2;\nconst c = a + b;\n';
    const tree = (await parse('typescript', text)).copy();
    trees.push(tree);
    // Insert three code units before `b` (index 19, row 1, column 6) but
    // claim a column shift of five: on row 1 the edited tree's points no
    // longer follow index - lineStart.
    tree.edit(new Edit({
      startIndex: 19,
      oldEndIndex: 19,
      newEndIndex: 22,
      startPosition: { row: 1, column: 6 },
      oldEndPosition: { row: 1, column: 6 },
      newEndPosition: { row: 1, column: 11 },
    }));
    const ct = CompactTree.fromTree(tree);
    expect(ct.lineStart).toBeNull();
    expect(ct.startColumn).not.toBeNull();
    compareWithLive(tree, ct, { relations: true });
    const decoded = CompactTree.decode(ct.encode());
    expectSameCompact(ct, decoded);
    compareWithLive(tree, decoded, { relations: true });
  });
});

describe('one feature, live or compact', () => {
  // A feature typed against SyntaxNode: an outline of declarations.
  function outline(rootNode: SyntaxNode): string[] {
    const out: string[] = [];
    const stack: SyntaxNode[] = [rootNode];
    while (stack.length) {
      const node = stack.pop()!;
      const name = node.childForFieldName('name');
      if (name && node.isNamed) out.push(`${node.type}:${name.text}@${node.startPosition.row}:${node.startPosition.column}`);
      for (let i = node.namedChildCount - 1; i >= 0; i--) stack.push(node.namedChild(i)!);
    }
    return out;
  }

  it('gives the same answers on both', async () => {
    const text = fs.readFileSync(path.join(fixtures, 'sample.rs'), 'utf8');
    const tree = await parse('rust', text);
    const ct = CompactTree.fromTree(tree, text);
    const live = outline(tree.rootNode);
    expect(live.length).toBeGreaterThan(10);
    expect(outline(ct.rootNode)).toEqual(live);
    expect(outline(CompactTree.decode(ct.encode(), text).rootNode)).toEqual(live);
  });

  it('a text that does not match the tree is detected: the build asks the tree instead', async () => {
    const text = 'const a = 1;\nconst b = 2;\n';
    const tree = await parse('typescript', text);
    const wrong = ' ' + text.slice(0, -1); // same length, every line shifted
    const ct = CompactTree.fromTree(tree, wrong);
    expectSameCompact(CompactTree.fromTree(tree), ct);
    compareWithLive(tree, ct, { relations: true });
  });

  it('text needs the source: setText, the constructor argument, or an Error', async () => {
    const text = 'let x = 1;\n';
    const tree = await parse('typescript', text);
    const ct = CompactTree.fromTree(tree);
    expect(() => ct.rootNode.text).toThrow(/no source text/);
    ct.setText(text);
    expect(ct.rootNode.firstNamedChild!.text).toBe('let x = 1;');
    expect(CompactTree.decode(ct.encode(), text).rootNode.text).toBe(tree.rootNode.text);
    expect(() => ct.setText('let')).toThrow(/shorter than the tree/);
    expect(() => ct.node(ct.nodeCount)).toThrow(RangeError);
  });
});

describe('decode rejects damaged input', () => {
  let encoded: Uint8Array;
  let ct: CompactTree;
  beforeAll(async () => {
    const tree = await parse('typescript', ERRORS_TS + UNICODE_TS);
    ct = CompactTree.fromTree(tree);
    encoded = ct.encode();
  });

  const rejects = (bytes: Uint8Array, pattern: RegExp = /compact CST/): void => {
    let error: unknown;
    try {
      CompactTree.decode(bytes);
    } catch (e) {
      error = e;
    }
    expect(error, 'decode should have thrown').toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(pattern);
  };

  /** Copy, mutate, and (optionally) repair the checksum so structural checks are what is tested. */
  const tamper = (mutate: (b: Uint8Array, v: DataView) => void, fixChecksum = true): Uint8Array => {
    const b = encoded.slice();
    const v = new DataView(b.buffer);
    mutate(b, v);
    if (fixChecksum) v.setUint32(28, compactChecksum(b), true);
    return b;
  };

  it('decodes the original', () => {
    expectSameCompact(ct, CompactTree.decode(encoded));
    expect(encoded.length).toBeGreaterThan(500);
  });

  it('every truncation', () => {
    for (let len = 0; len < encoded.length; len++) rejects(encoded.subarray(0, len));
    rejects(new Uint8Array(0), /truncated header/);
  });

  it('trailing bytes', () => {
    const longer = new Uint8Array(encoded.length + 3);
    longer.set(encoded);
    rejects(longer, /length mismatch/);
  });

  it('every single-bit flip', () => {
    const b = encoded.slice();
    for (let i = 0; i < b.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        b[i]! ^= 1 << bit;
        rejects(b);
        b[i]! ^= 1 << bit;
      }
    }
  });

  it('header damage, named', () => {
    rejects(tamper((b) => (b[0] = 0x58), false), /wrong magic/);
    rejects(tamper((_, v) => v.setUint16(4, COMPACT_FORMAT_VERSION + 1, true), false), /unsupported format version/);
    rejects(tamper((_, v) => v.setUint16(6, 0x80, true)), /unknown header flags/);
    rejects(tamper((_, v) => v.setUint32(8, 0, true)), /node count is 0/);
    rejects(tamper((_, v) => v.setUint32(8, 0xffffffff, true)), /node count/);
    rejects(tamper((_, v) => v.setUint32(8, v.getUint32(8, true) + 1, true)), /compact CST/);
    rejects(tamper((_, v) => v.setUint32(8, v.getUint32(8, true) - 1, true)), /compact CST/);
    rejects(tamper((_, v) => v.setUint32(12, 0, true)), /type count/);
    rejects(tamper((_, v) => v.setUint32(12, 0x7fffffff, true)), /type count/);
    rejects(tamper((_, v) => v.setUint32(12, v.getUint32(12, true) - 1, true)), /compact CST/);
    rejects(tamper((_, v) => v.setUint32(16, 0xffffff, true)), /field count/);
    rejects(tamper((_, v) => v.setUint32(16, v.getUint32(16, true) + 1, true)), /compact CST/);
    rejects(tamper((_, v) => v.setUint32(20, 0, true)), /row count/);
    rejects(tamper((_, v) => v.setUint32(20, v.getUint32(20, true) - 1, true)), /compact CST/);
    rejects(tamper((_, v) => v.setUint32(24, v.getUint32(24, true) - 1, true), false), /length mismatch/);
    rejects(tamper((_, v) => v.setUint32(28, v.getUint32(28, true) ^ 1, true), false), /checksum mismatch/);
    rejects(tamper((b) => (b[COMPACT_HEADER_SIZE + 10]! ^= 0x20), false), /checksum mismatch/);
    rejects(tamper((_, v) => v.setUint16(6, v.getUint16(6, true) | 1, true)), /row count/);
  });

  it('random payload damage with a repaired checksum: an Error or a self-consistent tree, never a crash', () => {
    const r = rng(42);
    let rejected = 0;
    for (let k = 0; k < 3000; k++) {
      const b = tamper((bytes) => {
        const edits = 1 + Math.floor(r() * 4);
        for (let e = 0; e < edits; e++) {
          const at = COMPACT_HEADER_SIZE + Math.floor(r() * (bytes.length - COMPACT_HEADER_SIZE));
          bytes[at] = r() < 0.5 ? bytes[at]! ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
        }
      });
      let tree: CompactTree | undefined;
      try {
        tree = CompactTree.decode(b);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^compact CST: /);
        rejected++;
        continue;
      }
      exerciseAll(tree);
    }
    expect(rejected).toBeGreaterThan(1500);
  });

  it('non-Uint8Array input', () => {
    expect(() => CompactTree.decode('CSTC' as unknown as Uint8Array)).toThrow(/not a Uint8Array/);
  });

  it('decodes from a Buffer view at an offset (as inside a cache entry)', () => {
    const host = Buffer.alloc(encoded.length + 7);
    host.set(encoded, 7);
    expectSameCompact(ct, CompactTree.decode(host.subarray(7)));
  });
});

describe('lib.dom.d.ts: build cost and sizes', () => {
  it('measures', async () => {
    const file = path.join(root, 'node_modules/typescript/lib/lib.dom.d.ts');
    const text = readIf(file);
    if (!text) return;
    const tree = await parse('typescript', text);
    let best = Infinity;
    let ct!: CompactTree;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      ct = CompactTree.fromTree(tree, text);
      best = Math.min(best, performance.now() - t0);
    }
    expect(ct.nodeCount).toBe(tree.rootNode.descendantCount);
    const { encoded } = report('typescript lib.dom.d.ts', ct, best);
    let decoded!: CompactTree;
    let encodeMs = Infinity;
    let decodeMs = Infinity;
    for (let k = 0; k < 3; k++) {
      let t0 = performance.now();
      decoded = CompactTree.decode(encoded, text);
      decodeMs = Math.min(decodeMs, performance.now() - t0);
      t0 = performance.now();
      ct.encode();
      encodeMs = Math.min(encodeMs, performance.now() - t0);
    }
    sizeReport.push(`  lib.dom.d.ts: encode ${encodeMs.toFixed(1)} ms, decode ${decodeMs.toFixed(1)} ms (best of 3), text ${text.length} code units`);
    expectSameCompact(ct, decoded);
    // Scalars of every node against the live tree (cheap subset), via the walk.
    const { nodes } = liveNodes(tree);
    const bad: number[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const L = nodes[i]!;
      const C = decoded.node(i);
      if (L.type !== C.type || L.startIndex !== C.startIndex || L.endIndex !== C.endIndex || !samePoint(L.endPosition, C.endPosition) || L.isExtra !== C.isExtra) bad.push(i);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });
});
