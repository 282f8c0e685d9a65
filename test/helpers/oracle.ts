// Independent expectations for protocol tests: the LSP text model (how a
// client's positions and content changes map onto text) and a fresh
// in-process tree-sitter parse, written here without any server code, so that
// a bug in the server cannot hide in a shared implementation.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit, Language, Parser, type Tree } from 'web-tree-sitter';
import { repoRoot } from './lsp.js';

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export type ContentChange = { range: Range; text: string } | { text: string };

// ---------------------------------------------------------------------------
// LSP text model. Lines end at \r\n, \r or \n (nothing else: U+2028, U+2029,
// U+0085 are ordinary characters); characters are UTF-16 code units.

/** Offsets where each LSP line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Offset of the end of a line's content (before its line break). */
export function lineContentEnd(text: string, starts: number[], line: number): number {
  if (line + 1 >= starts.length) return text.length;
  const next = starts[line + 1]!;
  return text.charCodeAt(next - 1) === 10 && text.charCodeAt(next - 2) === 13 && next - 2 >= starts[line]! ? next - 2 : next - 1;
}

/** Per the spec: a character past the line end means the line end; a line past the end means the end of the document. */
export function offsetAt(text: string, pos: Position, starts = lineStarts(text)): number {
  if (pos.line >= starts.length) return text.length;
  const start = starts[pos.line]!;
  return Math.min(start + pos.character, lineContentEnd(text, starts, pos.line));
}

/** The LSP position of an offset. An offset inside a line break belongs to the line it ends. */
export function positionAt(text: string, offset: number, starts = lineStarts(text)): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

/** The offsets a change replaces in `text` (a reversed range is taken in order); a full-text change replaces everything. */
export function resolveChange(text: string, change: ContentChange): { start: number; end: number; text: string; full: boolean } {
  if (!('range' in change)) return { start: 0, end: text.length, text: change.text, full: true };
  const starts = lineStarts(text);
  let a = offsetAt(text, change.range.start, starts);
  let b = offsetAt(text, change.range.end, starts);
  if (a > b) [a, b] = [b, a];
  return { start: a, end: b, text: change.text, full: false };
}

/** Apply one content change. */
export function applyChange(text: string, change: ContentChange): string {
  const r = resolveChange(text, change);
  return text.slice(0, r.start) + r.text + text.slice(r.end);
}

/** Apply the changes of one didChange in order, each against the text the previous one left. */
export function applyChanges(text: string, changes: readonly ContentChange[]): string {
  for (const c of changes) text = applyChange(text, c);
  return text;
}

/**
 * The content changes that undo `changes` (one didChange) on the text they
 * produce from `before`: each change's inverse, last change first. A boundary
 * that falls between \r and \n has no LSP position, so the inverse range is
 * widened over the pair.
 */
export function inverseChanges(before: string, changes: readonly ContentChange[]): ContentChange[] {
  const inverse: ContentChange[] = [];
  let text = before;
  for (const change of changes) {
    const r = resolveChange(text, change);
    const after = text.slice(0, r.start) + r.text + text.slice(r.end);
    if (r.full) {
      inverse.push({ text });
    } else {
      let s = r.start;
      let e = r.start + r.text.length;
      let replacement = text.slice(r.start, r.end);
      const insidePair = (o: number) => after.charCodeAt(o - 1) === 13 && after.charCodeAt(o) === 10;
      if (insidePair(s)) {
        s--;
        replacement = '\r' + replacement;
      }
      if (insidePair(e)) {
        e++;
        replacement += '\n';
      }
      const starts = lineStarts(after);
      inverse.push({ range: { start: positionAt(after, s, starts), end: positionAt(after, e, starts) }, text: replacement });
    }
    text = after;
  }
  return inverse.reverse();
}

/** A tree-sitter point: rows split at \n only (a lone \r is no row break), columns in UTF-16 code units. */
export function treeSitterPoint(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lastNewline = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lastNewline = i;
  }
  return { row, column: offset - lastNewline - 1 };
}

// ---------------------------------------------------------------------------
// Fresh parse with web-tree-sitter and the same .wasm the server loads.

interface ManifestEntry {
  id: string;
  grammar: { package: string; wasm: string };
}

let initialized: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();

export function wasmPath(languageId: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'grammars/languages.json'), 'utf8')) as { languages: ManifestEntry[] };
  const entry = manifest.languages.find((l) => l.id === languageId);
  if (!entry) throw new Error(`no language ${languageId} in grammars/languages.json`);
  return path.join(repoRoot, 'node_modules', entry.grammar.package, entry.grammar.wasm);
}

export interface FreshParse {
  /** One line per node, pre-order: "type start end sr:sc er:ec" (+ " MISSING"), as $/cstDebugTree's digest covers. */
  lines: string[];
  digest: string;
}

export class Oracle {
  private constructor(private readonly parser: Parser) {}

  static async load(languageId: string): Promise<Oracle> {
    initialized ??= Parser.init();
    await initialized;
    let language = languages.get(languageId);
    if (!language) {
      language = Language.load(wasmPath(languageId));
      languages.set(languageId, language);
    }
    const parser = new Parser();
    parser.setLanguage(await language);
    return new Oracle(parser);
  }

  /** An incremental twin of a server document: edits computed here, independently, then parse(text, oldTree). */
  mirror(text: string): Mirror {
    return new Mirror(this.parser, text);
  }

  parse(text: string): FreshParse {
    const tree = this.parser.parse(text);
    if (!tree) throw new Error('web-tree-sitter returned no tree');
    try {
      const lines = nodeLines(tree);
      return { lines, digest: digestOf(lines) };
    } finally {
      tree.delete();
    }
  }

  delete(): void {
    this.parser.delete();
  }
}

export class Mirror {
  private tree: Tree | null;

  constructor(private readonly parser: Parser, private text: string) {
    this.tree = parser.parse(text);
  }

  /** Apply one didChange: every change edits the tree (a full-text change drops it), then one parse. */
  apply(changes: readonly ContentChange[]): void {
    for (const change of changes) {
      const r = resolveChange(this.text, change);
      if (r.full) {
        this.tree?.delete();
        this.tree = null;
      } else if (this.tree) {
        const startPosition = treeSitterPoint(this.text, r.start);
        const lastNewline = r.text.lastIndexOf('\n');
        const newRows = lastNewline === -1 ? 0 : r.text.split('\n').length - 1;
        this.tree.edit(
          new Edit({
            startIndex: r.start,
            oldEndIndex: r.end,
            newEndIndex: r.start + r.text.length,
            startPosition,
            oldEndPosition: treeSitterPoint(this.text, r.end),
            newEndPosition: lastNewline === -1
              ? { row: startPosition.row, column: startPosition.column + r.text.length }
              : { row: startPosition.row + newRows, column: r.text.length - lastNewline - 1 },
          }),
        );
      }
      this.text = this.text.slice(0, r.start) + r.text + this.text.slice(r.end);
    }
    const next = this.parser.parse(this.text, this.tree);
    if (!next) throw new Error('web-tree-sitter returned no tree');
    this.tree?.delete();
    this.tree = next;
  }

  /** Start over from a fresh parse of `text`. */
  reset(text: string): void {
    this.tree?.delete();
    this.text = text;
    this.tree = this.parser.parse(text);
  }

  result(): FreshParse {
    const lines = nodeLines(this.tree!);
    return { lines, digest: digestOf(lines) };
  }

  delete(): void {
    this.tree?.delete();
    this.tree = null;
  }
}

export function digestOf(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Pre-order node lines, iteratively (deep trees must not overflow the stack). */
export function nodeLines(tree: Tree): string[] {
  const out: string[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      const s = cursor.startPosition;
      const e = cursor.endPosition;
      out.push(`${cursor.nodeType} ${cursor.startIndex} ${cursor.endIndex} ${s.row}:${s.column} ${e.row}:${e.column}${cursor.nodeIsMissing ? ' MISSING' : ''}`);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return out;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The first index where two line lists differ, or -1. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}
