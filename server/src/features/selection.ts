// textDocument/selectionRange from the CST: for each position, the smallest
// node at it and then every ancestor up to the root, each range once.
//
// Written against `SyntaxNode` (compact.ts), so a live tree (hot) and a
// compact tree (warm, cold, frozen) give the same answer. The descent goes
// from the root down through `children`, keeping the path: never `parent`
// (web-tree-sitter's parent walks down from the root, quadratic on deep
// trees) and never recursion (100,000 nested brackets).
//
// Choices, language-independent:
// - The node at a position is the child that contains it (start <= p < end);
//   when the cursor touches the end of a word and the next character is not
//   a word character (`foo|.bar`, `foo|(`), the node ending there wins, as
//   editors pick the word left of the cursor.
// - Inside a leaf that holds several words (a string, a comment), the word at
//   the position comes first (Unicode letters, digits and `_`; an emoji is
//   not a word and is never split: ranges are node or word boundaries).
// - Zero-width nodes (MISSING tokens) are never selected; ranges equal to the
//   previous one are skipped; the last range is the whole document.
// - A chain is at most MAX_SELECTION_DEPTH ranges: the innermost ones and the
//   whole document (a 100,000-deep chain would be a 100,000-deep JSON object,
//   which JSON.stringify cannot write).
import type { Position, SelectionRange } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SyntaxNode } from '../cache/compact.js';
import type { Snapshot } from '../cache/tiers.js';

export const MAX_SELECTION_DEPTH = 1000;

const WORD = /[\p{L}\p{M}\p{N}_]/u;

function isWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  if (code < 0x80) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  // A low surrogate: look at the whole code point.
  if (code >= 0xdc00 && code <= 0xdfff && index > 0) return WORD.test(String.fromCodePoint(text.codePointAt(index - 1)!));
  return WORD.test(String.fromCodePoint(text.codePointAt(index)!));
}

/** Index of the last child whose start is <= p (children are in document order), -1 if none. */
function lastStartingAtOrBefore(children: readonly SyntaxNode[], p: number): number {
  let lo = 0;
  let hi = children.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (children[mid]!.startIndex <= p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The child of `node` to descend into for offset p, or null. */
function childAt(node: SyntaxNode, p: number, preferLeft: boolean): SyntaxNode | null {
  const children = node.children;
  if (children.length === 0) return null;
  let i = lastStartingAtOrBefore(children, p);
  // Zero-width nodes are never a selection.
  while (i >= 0 && children[i]!.endIndex === children[i]!.startIndex) i--;
  if (i < 0) return null;
  const c = children[i]!;
  if (preferLeft && c.startIndex === p) {
    // The node ending at p, if one does, wins over the one starting there.
    for (let j = i - 1; j >= 0; j--) {
      const prev = children[j]!;
      if (prev.endIndex === prev.startIndex) continue;
      if (prev.endIndex === p) return prev;
      break;
    }
  }
  if (c.endIndex > p || c.endIndex === p) return c;
  return null;
}

/** [start, end) of the word at p inside [from, to), or undefined. */
function wordAt(text: string, p: number, from: number, to: number): [number, number] | undefined {
  let s = p;
  let e = p;
  while (e < to && isWordAt(text, e)) e++;
  while (s > from && isWordAt(text, s - 1)) s--;
  // Never split a surrogate pair.
  if (s > from && s < text.length && (text.charCodeAt(s) & 0xfc00) === 0xdc00) s--;
  if (e < to && (text.charCodeAt(e) & 0xfc00) === 0xdc00) e++;
  return e > s ? [s, e] : undefined;
}

/** Offsets [start, end) of every range for one offset, innermost first. */
export function selectionChain(root: SyntaxNode, text: string, p: number): [number, number][] {
  const path: [number, number][] = [];
  const preferLeft = isWordAt(text, p - 1) && !isWordAt(text, p);
  let node: SyntaxNode | null = root;
  let leaf: SyntaxNode = root;
  while (node) {
    path.push([node.startIndex, node.endIndex]);
    leaf = node;
    node = childAt(node, p, preferLeft);
  }
  const chain: [number, number][] = [];
  if (leaf.childCount === 0 && leaf.endIndex > leaf.startIndex) {
    const w = wordAt(text, p, leaf.startIndex, leaf.endIndex);
    if (w && (w[0] > leaf.startIndex || w[1] < leaf.endIndex)) chain.push(w);
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const r = path[i]!;
    const last = chain[chain.length - 1];
    if (last && last[0] === r[0] && last[1] === r[1]) continue;
    // A range must contain the position (the root may not cover leading or trailing whitespace).
    if (r[0] > p || r[1] < p) continue;
    chain.push(r);
  }
  const last = chain[chain.length - 1];
  if (!last || last[0] !== 0 || last[1] !== text.length) chain.push([0, text.length]);
  if (chain.length > MAX_SELECTION_DEPTH) chain.splice(MAX_SELECTION_DEPTH - 1, chain.length - MAX_SELECTION_DEPTH);
  return chain;
}

function toSelectionRange(chain: [number, number][], doc: TextDocument): SelectionRange {
  let parent: SelectionRange | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const [s, e] = chain[i]!;
    const range: SelectionRange = { range: { start: doc.positionAt(s), end: doc.positionAt(e) } };
    if (parent) range.parent = parent;
    parent = range;
  }
  return parent!;
}

/** The offset of a position from the wire (a malformed one counts as the document's start; LSP wants one answer per position). */
function offsetOf(doc: TextDocument, position: Position): number {
  const line = Number(position?.line);
  const character = Number(position?.character);
  if (!Number.isFinite(line) || !Number.isFinite(character)) return 0;
  return doc.offsetAt({ line: Math.max(0, Math.trunc(line)), character: Math.max(0, Math.trunc(character)) });
}

/** textDocument/selectionRange from a snapshot (any tier): one SelectionRange per position, in order. */
export function selectionRanges(snap: Snapshot, positions: Position[]): SelectionRange[] {
  const root: SyntaxNode = snap.tree?.rootNode ?? snap.compact!.rootNode;
  const text = snap.text.getText();
  return positions.map((position) => toSelectionRange(selectionChain(root, text, offsetOf(snap.text, position)), snap.text));
}
