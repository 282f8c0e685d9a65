// Checks of the formatter's guarantees, shared by the tests, the benchmark
// and tools: apply edits, the leaf-token sequence (type and text) that must
// not change, idempotence, and the indentation-accuracy measure.
//
// This module parses (it is a checker, not a feature): it takes a Parser the
// caller owns and deletes every tree it makes.
import type { Parser, Tree, TreeCursor } from 'web-tree-sitter';
import type { TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { formatDocument, type FormatOptions } from './formatting.js';
import { errorRegions, lineStarts } from './formattingFacts.js';

/** Apply LSP edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const doc = TextDocument.create('file:///x', 'x', 0, text);
  return TextDocument.applyEdits(doc, edits);
}

/**
 * The leaf tokens of a tree as "type\0text" strings, in order. Block comments
 * whose continuation lines all start with `*` are normalized (each
 * continuation line's leading whitespace removed), as the formatter may move
 * them. Zero-width leaves are left out.
 */
export function leafTokens(tree: Tree, text: string): string[] {
  const out: string[] = [];
  let prevEnd = 0;
  // Per ancestor of the cursor's node, innermost last: its start and type when it is string-like.
  const stringy: { start: number; type: string }[] = [];
  const cursor: TreeCursor = tree.walk();
  const token = (start: number, end: number, type: string): void => {
    // Text between two tokens that is not whitespace (text a grammar leaves outside any
    // leaf) is compared too: the formatter must leave it exactly as it is; so is whitespace
    // inside a string-like node.
    const between = text.slice(prevEnd, start);
    if (/\S/.test(between)) out.push(`(between)\0${between}`);
    else if (between.length > 0 && stringy.length && stringy[stringy.length - 1]!.start >= 0 && stringy[stringy.length - 1]!.start < start) out.push(`(inside ${stringy[stringy.length - 1]!.type})\0${between}`);
    out.push(`${type}\0${normalizeJsdoc(text.slice(start, end))}`);
    prevEnd = end;
  };
  try {
    // The same tokens as the formatter's (formattingEngine.leaves): a comment is one token.
    for (;;) {
      const type = cursor.nodeType;
      const start = cursor.startIndex;
      const isComment = cursor.nodeIsNamed && COMMENT.test(type);
      if (!isComment && cursor.gotoFirstChild()) {
        stringy.push(STRINGY.test(type) && !type.startsWith('concatenated') ? { start, type } : { start: -1, type: '' });
        continue;
      }
      if (cursor.endIndex > cursor.startIndex) token(cursor.startIndex, cursor.endIndex, cursor.nodeType);
      let done = false;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
        stringy.pop();
      }
      if (done) break;
    }
  } finally {
    cursor.delete();
  }
  const rest = text.slice(prevEnd);
  if (/\S/.test(rest)) out.push(`(between)\0${rest}`);
  return out;
}

const COMMENT = /comment/;
/** Node types whose whitespace is content: strings, template strings, heredocs, regexes, characters (not C's concatenated strings). */
const STRINGY = /(^|_)(string|heredoc_body|regex|char_literal|string_literal)$/;

function normalizeJsdoc(token: string): string {
  if (!token.startsWith('/*')) return token;
  const lines = token.split(/\r\n|\r|\n/);
  if (lines.length < 2 || !lines.slice(1).every((l) => /^[ \t]*\*/.test(l))) return token;
  return [lines[0], ...lines.slice(1).map((l) => l.replace(/^[ \t]+/, ''))].join('\n');
}

export interface CheckResult {
  /** The formatted text. */
  output: string;
  edits: number;
  /** Leaf tokens identical before and after. */
  safe: boolean;
  /** First differing token, when not safe. */
  difference?: { index: number; before?: string; after?: string };
  /** Formatting the output again changes nothing. */
  idempotent: boolean;
  /** Second-pass output, when not idempotent. */
  second?: string;
}

/** Format `text`, re-parse, compare tokens, and format again. */
export function checkFormat(parser: Parser, grammar: LoadedGrammar, registry: GrammarRegistry, text: string, options: FormatOptions): CheckResult {
  parser.setLanguage(grammar.language);
  const tree = parser.parse(text)!;
  let output: string;
  let edits: TextEdit[];
  let before: string[];
  try {
    edits = formatDocument(tree, TextDocument.create('file:///x', 'x', 0, text), grammar, registry, options);
    output = applyEdits(text, edits);
    before = leafTokens(tree, text);
  } finally {
    tree.delete();
  }
  const tree2 = parser.parse(output)!;
  let after: string[];
  let second: TextEdit[];
  try {
    after = leafTokens(tree2, output);
    second = formatDocument(tree2, TextDocument.create('file:///x', 'x', 0, output), grammar, registry, options);
  } finally {
    tree2.delete();
  }
  let difference: CheckResult['difference'];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    if (before[i] !== after[i]) {
      difference = { index: i, before: before[i]?.replace('\0', ' '), after: after[i]?.replace('\0', ' ') };
      break;
    }
  }
  const result: CheckResult = { output, edits: edits.length, safe: !difference, idempotent: second.length === 0 };
  if (difference) result.difference = difference;
  if (second.length) result.second = applyEdits(output, second);
  return result;
}

export interface AccuracyResult {
  /** Lines that carry code (not blank) and whose first character is not inside a multi-line token. */
  lines: number;
  /** Of those, lines whose indentation came back exactly. */
  exact: number;
  /** Lines with code in or next to a syntax error of the reference (left as they are by design; not in `lines`). */
  nearErrors: number;
  /** A few lines that did not, for inspection: line number (0-based), expected, got. */
  misses: { line: number; expected: string; got: string }[];
}

/**
 * Indentation accuracy on text already formatted by its own formatter: strip
 * the leading whitespace of every line that starts outside a multi-line
 * token, format, and count the lines whose indentation comes back exactly.
 */
export function indentationAccuracy(
  parser: Parser,
  grammar: LoadedGrammar,
  registry: GrammarRegistry,
  formatted: string,
  options: FormatOptions,
  maxMisses = 20,
  /** Only lines inside a node of these types (continuation lines inside Python's brackets) are stripped and counted. */
  continuationOnly?: RegExp,
): AccuracyResult {
  parser.setLanguage(grammar.language);
  const lines = formatted.split('\n');
  // Lines whose start is inside a token keep their whitespace (it is content).
  const tree = parser.parse(formatted)!;
  const insideToken = new Uint8Array(lines.length);
  // Lines in or next to a syntax error of the reference (which the formatter leaves as they
  // are, by design) are not measured: counted in nearErrors instead.
  const nearError = new Uint8Array(lines.length);
  try {
    const regions = tree.rootNode.hasError ? errorRegions(tree, formatted, lineStarts(formatted)) : [];
    let offset = 0;
    let r = 0;
    for (let i = 0; i < lines.length; i++) {
      if (i > 0) {
        const node = tree.rootNode.descendantForIndex(offset, offset);
        if (node && node.startIndex < offset && node.endIndex > offset && (node.childCount === 0 || STRINGY.test(node.type) || COMMENT.test(node.type))) insideToken[i] = 1;
        else if (continuationOnly) {
          let inside = false;
          for (let n = node; n && !inside; n = n.parent) if (n.startIndex < offset && continuationOnly.test(n.type)) inside = true;
          if (!inside) insideToken[i] = 1; // kept as it is and not counted
        }
      }
      while (r < regions.length && regions[r]!.end <= offset) r++;
      for (let k = r; k < regions.length && regions[k]!.start <= offset; k++) if (offset < regions[k]!.end) nearError[i] = 1;
      offset += lines[i]!.length + 1;
    }
  } finally {
    tree.delete();
  }
  const stripped = lines.map((l, i) => (insideToken[i] ? l : l.replace(/^[ \t]+/, ''))).join('\n');
  const tree2 = parser.parse(stripped)!;
  let output: string;
  try {
    output = applyEdits(stripped, formatDocument(tree2, TextDocument.create('file:///x', 'x', 0, stripped), grammar, registry, options));
  } finally {
    tree2.delete();
  }
  const got = output.split('\n');
  const result: AccuracyResult = { lines: 0, exact: 0, nearErrors: 0, misses: [] };
  if (got.length < lines.length - 1) return { lines: lines.length, exact: 0, nearErrors: 0, misses: [{ line: 0, expected: 'same line count', got: `${got.length} lines` }] };
  for (let i = 0; i < lines.length; i++) {
    const want = lines[i]!;
    if (insideToken[i] || want.trim() === '') continue;
    if (nearError[i]) {
      result.nearErrors++;
      continue;
    }
    result.lines++;
    const have = got[i] ?? '';
    const wantIndent = /^[ \t]*/.exec(want)![0];
    const haveIndent = /^[ \t]*/.exec(have)![0];
    if (wantIndent === haveIndent && have.trimStart() === want.trimStart().replace(/[ \t]+$/, '')) result.exact++;
    else if (wantIndent === haveIndent) result.exact++;
    else if (result.misses.length < maxMisses) result.misses.push({ line: i, expected: want, got: have });
  }
  return result;
}

/** Load and return a grammar by language id (convenience for tools and tests). */
export async function loadGrammar(registry: GrammarRegistry, id: string): Promise<LoadedGrammar> {
  const g = await registry.load(id);
  if (!g) throw new Error(`grammar ${id} did not load`);
  return g;
}
