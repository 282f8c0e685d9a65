// LSP content changes -> tree-sitter edits.
//
// Two coordinate systems meet here. LSP positions count lines split at \n,
// \r\n and \r (U+2028/U+2029 are ordinary characters) with UTF-16 columns;
// web-tree-sitter (given a JS string) uses UTF-16 indices and points whose
// rows split at \n only. Indices are shared; rows differ only when the text
// holds a lone \r. Features convert indices with the document's line index,
// never tree-sitter rows, so lone-CR files are positioned right too.
import type { Point } from 'web-tree-sitter';
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentText } from './text.js';

/** True when the text has a \r not followed by \n (a line break for LSP, not for tree-sitter). */
export function hasLoneCR(text: string): boolean {
  return /\r(?!\n)/.test(text);
}

/** The tree-sitter point of a UTF-16 offset. */
export function pointAt(doc: TextDocument, offset: number, loneCR: boolean): Point {
  if (!loneCR) {
    // Without lone \r, LSP lines and tree-sitter rows coincide; the column is
    // measured from the line start (an offset between \r and \n counts the \r).
    const line = doc.positionAt(offset).line;
    const start = doc.offsetAt({ line, character: 0 });
    return { row: line, column: offset - start };
  }
  const text = doc.getText();
  let row = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    last = i;
  }
  return { row, column: offset - (last + 1) };
}

/** The point reached after inserting `text` at `start` (rows split at \n only). */
export function advancePoint(start: Point, text: string): Point {
  let row = start.row;
  let lastNl = -1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    row++;
    lastNl = i;
  }
  return lastNl === -1 ? { row, column: start.column + text.length } : { row, column: text.length - lastNl - 1 };
}

/** Order a range's ends (some clients send them reversed) and clamp to the document per the spec. */
export function rangeOffsets(doc: TextDocument, range: Range): [number, number] {
  let a = doc.offsetAt(clampPosition(range.start));
  let b = doc.offsetAt(clampPosition(range.end));
  if (a > b) [a, b] = [b, a];
  return [a, b];
}

/** Negative or non-integer numbers would throw deep inside; the spec only speaks of too-large ones. */
export function clampPosition(p: Position): Position {
  const fix = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  return { line: fix(p?.line), character: fix(p?.character) };
}

export interface PlannedEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/** The tree-sitter edit for replacing [start, end) of the document's current text with `text`. */
export function planEdit(doc: TextDocument, loneCR: boolean, start: number, end: number, text: string): PlannedEdit {
  const startPosition = pointAt(doc, start, loneCR);
  const oldEndPosition = start === end ? startPosition : pointAt(doc, end, loneCR);
  return {
    startIndex: start,
    oldEndIndex: end,
    newEndIndex: start + text.length,
    startPosition,
    oldEndPosition,
    newEndPosition: advancePoint(startPosition, text),
  };
}

/**
 * Whether the text after replacing [start, end) with `inserted` has a lone \r,
 * given whether the text before did. Only the inserted text and its two
 * boundaries can create one; removing one needs a rescan (rare: lone-CR files).
 */
export function loneCRAfterEdit(before: boolean, newText: DocumentText, start: number, insertedLength: number): boolean {
  if (before) return hasLoneCR(newText.getText());
  const last = Math.min(newText.length - 1, start + insertedLength);
  for (let i = Math.max(0, start - 1); i <= last; i++) {
    if (newText.charCodeAt(i) === 13 && newText.charCodeAt(i + 1) !== 10) return true;
  }
  return false;
}
