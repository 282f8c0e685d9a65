// Document text as an immutable list of chunks (copy-on-write), with LSP line
// offsets maintained incrementally. A keystroke in a 40k-line file touches one
// chunk and shifts an array of line offsets: no 2-4 MB string is built or
// flattened per keystroke (V8 flattens a concatenated string on first read,
// which cost as much as the incremental parse itself). tree-sitter reads the
// chunks through its input callback; the whole string is joined lazily, at
// most once per version, for the features that want it.
//
// Implements vscode-languageserver-textdocument's TextDocument interface with
// the same semantics: lines split at \n, \r\n and \r only; offsetAt clamps a
// line past the end to the document end and a character past the line end to
// the line end; positionAt never lands between \r and \n.
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';

const CHUNK = 4096;
const CR = 13;
const LF = 10;

function splitChunks(text: string, out: string[]): void {
  for (let i = 0; i < text.length; i += CHUNK) out.push(text.slice(i, i + CHUNK));
}

/** Line starts of `text` (always [0, ...]). */
function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CR) {
      if (text.charCodeAt(i + 1) === LF) i++;
      starts.push(i + 1);
    } else if (c === LF) starts.push(i + 1);
  }
  return starts;
}

export class DocumentText implements TextDocument {
  private joined: string | undefined;

  private constructor(
    readonly uri: string,
    readonly languageId: string,
    readonly version: number,
    /** Non-empty chunks (none for the empty text). Never mutated: edits copy the array. */
    private readonly chunks: readonly string[],
    /** chunkStarts[i] = offset of chunks[i]; one extra entry = length. */
    private readonly chunkStarts: readonly number[],
    private readonly lineStarts: readonly number[],
  ) {}

  static create(uri: string, languageId: string, version: number, text: string): DocumentText {
    const chunks: string[] = [];
    splitChunks(text, chunks);
    const starts = chunks.map((_, i) => i * CHUNK);
    starts.push(text.length);
    const doc = new DocumentText(uri, languageId, version, chunks, starts, computeLineStarts(text));
    doc.joined = text;
    return doc;
  }

  get length(): number {
    return this.chunkStarts[this.chunkStarts.length - 1]!;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Index of the chunk holding offset (offset < length). */
  private chunkAt(offset: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunkStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  charCodeAt(offset: number): number {
    if (offset < 0 || offset >= this.length) return NaN;
    if (this.joined !== undefined) return this.joined.charCodeAt(offset);
    const i = this.chunkAt(offset);
    return this.chunks[i]!.charCodeAt(offset - this.chunkStarts[i]!);
  }

  slice(start: number, end: number = this.length): string {
    start = Math.max(0, Math.min(start, this.length));
    end = Math.max(start, Math.min(end, this.length));
    if (this.joined !== undefined) return this.joined.slice(start, end);
    if (start === end) return '';
    let i = this.chunkAt(start);
    let out = '';
    while (i < this.chunks.length && this.chunkStarts[i]! < end) {
      const base = this.chunkStarts[i]!;
      out += this.chunks[i]!.slice(Math.max(0, start - base), end - base);
      i++;
    }
    return out;
  }

  getText(range?: Range): string {
    if (range) return this.slice(this.offsetAt(range.start), this.offsetAt(range.end));
    this.joined ??= this.chunks.join('');
    return this.joined;
  }

  /** tree-sitter input: the text from `index` to the end of its chunk (bounded; never builds the whole string). */
  input(): (index: number) => string | undefined {
    const { chunks, chunkStarts } = this;
    const length = this.length;
    let last = 0;
    return (index: number) => {
      if (index >= length) return undefined;
      // Sequential reads are the common case: try the chunk of the last read first.
      let i = last;
      if (!(chunkStarts[i]! <= index && index < chunkStarts[i + 1]!)) i = this.chunkAt(index);
      last = i;
      return chunks[i]!.slice(index - chunkStarts[i]!);
    };
  }

  private ensureBeforeEOL(offset: number, lineOffset: number): number {
    while (offset > lineOffset) {
      const c = this.charCodeAt(offset - 1);
      if (c !== CR && c !== LF) break;
      offset--;
    }
    return offset;
  }

  offsetAt(position: Position): number {
    const starts = this.lineStarts;
    if (position.line >= starts.length) return this.length;
    if (position.line < 0) return 0;
    const lineOffset = starts[position.line]!;
    if (position.character <= 0) return lineOffset;
    const next = position.line + 1 < starts.length ? starts[position.line + 1]! : this.length;
    return this.ensureBeforeEOL(Math.min(lineOffset + position.character, next), lineOffset);
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.length), 0);
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    offset = this.ensureBeforeEOL(offset, starts[line]!);
    return { line, character: offset - starts[line]! };
  }

  getLineRange(line: number): Range {
    const starts = this.lineStarts;
    if (line >= starts.length) {
      const last = starts.length - 1;
      return { start: { line: last, character: 0 }, end: { line: last, character: this.length - starts[last]! } };
    }
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const start = starts[line]!;
    const next = line + 1 < starts.length ? starts[line + 1]! : this.length;
    return { start: { line, character: 0 }, end: { line, character: this.ensureBeforeEOL(next, start) - start } };
  }

  getEOLCharacters(line: number): string {
    const starts = this.lineStarts;
    if (line < 0 || line >= starts.length) return '';
    const next = line + 1 < starts.length ? starts[line + 1]! : this.length;
    return this.slice(this.ensureBeforeEOL(next, starts[line]!), next);
  }

  /** A full replacement. */
  withText(text: string, version: number): DocumentText {
    return DocumentText.create(this.uri, this.languageId, version, text);
  }

  /** Replace [start, end) (offsets, start <= end) with `text`: a new version sharing unchanged chunks. */
  withEdit(start: number, end: number, text: string, version: number): DocumentText {
    const length = this.length;
    start = Math.max(0, Math.min(start, length));
    end = Math.max(start, Math.min(end, length));
    const delta = text.length - (end - start);

    // Chunks: rebuild only the ones the edit touches.
    let chunks: string[];
    let chunkStarts: number[];
    if (this.chunks.length === 0) {
      chunks = [];
      splitChunks(text, chunks);
      chunkStarts = chunks.map((_, i) => i * CHUNK);
      chunkStarts.push(text.length);
    } else {
      const first = start < length ? this.chunkAt(start) : this.chunks.length - 1;
      const last = end < length ? this.chunkAt(end) : this.chunks.length - 1;
      const firstBase = this.chunkStarts[first]!;
      const lastBase = this.chunkStarts[last]!;
      const merged = this.chunks[first]!.slice(0, start - firstBase) + text + this.chunks[last]!.slice(end - lastBase);
      const middle: string[] = [];
      if (merged.length <= 2 * CHUNK) {
        if (merged.length > 0) middle.push(merged);
      } else splitChunks(merged, middle);
      chunks = [...this.chunks.slice(0, first), ...middle, ...this.chunks.slice(last + 1)];
      chunkStarts = this.chunkStarts.slice(0, first);
      let at = firstBase;
      for (let i = first; i < chunks.length; i++) {
        chunkStarts.push(at);
        at += chunks[i]!.length;
      }
      chunkStarts.push(at);
    }

    // Line starts: a position p is a line start when c[p-1] is \n, or \r not followed by \n.
    // Only p in [start, start + text.length] can change status (see ARCHITECTURE.md, "Positions").
    const old = this.lineStarts;
    let lo = 0;
    let hi = old.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (old[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    const lineStarts = lo > 0 ? old.slice(0, lo) : [0];
    const next = new DocumentText(this.uri, this.languageId, version, chunks, chunkStarts, lineStarts);
    const newEnd = start + text.length;
    for (let p = Math.max(1, start); p <= newEnd; p++) {
      const before = next.charCodeAt(p - 1);
      if (before === LF || (before === CR && next.charCodeAt(p) !== LF)) lineStarts.push(p);
    }
    let k = lo;
    while (k < old.length && old[k]! <= end) k++;
    for (; k < old.length; k++) lineStarts.push(old[k]! + delta);
    return next;
  }
}
