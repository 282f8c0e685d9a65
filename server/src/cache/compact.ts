// Compact CST encoding for the warm, cold and frozen tiers.
//
// A CompactTree holds one web-tree-sitter tree as typed arrays in pre-order
// (node 0 is the root; a node's descendants are the contiguous index range
// [i + 1, subtreeEnd[i])). It is built from a live Tree with one TreeCursor
// walk, never holds WASM memory, and answers the read-only subset of the
// web-tree-sitter Node API that features use (`SyntaxNode`), so one feature
// implementation serves a live tree (hot tier) and a compact one (warm, cold,
// frozen) with identical results.
//
// Indices and columns are UTF-16 code units, as web-tree-sitter reports them;
// rows split at \n only. Columns are not stored per node when they can be
// derived exactly: for every node boundary, column = index - lineStart[row],
// with lineStart learned from the tree itself during the build. A tree whose
// points disagree with that rule (never seen from a real parse, but possible
// after a bad Tree.edit) keeps explicit per-node columns instead, so the
// compact tree always reproduces the live tree's points exactly.
//
// Nothing here recurses over the tree: 100,000 nested brackets must not
// overflow the stack.
//
// Fidelity. The answers are web-tree-sitter 0.27's, checked node by node
// against live trees in test/unit/compact.test.ts, including its position-
// based quirks: nextSibling passes over a zero-width sibling that ends where
// the node ends; descendantForIndex passes over a zero-width node at the end
// of a hidden node; childForFieldName looks through aliased rules whose
// fields the parent inherits, and answers null on ERROR nodes. The hidden
// nodes behind the last two are not stored; the build asks the live tree
// and records the answer as a flag. One deliberate difference:
// descendantsOfType(['x', 'ERROR']) returns x and ERROR nodes, where
// web-tree-sitter 0.27.1 returns only the ERROR nodes for a list that mixes
// 'ERROR' with other types (its symbol list is unsorted; see the test).
// One known residual difference: a point lookup descendantForIndex(p) at the
// start of a node preceded by an invisible zero-width token at p (emitted by
// some external scanners: CSS's descendant combinator, bash's word
// concatenation and heredocs) returns the enclosing node in web-tree-sitter
// and the token at p here. No difference in TypeScript, JavaScript, Python,
// Rust, JSON or C at any node boundary of the files tried; reproducing it
// would cost a live lookup per node (measured: +0.9 us/node).
//
// Binary layout of encode() (little-endian), format COMPACT_FORMAT_VERSION:
//
//   header (32 bytes)
//     0  u8[4] magic "CSTC"
//     4  u16   format version
//     6  u16   flags: 1 = explicit columns, 2 = u16 type ids, 4 = u16 field ids
//     8  u32   nodeCount (>= 1)
//    12  u32   typeCount (entries in the type table, >= 1)
//    16  u32   fieldCount (entries in the field table; field id 0 = none is implicit)
//    20  u32   rowCount (entries in the line table; 0 with explicit columns)
//    24  u32   payloadLength (bytes after the header, exactly)
//    28  u32   CRC-32 of bytes [0, 28) followed by the payload
//   payload
//     type table: typeCount x (u16 grammar symbol, varint byte length, UTF-8 name)
//     field table: fieldCount x (varint byte length, UTF-8 name)
//     sections, each a u32 byte length then its bytes, one entry per node in pre-order:
//       S1 nodes    type u8 (u16 with flag 2): local type id
//                   flags u8: 1 named, 2 missing, 4 error, 8 extra, 16 hasError,
//                     32 aliased node whose fields its parent inherits,
//                     64 zero-width node that descendantForIndex passes over
//                   field u8 (u16 with flag 4): local field id under which the node sits in its parent
//                   varint child count (the tree shape)
//       S2 starts   zigzag varint: start - parent.start (first child) or start - previousSibling.end
//       S3 lengths  varint: end - start
//       S4 rows     zigzag varint: startRow - parent.startRow (first child) or startRow - previousSibling.endRow
//       S5 spans    varint: endRow - startRow
//       S6 columns  derived: rowCount zigzag varints, lineStart[r] - lineStart[r - 1]
//                   explicit: nodeCount varints startColumn, then nodeCount varints endColumn
//
// Chosen for zlib (measured on lib.dom.d.ts, argparse.py, web-tree-sitter.js):
// S1 keeps a node's kind, flags, field and arity together so repeated
// syntactic shapes become repeated byte strings; positions are predicted
// from the parent or previous sibling (mostly 0 or 1: whitespace gaps,
// same-line nodes) and kept in their own sections; plain lengths compress
// better than lengths predicted per type.
import * as zlib from 'node:zlib';
import type { Node, Tree } from 'web-tree-sitter';

export const COMPACT_FORMAT_VERSION = 1;

/** A row/column pair in UTF-16 code units (web-tree-sitter's Point). */
export interface Point {
  row: number;
  column: number;
}

/**
 * The read-only subset of web-tree-sitter's `Node` that features use.
 * web-tree-sitter's `Node` satisfies it structurally, and so does
 * `CompactNode`: type features against this, not against `Node`.
 */
export interface SyntaxNode {
  /** Unique among the nodes of one tree; compare nodes with `equals`. */
  readonly id: number;
  readonly type: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly isError: boolean;
  readonly isExtra: boolean;
  readonly hasError: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly text: string;
  readonly parent: SyntaxNode | null;
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly children: readonly SyntaxNode[];
  readonly namedChildren: readonly SyntaxNode[];
  readonly firstChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly firstNamedChild: SyntaxNode | null;
  readonly lastNamedChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly nextNamedSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(fieldName: string): SyntaxNode | null;
  childrenForFieldName(fieldName: string): readonly SyntaxNode[];
  fieldNameForChild(index: number): string | null;
  descendantForIndex(start: number, end?: number): SyntaxNode | null;
  namedDescendantForIndex(start: number, end?: number): SyntaxNode | null;
  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): readonly SyntaxNode[];
  equals(other: SyntaxNode): boolean;
}

// Per-node flag bits (in memory and in section S1).
export const FLAG_NAMED = 1;
export const FLAG_MISSING = 2;
export const FLAG_ERROR = 4;
export const FLAG_EXTRA = 8;
export const FLAG_HAS_ERROR = 16;
/**
 * An aliased node whose parent inherits its children's fields: tree-sitter's
 * childForFieldName on the parent looks through it (e.g. Python's
 * match_statement 'alternative' -> block (an alias of _match_block) -> case_clause).
 */
export const FLAG_FIELDS_INHERITED = 32;
/**
 * A zero-width node at the end of a non-empty hidden node: tree-sitter's
 * descendantForIndex passes over it (typically a MISSING node).
 */
export const FLAG_UNREACHABLE_EMPTY = 64;
const FLAG_ALL = FLAG_NAMED | FLAG_MISSING | FLAG_ERROR | FLAG_EXTRA | FLAG_HAS_ERROR | FLAG_FIELDS_INHERITED | FLAG_UNREACHABLE_EMPTY;

// Header flags.
const H_EXPLICIT_COLUMNS = 1;
const H_WIDE_TYPES = 2;
const H_WIDE_FIELDS = 4;
const H_ALL = H_EXPLICIT_COLUMNS | H_WIDE_TYPES | H_WIDE_FIELDS;

const MAGIC = [0x43, 0x53, 0x54, 0x43]; // "CSTC"
/** Size of the fixed header of an encoded tree. */
export const COMPACT_HEADER_SIZE = 32;
const SECTION_COUNT = 6;
/** tree-sitter's ERROR symbol ((TSSymbol)-1). */
const ERROR_SYMBOL = 0xffff;
const UNKNOWN_LINE = 0xffffffff;
const U32_MAX = 0xffffffff;

// ---------------------------------------------------------------------------
// CRC-32 (node:zlib's native crc32 where available: Node >= 20.15).

let crcTable: Int32Array | undefined;
function crc32Js(data: Uint8Array, crc: number): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
function crc32(data: Uint8Array, crc = 0): number {
  return nativeCrc32 ? nativeCrc32(data, crc) >>> 0 : crc32Js(data, crc);
}

/** The checksum stored at header offset 28 (exported for tests and tools). */
export function compactChecksum(bytes: Uint8Array): number {
  return crc32(bytes.subarray(COMPACT_HEADER_SIZE), crc32(bytes.subarray(0, 28)));
}

// ---------------------------------------------------------------------------
// Byte writer / reader.

class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = v >>> 8;
  }
  u32(v: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = v >>> 24;
    this.pos = p;
  }
  /** Unsigned LEB128 of a non-negative integer below 2^35. */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    if (v > 0x7fffffff) {
      while (v >= 0x80) {
        b[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    } else {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    }
    b[p++] = v;
    this.pos = p;
  }
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
  /** Reserve a u32 length slot; returns its offset for endSection. */
  beginSection(): number {
    const at = this.pos;
    this.pos += 4;
    return at;
  }
  endSection(at: number): void {
    const len = this.pos - at - 4;
    const b = this.buf;
    b[at] = len & 0xff;
    b[at + 1] = (len >>> 8) & 0xff;
    b[at + 2] = (len >>> 16) & 0xff;
    b[at + 3] = len >>> 24;
  }
}

/** Thrown by CompactTree.decode for any malformed input; the message names the problem. */
export class CompactDecodeError extends Error {
  constructor(message: string) {
    super(`compact CST: ${message}`);
    this.name = 'CompactDecodeError';
  }
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos: number,
    public end: number,
    readonly what: string,
  ) {
    this.pos = pos;
  }
  fail(detail: string): never {
    throw new CompactDecodeError(`${this.what}: ${detail}`);
  }
  need(n: number): void {
    if (this.end - this.pos < n) this.fail(`truncated (needs ${n} more bytes at offset ${this.pos}, has ${this.end - this.pos})`);
  }
  u8(): number {
    if (this.pos >= this.end) this.fail(`truncated at offset ${this.pos}`);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const b = this.buf;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p >= end) this.fail(`truncated varint at offset ${p}`);
    let byte = b[p++]!;
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let v = byte & 0x7f;
    let scale = 0x80;
    for (let i = 1; ; i++) {
      if (p >= end) this.fail(`truncated varint at offset ${p}`);
      if (i >= 5) this.fail(`varint longer than 5 bytes at offset ${this.pos}`);
      byte = b[p++]!;
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    this.pos = p;
    return v;
  }
  zigzag(): number {
    const u = this.varint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  /** Open the next u32-length-prefixed section as a sub-reader. */
  section(name: string): Reader {
    const len = this.u32();
    if (len > this.end - this.pos) this.fail(`section ${name} claims ${len} bytes, only ${this.end - this.pos} remain`);
    const r = new Reader(this.buf, this.pos, this.pos + len, `section ${name}`);
    this.pos += len;
    return r;
  }
  done(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected trailing bytes`);
  }
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

type Shape = Pick<CompactTree, 'startIndex' | 'endIndex' | 'subtreeEnd' | 'flags'>;

function descendantFor(t: Shape, self: number, start: number, end: number, named: boolean): number {
  if (start > end) return -1;
  const { startIndex, endIndex, subtreeEnd, flags } = t;
  let node = self;
  let last = self;
  for (;;) {
    const stop = subtreeEnd[node]!;
    let found = -1;
    for (let c = node + 1; c < stop; c = subtreeEnd[c]!) {
      const ce = endIndex[c]!;
      // The child must reach the end of the range and pass its start (or,
      // if empty, touch it) ...
      if (ce < end) continue;
      const cs = startIndex[c]!;
      if (cs === ce ? ce < start : ce <= start) continue;
      // ... and begin at or before its start.
      if (start < cs) break;
      if (flags[c]! & FLAG_UNREACHABLE_EMPTY) continue;
      found = c;
      break;
    }
    if (found < 0) return last;
    node = found;
    if (!named || flags[found]! & FLAG_NAMED) last = found;
  }
}

/** Whether live node `node` is `ancestor` or below it (walking up, stopping at `limit`). */
function isWithin(node: Node, ancestor: Node, limit: Node): boolean {
  for (let n: Node | null = node; n; n = n.parent) {
    if (n.id === ancestor.id) return true;
    if (n.id === limit.id) return false;
  }
  return false;
}

/** Index of the first code unit of every row (rows split at \n only). */
function lineStartsOf(text: string): Uint32Array {
  let count = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  const lines = new Uint32Array(count);
  let row = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines[row++] = at + 1;
  return lines;
}

/** The row holding `index`, searching from row `from` (at or before it). */
function rowOf(lines: Uint32Array, index: number, from: number): number {
  const last = lines.length - 1;
  if (from >= last || lines[from + 1]! > index) return from;
  let lo = from + 1;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (lines[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** prev[i] = the previous sibling of node i, or -1 for a root or first child. */
function previousSiblings(parent: Int32Array, subtreeEnd: Uint32Array, n: number): Int32Array {
  const prev = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) {
    const next = subtreeEnd[i]!;
    if (next < subtreeEnd[parent[i]!]!) prev[next] = i;
  }
  return prev;
}

function growU32(a: Uint32Array, min: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(Math.max(min, a.length * 2, 16));
  next.set(a);
  return next;
}

// ---------------------------------------------------------------------------
// CompactTree

interface Parts {
  nodeCount: number;
  typeNames: string[];
  typeSymbols: Uint16Array;
  fieldNames: string[];
  type: Uint16Array;
  flags: Uint8Array;
  field: Uint8Array | Uint16Array;
  startIndex: Uint32Array;
  endIndex: Uint32Array;
  startRow: Uint32Array;
  endRow: Uint32Array;
  parent: Int32Array;
  subtreeEnd: Uint32Array;
  lineStart: Uint32Array | null;
  startColumn: Uint32Array | null;
  endColumn: Uint32Array | null;
}

// Scratch map from grammar symbol to local type id, reused across builds
// (entries touched by a build are reset at its end).
const symbolScratch = new Int32Array(65536).fill(-1);

/**
 * One syntax tree as typed arrays in pre-order. Immutable once built, except
 * for the attached source text (`setText`), which it does not own or account.
 *
 * The public typed arrays are for tight loops in this package; treat them as
 * read-only.
 */
export class CompactTree {
  readonly nodeCount: number;
  /** Local type id -> node type name (as `Node.type`). Names may repeat (distinct grammar symbols). */
  readonly typeNames: readonly string[];
  /** Local type id -> grammar symbol (as `Node.typeId`; 65535 = ERROR). */
  readonly typeSymbols: Uint16Array;
  /** Local field id -> field name; index 0 is '' (no field). */
  readonly fieldNames: readonly string[];
  readonly type: Uint16Array;
  readonly flags: Uint8Array;
  readonly field: Uint8Array | Uint16Array;
  readonly startIndex: Uint32Array;
  readonly endIndex: Uint32Array;
  readonly startRow: Uint32Array;
  readonly endRow: Uint32Array;
  /** Parent index; -1 for the root. */
  readonly parent: Int32Array;
  /** Index after the node's last descendant. */
  readonly subtreeEnd: Uint32Array;
  /** lineStart[row] = index of the row's first code unit (rows that hold a node boundary), or null with explicit columns. */
  readonly lineStart: Uint32Array | null;
  readonly startColumn: Uint32Array | null;
  readonly endColumn: Uint32Array | null;

  private sourceText: string | undefined;
  private bytes = 0;
  private fieldIds: Map<string, number> | undefined;

  // Memos that make `for (i < childCount) child(i)` loops linear.
  private memoCountNode = -1;
  private memoCount = 0;
  private memoNamedCountNode = -1;
  private memoNamedCount = 0;
  private memoChildParent = -1;
  private memoChildK = 0;
  private memoChildIndex = -1;
  private memoNamedParent = -1;
  private memoNamedK = 0;
  private memoNamedIndex = -1;

  private constructor(parts: Parts, text?: string) {
    this.nodeCount = parts.nodeCount;
    this.typeNames = parts.typeNames;
    this.typeSymbols = parts.typeSymbols;
    this.fieldNames = parts.fieldNames;
    this.type = parts.type;
    this.flags = parts.flags;
    this.field = parts.field;
    this.startIndex = parts.startIndex;
    this.endIndex = parts.endIndex;
    this.startRow = parts.startRow;
    this.endRow = parts.endRow;
    this.parent = parts.parent;
    this.subtreeEnd = parts.subtreeEnd;
    this.lineStart = parts.lineStart;
    this.startColumn = parts.startColumn;
    this.endColumn = parts.endColumn;
    if (text !== undefined) this.setText(text);
  }

  // -------------------------------------------------------------------------
  // Building

  /**
   * Copy a live tree into typed arrays with one cursor walk (iterative). The
   * tree is only read; its owner still deletes it. `text` is optional: it
   * enables `node.text`, and makes the build faster (end points come from
   * the text's line starts instead of one more WASM call per node). It must
   * be the text the tree was parsed from; a text that disagrees with the
   * tree's start points is detected and the build falls back to asking the
   * tree. The result is the same with or without text.
   */
  static fromTree(tree: Tree, text?: string): CompactTree {
    if (text !== undefined) {
      const fast = CompactTree.build(tree, text, lineStartsOf(text));
      if (fast) return fast;
    }
    return CompactTree.build(tree, text, null)!;
  }

  /** The walk. With `textLines`, returns null as soon as a start point disagrees with them. */
  private static build(tree: Tree, text: string | undefined, textLines: Uint32Array | null): CompactTree | null {
    const language = tree.language;
    const root = tree.rootNode;
    let cap = Math.max(1, root.descendantCount);

    let type = new Uint16Array(cap);
    let flags = new Uint8Array(cap);
    let field: Uint8Array | Uint16Array = new Uint8Array(cap);
    let startIndex = new Uint32Array(cap);
    let endIndex = new Uint32Array(cap);
    let startRow = new Uint32Array(cap);
    let endRow = new Uint32Array(cap);
    let startColumn = new Uint32Array(cap);
    let endColumn = new Uint32Array(cap);
    let parent = new Int32Array(cap);
    let subtreeEnd = new Uint32Array(cap);
    let lineStart = new Uint32Array(1024).fill(UNKNOWN_LINE);
    let maxRow = 0;
    let consistent = true;

    const typeNames: string[] = [];
    const typeSymbolList: number[] = [];
    const typeNamedFlag: number[] = [];
    const fieldNames: string[] = [''];
    // Grammar field id -> local field id (0 = not yet seen or none).
    const fieldLocal = new Int32Array(Math.max(language.fieldCount + 1, 1));
    const langTypes = language.types;
    const langFields = language.fields;

    let stack = new Int32Array(256);
    // Per open ancestor: its live Node and whether a child carried a field.
    const nodeStack: Node[] = [];
    let childHadField = new Uint8Array(256);
    const zeroWidth: { index: number; node: Node; parent: Node }[] = [];
    let depth = 0;
    let n = 0;
    const cursor = tree.walk();
    const rootHasError = root.hasError;
    try {
      for (;;) {
        if (n === cap) {
          // descendantCount was exact in every tree we have seen; grow anyway.
          cap *= 2;
          const grow16 = (a: Uint16Array) => { const b = new Uint16Array(cap); b.set(a); return b; };
          const grow8 = (a: Uint8Array) => { const b = new Uint8Array(cap); b.set(a); return b; };
          type = grow16(type);
          flags = grow8(flags);
          field = field instanceof Uint8Array ? grow8(field) : grow16(field);
          startIndex = growU32(startIndex, cap);
          endIndex = growU32(endIndex, cap);
          startRow = growU32(startRow, cap);
          endRow = growU32(endRow, cap);
          startColumn = growU32(startColumn, cap);
          endColumn = growU32(endColumn, cap);
          subtreeEnd = growU32(subtreeEnd, cap);
          const p2 = new Int32Array(cap);
          p2.set(parent);
          parent = p2;
        }
        const i = n++;
        const node = cursor.currentNode;
        const sym = cursor.nodeTypeId;
        let t = symbolScratch[sym]!;
        if (t < 0) {
          t = typeNames.length;
          if (t > 0xffff) throw new Error('compact CST: more than 65536 distinct node types');
          symbolScratch[sym] = t;
          typeNames.push(langTypes[sym] || 'ERROR');
          typeSymbolList.push(sym);
          // Named-ness is a property of the (aliased) symbol in tree-sitter.
          typeNamedFlag.push(cursor.nodeIsNamed ? FLAG_NAMED : 0);
        }
        type[i] = t;

        const fid = cursor.currentFieldId;
        let f = 0;
        if (fid !== 0) {
          f = fieldLocal[fid]!;
          if (f === 0) {
            f = fieldNames.length;
            fieldLocal[fid] = f;
            fieldNames.push(langFields[fid] ?? `field${fid}`);
            if (f === 256 && field instanceof Uint8Array) field = Uint16Array.from(field);
          }
        }
        field[i] = f;

        const p = depth > 0 ? stack[depth - 1]! : -1;
        if (f !== 0 && depth > 0) childHadField[depth - 1] = 1;
        parent[i] = p;
        let fl = typeNamedFlag[t]!;
        if (sym === ERROR_SYMBOL) fl |= FLAG_ERROR;
        // Errors and MISSING nodes raise hasError on every ancestor, so only
        // the children of a node with errors need asking.
        if (p < 0 ? rootHasError : (flags[p]! & FLAG_HAS_ERROR) !== 0) {
          if (node.hasError) {
            fl |= FLAG_HAS_ERROR;
            if (cursor.nodeIsMissing) fl |= FLAG_MISSING;
          }
        }
        // A node with a field is never extra (tree-sitter gives extras no field).
        if (f === 0 && node.isExtra) fl |= FLAG_EXTRA;
        flags[i] = fl;

        const s = node.startIndex;
        const sp = node.startPosition;
        const e = node.endIndex;
        const sr = sp.row;
        let er: number;
        let ec: number;
        if (textLines) {
          // Rows split at \n only and columns count UTF-16 code units, so a
          // point follows from its index and the text; check every start.
          if (sr >= textLines.length || textLines[sr]! + sp.column !== s || e > text!.length) return null;
          er = rowOf(textLines, e, sr);
          ec = e - textLines[er]!;
        } else {
          const ep = node.endPosition;
          er = ep.row;
          ec = ep.column;
        }
        startIndex[i] = s;
        endIndex[i] = e;
        if (e < s) throw new Error(`compact CST: node ${i} ends (${e}) before it starts (${s})`);
        if (e === s && depth > 0) zeroWidth.push({ index: i, node, parent: nodeStack[depth - 1]! });
        startRow[i] = sr;
        endRow[i] = er;
        startColumn[i] = sp.column;
        endColumn[i] = ec;
        if (consistent) {
          const rowMax = sr > er ? sr : er;
          if (rowMax >= lineStart.length) {
            const next = new Uint32Array(Math.max(rowMax + 1, lineStart.length * 2)).fill(UNKNOWN_LINE);
            next.set(lineStart);
            lineStart = next;
          }
          const ls = s - sp.column;
          const le = e - ec;
          if (ls < 0 || le < 0) consistent = false;
          else {
            const a = lineStart[sr]!;
            if (a === UNKNOWN_LINE) lineStart[sr] = ls;
            else if (a !== ls) consistent = false;
            const b = lineStart[er]!;
            if (b === UNKNOWN_LINE) lineStart[er] = le;
            else if (b !== le) consistent = false;
          }
          if (rowMax > maxRow) maxRow = rowMax;
        }

        if (cursor.gotoFirstChild()) {
          if (depth === stack.length) {
            const s2 = new Int32Array(stack.length * 2);
            s2.set(stack);
            stack = s2;
            const c2 = new Uint8Array(stack.length);
            c2.set(childHadField);
            childHadField = c2;
          }
          stack[depth] = i;
          nodeStack[depth] = node;
          childHadField[depth] = 0;
          depth++;
          continue;
        }
        subtreeEnd[i] = i + 1;
        let finished = false;
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) {
            finished = true;
            break;
          }
          const closed = stack[--depth]!;
          subtreeEnd[closed] = n;
          if (childHadField[depth] && depth > 0 && nodeStack[depth]!.grammarId !== typeSymbolList[type[closed]!]) {
            // An alias of a grammar rule whose children carry fields: if
            // tree-sitter finds one of those fields from the parent, the
            // parent inherits them (see FLAG_FIELDS_INHERITED).
            const parentNode = nodeStack[depth - 1]!;
            const tried = new Set<number>();
            for (let c = closed + 1; c < n; c = subtreeEnd[c]!) {
              const cf = field[c]!;
              if (cf === 0 || tried.has(cf)) continue;
              tried.add(cf);
              const r = parentNode.childForFieldName(fieldNames[cf]!);
              if (r && r.startIndex === startIndex[c] && r.endIndex === endIndex[c] && r.typeId === typeSymbolList[type[c]!]) {
                flags[closed] = flags[closed]! | FLAG_FIELDS_INHERITED;
                break;
              }
            }
          }
          nodeStack[depth] = undefined as unknown as Node;
        }
        if (finished) break;
      }
    } finally {
      cursor.delete();
      for (const sym of typeSymbolList) symbolScratch[sym] = -1;
    }
    while (depth > 0) subtreeEnd[stack[--depth]!] = n;

    if (n !== cap) {
      type = type.slice(0, n);
      flags = flags.slice(0, n);
      field = field.slice(0, n);
      startIndex = startIndex.slice(0, n);
      endIndex = endIndex.slice(0, n);
      startRow = startRow.slice(0, n);
      endRow = endRow.slice(0, n);
      startColumn = startColumn.slice(0, n);
      endColumn = endColumn.slice(0, n);
      parent = parent.slice(0, n);
      subtreeEnd = subtreeEnd.slice(0, n);
    }

    // tree-sitter's descendantForIndex sees hidden nodes we do not store: a
    // zero-width node at the end of a non-empty hidden node is passed over.
    // Ask the live tree about each zero-width node our walk would select.
    if (zeroWidth.length > 0) {
      const shape: Shape = { flags, startIndex, endIndex, subtreeEnd };
      for (const z of zeroWidth) {
        const at = startIndex[z.index]!;
        const ours = descendantFor(shape, parent[z.index]!, at, at, false);
        if (ours < z.index || ours >= subtreeEnd[z.index]!) continue;
        const live = z.parent.descendantForIndex(at, at);
        const reached = live !== null && (live.id === z.node.id || (subtreeEnd[z.index]! > z.index + 1 && isWithin(live, z.node, z.parent)));
        if (!reached) flags[z.index] = flags[z.index]! | FLAG_UNREACHABLE_EMPTY;
      }
    }

    let lines: Uint32Array | null = null;
    if (consistent) {
      // Rows without a node boundary are never read; give them the previous
      // row's start so the table is monotonic (and delta-encodes to zeros).
      lines = lineStart.slice(0, maxRow + 1);
      let prev = 0;
      for (let r = 0; r < lines.length; r++) {
        if (lines[r] === UNKNOWN_LINE) lines[r] = prev;
        else prev = lines[r]!;
      }
    }
    return new CompactTree(
      {
        nodeCount: n,
        typeNames,
        typeSymbols: Uint16Array.from(typeSymbolList),
        fieldNames,
        type,
        flags,
        field,
        startIndex,
        endIndex,
        startRow,
        endRow,
        parent,
        subtreeEnd,
        lineStart: lines,
        startColumn: consistent ? null : startColumn,
        endColumn: consistent ? null : endColumn,
      },
      text,
    );
  }

  // -------------------------------------------------------------------------
  // Text, accounting

  /** Attach the source text the tree was parsed from (enables `node.text`). */
  setText(text: string): void {
    const rootEnd = this.endIndex[0]!;
    if (text.length < rootEnd) {
      throw new Error(`compact CST: text of length ${text.length} is shorter than the tree (root ends at ${rootEnd})`);
    }
    this.sourceText = text;
  }

  /** The attached source text, if any. */
  get text(): string | undefined {
    return this.sourceText;
  }

  /**
   * JS-heap bytes this tree accounts for: its typed arrays, its type and field
   * tables and the object itself. The attached text is not included (the
   * cache entry owns and accounts it).
   */
  get byteLength(): number {
    if (this.bytes === 0) this.bytes = this.measure();
    return this.bytes;
  }

  private measure(): number {
    let bytes = 256; // the object, its array headers, the memo fields
    for (const a of [
      this.type,
      this.flags,
      this.field,
      this.startIndex,
      this.endIndex,
      this.startRow,
      this.endRow,
      this.parent,
      this.subtreeEnd,
      this.lineStart,
      this.startColumn,
      this.endColumn,
      this.typeSymbols,
    ]) {
      if (a) bytes += a.byteLength + 64;
    }
    for (const s of this.typeNames) bytes += 16 + s.length * 2;
    for (const s of this.fieldNames) bytes += 16 + s.length * 2;
    return bytes;
  }

  get rootNode(): CompactNode {
    return new CompactNode(this, 0);
  }

  /** The view of node `index` (pre-order position, 0 = root). */
  node(index: number): CompactNode {
    if (!(index >= 0 && index < this.nodeCount) || index !== Math.floor(index)) {
      throw new RangeError(`compact CST: no node ${index} (tree has ${this.nodeCount})`);
    }
    return new CompactNode(this, index);
  }

  // -------------------------------------------------------------------------
  // Index-level navigation (-1 = none). O(1) unless noted.

  typeName(i: number): string {
    return this.typeNames[this.type[i]!]!;
  }

  isNamedAt(i: number): boolean {
    return (this.flags[i]! & FLAG_NAMED) !== 0;
  }

  startColumnAt(i: number): number {
    const ls = this.lineStart;
    return ls ? this.startIndex[i]! - ls[this.startRow[i]!]! : this.startColumn![i]!;
  }

  endColumnAt(i: number): number {
    const ls = this.lineStart;
    return ls ? this.endIndex[i]! - ls[this.endRow[i]!]! : this.endColumn![i]!;
  }

  firstChildIndex(i: number): number {
    return this.subtreeEnd[i]! > i + 1 ? i + 1 : -1;
  }

  /** The structural next sibling (the node after i's subtree, if it is still inside i's parent). */
  nextSiblingIndex(i: number): number {
    const p = this.parent[i]!;
    if (p < 0) return -1;
    const next = this.subtreeEnd[i]!;
    return next < this.subtreeEnd[p]! ? next : -1;
  }

  /**
   * `Node.nextSibling` / `nextNamedSibling` as tree-sitter computes them
   * (ts_node__next_sibling): by position, so a sibling that ends where i
   * ends (a zero-width node, typically MISSING) is passed over. For the
   * named variant an anonymous sibling with named children is searched too.
   * O(siblings passed over).
   */
  nextSiblingFor(i: number, named: boolean): number {
    const target = this.endIndex[i]!;
    const p = this.parent[i]!;
    if (p < 0) return -1;
    const endIndex = this.endIndex;
    const subtreeEnd = this.subtreeEnd;
    const flags = this.flags;
    let stop = subtreeEnd[p]!;
    let c = subtreeEnd[i]!;
    while (c < stop) {
      if (endIndex[c]! <= target) {
        c = subtreeEnd[c]!;
        continue;
      }
      if (!named || flags[c]! & FLAG_NAMED) return c;
      if (subtreeEnd[c]! > c + 1 && this.namedChildIndex(c, 0) >= 0) {
        stop = subtreeEnd[c]!;
        c = c + 1;
        continue;
      }
      c = subtreeEnd[c]!;
    }
    return -1;
  }

  /** O(min(siblings before, depth of the previous sibling's last descendant)). */
  previousSiblingIndex(j: number): number {
    const parent = this.parent;
    const p = parent[j]!;
    if (p < 0 || j === p + 1) return -1;
    // Walk up from the previous sibling's last descendant and, in lockstep,
    // forward over the siblings; whichever reaches the answer first wins.
    let u = j - 1;
    let f = p + 1;
    const subtreeEnd = this.subtreeEnd;
    for (;;) {
      if (parent[u] === p) return u;
      u = parent[u]!;
      const nf = subtreeEnd[f]!;
      if (nf === j) return f;
      f = nf;
    }
  }

  /**
   * `Node.previousNamedSibling` as tree-sitter computes it: the nearest named
   * node before i among its siblings, searching into an anonymous sibling
   * that has named children (as ts_node__prev_sibling does).
   */
  previousNamedSiblingIndex(i: number): number {
    const flags = this.flags;
    let c = this.previousSiblingIndex(i);
    while (c >= 0) {
      if (flags[c]! & FLAG_NAMED) return c;
      if (this.subtreeEnd[c]! > c + 1 && this.namedChildIndex(c, 0) >= 0) c = this.lastChildIndex(c);
      else c = this.previousSiblingIndex(c);
    }
    return -1;
  }

  /** Same cost as previousSiblingIndex. */
  lastChildIndex(i: number): number {
    const end = this.subtreeEnd[i]!;
    if (end === i + 1) return -1;
    const parent = this.parent;
    const subtreeEnd = this.subtreeEnd;
    let u = end - 1;
    let f = i + 1;
    for (;;) {
      if (parent[u] === i) return u;
      u = parent[u]!;
      const nf = subtreeEnd[f]!;
      if (nf === end) return f;
      f = nf;
    }
  }

  /** O(children); repeated calls on the same node are O(1). */
  childCountAt(i: number): number {
    if (this.memoCountNode === i) return this.memoCount;
    let count = 0;
    const end = this.subtreeEnd[i]!;
    for (let c = i + 1; c < end; c = this.subtreeEnd[c]!) count++;
    this.memoCountNode = i;
    this.memoCount = count;
    return count;
  }

  /** O(children); repeated calls on the same node are O(1). */
  namedChildCountAt(i: number): number {
    if (this.memoNamedCountNode === i) return this.memoNamedCount;
    let count = 0;
    const end = this.subtreeEnd[i]!;
    const flags = this.flags;
    for (let c = i + 1; c < end; c = this.subtreeEnd[c]!) if (flags[c]! & FLAG_NAMED) count++;
    this.memoNamedCountNode = i;
    this.memoNamedCount = count;
    return count;
  }

  /** The k-th child of i. O(k); ascending k on the same node is O(1) amortised. */
  childIndex(i: number, k: number): number {
    if (!(k >= 0)) return -1;
    let c: number;
    let at: number;
    if (this.memoChildParent === i && this.memoChildK <= k && this.memoChildIndex >= 0) {
      c = this.memoChildIndex;
      at = this.memoChildK;
    } else {
      c = i + 1;
      at = 0;
    }
    const end = this.subtreeEnd[i]!;
    if (c >= end) return -1;
    while (at < k) {
      c = this.subtreeEnd[c]!;
      if (c >= end) return -1;
      at++;
    }
    this.memoChildParent = i;
    this.memoChildK = k;
    this.memoChildIndex = c;
    return c;
  }

  /** The k-th named child of i. O(children); ascending k on the same node is O(1) amortised. */
  namedChildIndex(i: number, k: number): number {
    if (!(k >= 0)) return -1;
    const flags = this.flags;
    const end = this.subtreeEnd[i]!;
    let c: number;
    let at: number;
    if (this.memoNamedParent === i && this.memoNamedK <= k && this.memoNamedIndex >= 0) {
      c = this.memoNamedIndex;
      at = this.memoNamedK;
    } else {
      c = i + 1;
      while (c < end && !(flags[c]! & FLAG_NAMED)) c = this.subtreeEnd[c]!;
      at = 0;
    }
    if (c >= end) return -1;
    while (at < k) {
      c = this.subtreeEnd[c]!;
      while (c < end && !(flags[c]! & FLAG_NAMED)) c = this.subtreeEnd[c]!;
      if (c >= end) return -1;
      at++;
    }
    this.memoNamedParent = i;
    this.memoNamedK = k;
    this.memoNamedIndex = c;
    return c;
  }

  /**
   * tree-sitter's ts_node_child_by_field_id over the visible tree: the first
   * child with field f, looking through children that are aliases of hidden
   * rules (whose fields the parent inherits). Iterative. -1 = none.
   */
  childIndexForField(i: number, f: number): number {
    const subtreeEnd = this.subtreeEnd;
    const field = this.field;
    const flags = this.flags;
    // Pending (next child, end) pairs when the search backs out of an alias.
    const resume: number[] = [];
    let c = i + 1;
    let end = subtreeEnd[i]!;
    for (;;) {
      if (c >= end) {
        if (resume.length === 0) return -1;
        end = resume.pop()!;
        c = resume.pop()!;
        continue;
      }
      if (field[c] === f) return c;
      if (flags[c]! & FLAG_FIELDS_INHERITED && subtreeEnd[c]! > c + 1) {
        resume.push(subtreeEnd[c]!, end);
        end = subtreeEnd[c]!;
        c = c + 1;
        continue;
      }
      c = subtreeEnd[c]!;
    }
  }

  /** Local field id for a name (0 = not used in this tree). */
  fieldId(name: string): number {
    let ids = this.fieldIds;
    if (!ids) {
      ids = new Map();
      for (let f = 1; f < this.fieldNames.length; f++) if (!ids.has(this.fieldNames[f]!)) ids.set(this.fieldNames[f]!, f);
      this.fieldIds = ids;
    }
    return ids.get(name) ?? 0;
  }

  /**
   * tree-sitter's ts_node_descendant_for_byte_range over the visible tree:
   * descend into the first child that touches [start, end], and return the
   * deepest such node (named only, if `named`). O(depth x children). -1 = none.
   */
  descendantIndexFor(self: number, start: number, end: number, named: boolean): number {
    return descendantFor(this, self, start, end, named);
  }

  // -------------------------------------------------------------------------
  // Encoding

  /** The binary form (see the layout at the top of this file). Deterministic. */
  encode(): Uint8Array {
    const n = this.nodeCount;
    const typeCount = this.typeNames.length;
    const fieldCount = this.fieldNames.length - 1;
    const wideTypes = typeCount > 256;
    const wideFields = fieldCount > 255;
    const explicit = this.lineStart === null;
    const rowCount = explicit ? 0 : this.lineStart!.length;

    const typeBytes = this.typeNames.map((s) => utf8.encode(s));
    const fieldBytes = this.fieldNames.slice(1).map((s) => utf8.encode(s));
    let tables = 0;
    for (const b of typeBytes) tables += b.length + 7;
    for (const b of fieldBytes) tables += b.length + 5;
    const bound = COMPACT_HEADER_SIZE + tables + SECTION_COUNT * 4 + n * (2 + 1 + 2 + 5 * 5) + (explicit ? n * 10 : rowCount * 5);
    // (per node: type 2 + flags 1 + field 2 + child count, start, length, row, span at most 5 each)
    const w = new Writer(bound);

    for (const m of MAGIC) w.u8(m);
    w.u16(COMPACT_FORMAT_VERSION);
    w.u16((explicit ? H_EXPLICIT_COLUMNS : 0) | (wideTypes ? H_WIDE_TYPES : 0) | (wideFields ? H_WIDE_FIELDS : 0));
    w.u32(n);
    w.u32(typeCount);
    w.u32(fieldCount);
    w.u32(rowCount);
    w.u32(0); // payload length, patched below
    w.u32(0); // checksum, patched below

    for (let t = 0; t < typeCount; t++) {
      w.u16(this.typeSymbols[t]!);
      w.varint(typeBytes[t]!.length);
      w.bytes(typeBytes[t]!);
    }
    for (const b of fieldBytes) {
      w.varint(b.length);
      w.bytes(b);
    }

    const { type, flags, field, startIndex, endIndex, startRow, endRow, parent, subtreeEnd } = this;
    let at = w.beginSection();
    for (let i = 0; i < n; i++) {
      if (wideTypes) w.u16(type[i]!);
      else w.u8(type[i]!);
      w.u8(flags[i]!);
      if (wideFields) w.u16(field[i]!);
      else w.u8(field[i]!);
      let count = 0;
      const end = subtreeEnd[i]!;
      for (let c = i + 1; c < end; c = subtreeEnd[c]!) count++;
      w.varint(count);
    }
    w.endSection(at);

    // Previous sibling of each node, or -1 for a first child: the base of the
    // start and row predictions.
    const prev = previousSiblings(parent, subtreeEnd, n);

    at = w.beginSection();
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      const base = p < 0 ? 0 : prev[i]! >= 0 ? endIndex[prev[i]!]! : startIndex[p]!;
      w.zigzag(startIndex[i]! - base);
    }
    w.endSection(at);

    at = w.beginSection();
    for (let i = 0; i < n; i++) w.varint(endIndex[i]! - startIndex[i]!);
    w.endSection(at);

    at = w.beginSection();
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      const base = p < 0 ? 0 : prev[i]! >= 0 ? endRow[prev[i]!]! : startRow[p]!;
      w.zigzag(startRow[i]! - base);
    }
    w.endSection(at);

    at = w.beginSection();
    for (let i = 0; i < n; i++) w.varint(endRow[i]! - startRow[i]!);
    w.endSection(at);

    at = w.beginSection();
    if (explicit) {
      for (let i = 0; i < n; i++) w.varint(this.startColumn![i]!);
      for (let i = 0; i < n; i++) w.varint(this.endColumn![i]!);
    } else {
      const ls = this.lineStart!;
      let prevLine = 0;
      for (let r = 0; r < rowCount; r++) {
        w.zigzag(ls[r]! - prevLine);
        prevLine = ls[r]!;
      }
    }
    w.endSection(at);

    const out = w.buf.slice(0, w.pos);
    const payloadLength = out.length - COMPACT_HEADER_SIZE;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setUint32(24, payloadLength, true);
    view.setUint32(28, compactChecksum(out), true);
    return out;
  }

  /**
   * Rebuild a tree from `encode()` output. Validates everything (header,
   * checksum, table and section bounds, id ranges, tree shape, index and row
   * ranges) and throws an Error naming the problem; never reads out of bounds.
   */
  static decode(bytes: Uint8Array, text?: string): CompactTree {
    if (!(bytes instanceof Uint8Array)) throw new CompactDecodeError('input is not a Uint8Array');
    if (bytes.length < COMPACT_HEADER_SIZE) throw new CompactDecodeError(`truncated header (${bytes.length} of ${COMPACT_HEADER_SIZE} bytes)`);
    for (let k = 0; k < 4; k++) {
      if (bytes[k] !== MAGIC[k]) throw new CompactDecodeError('wrong magic (not a compact CST)');
    }
    const h = new Reader(bytes, 4, COMPACT_HEADER_SIZE, 'header');
    const version = h.u16();
    if (version !== COMPACT_FORMAT_VERSION) throw new CompactDecodeError(`unsupported format version ${version} (expected ${COMPACT_FORMAT_VERSION})`);
    const hflags = h.u16();
    if (hflags & ~H_ALL) throw new CompactDecodeError(`unknown header flags 0x${hflags.toString(16)}`);
    const n = h.u32();
    const typeCount = h.u32();
    const fieldCount = h.u32();
    const rowCount = h.u32();
    const payloadLength = h.u32();
    const checksum = h.u32();
    if (payloadLength !== bytes.length - COMPACT_HEADER_SIZE) {
      throw new CompactDecodeError(`length mismatch: header says ${payloadLength} payload bytes, input has ${bytes.length - COMPACT_HEADER_SIZE} (truncated or padded)`);
    }
    const actual = compactChecksum(bytes);
    if (actual !== checksum) {
      throw new CompactDecodeError(`checksum mismatch (stored 0x${checksum.toString(16)}, computed 0x${actual.toString(16)}): corrupted data`);
    }
    const explicit = (hflags & H_EXPLICIT_COLUMNS) !== 0;
    const wideTypes = (hflags & H_WIDE_TYPES) !== 0;
    const wideFields = (hflags & H_WIDE_FIELDS) !== 0;
    // Every count is bounded by the payload before anything is allocated.
    if (n < 1) throw new CompactDecodeError('node count is 0 (a tree has a root)');
    if (n > payloadLength) throw new CompactDecodeError(`node count ${n} exceeds the payload (${payloadLength} bytes)`);
    if (typeCount < 1 || typeCount > 65536 || typeCount * 3 > payloadLength) throw new CompactDecodeError(`bad type count ${typeCount}`);
    if (fieldCount > 65535 || fieldCount > payloadLength) throw new CompactDecodeError(`bad field count ${fieldCount}`);
    if (explicit ? rowCount !== 0 : rowCount < 1 || rowCount > payloadLength) throw new CompactDecodeError(`bad row count ${rowCount}`);
    if (wideTypes !== typeCount > 256) throw new CompactDecodeError(`type width flag disagrees with type count ${typeCount}`);
    if (wideFields !== fieldCount > 255) throw new CompactDecodeError(`field width flag disagrees with field count ${fieldCount}`);

    const r = new Reader(bytes, COMPACT_HEADER_SIZE, bytes.length, 'payload');
    const readName = (what: string): string => {
      const len = r.varint();
      r.need(len);
      try {
        return utf8Strict.decode(bytes.subarray(r.pos, (r.pos += len)));
      } catch {
        return r.fail(`${what} name is not valid UTF-8`);
      }
    };
    const typeNames: string[] = new Array(typeCount);
    const typeSymbols = new Uint16Array(typeCount);
    for (let t = 0; t < typeCount; t++) {
      typeSymbols[t] = r.u16();
      typeNames[t] = readName('type');
    }
    const fieldNames: string[] = [''];
    for (let f = 0; f < fieldCount; f++) fieldNames.push(readName('field'));

    const sNodes = r.section('nodes');
    const sStart = r.section('starts');
    const sLength = r.section('lengths');
    const sRow = r.section('rows');
    const sRows = r.section('row spans');
    const sCols = r.section('columns');
    r.done();

    const type = new Uint16Array(n);
    const flags = new Uint8Array(n);
    const field = wideFields ? new Uint16Array(n) : new Uint8Array(n);
    const startIndex = new Uint32Array(n);
    const endIndex = new Uint32Array(n);
    const startRow = new Uint32Array(n);
    const endRow = new Uint32Array(n);
    const parent = new Int32Array(n);
    const subtreeEnd = new Uint32Array(n);

    // Nodes: kind, flags, field, and the shape as child counts in pre-order
    // (-> parent and subtreeEnd, with an explicit stack of (node, children
    // still expected)).
    let stackNode = new Int32Array(64);
    let stackLeft = new Float64Array(64);
    let depth = 0;
    for (let i = 0; i < n; i++) {
      const t = wideTypes ? sNodes.u16() : sNodes.u8();
      if (t >= typeCount) sNodes.fail(`node ${i} has type ${t}, table has ${typeCount}`);
      type[i] = t;
      const fl = sNodes.u8();
      if (fl & ~FLAG_ALL) sNodes.fail(`node ${i} has unknown flag bits 0x${fl.toString(16)}`);
      flags[i] = fl;
      const f = wideFields ? sNodes.u16() : sNodes.u8();
      if (f > fieldCount) sNodes.fail(`node ${i} has field ${f}, table has ${fieldCount}`);
      field[i] = f;
      const count = sNodes.varint();
      if (i === 0) parent[0] = -1;
      else {
        if (depth === 0) sNodes.fail(`node ${i} has no parent (child counts describe fewer than ${n} nodes)`);
        const top = depth - 1;
        parent[i] = stackNode[top]!;
        stackLeft[top] = stackLeft[top]! - 1;
      }
      if (count > n - 1 - i) sNodes.fail(`node ${i} claims ${count} children, only ${n - 1 - i} nodes follow`);
      if (count > 0) {
        if (depth === stackNode.length) {
          const a = new Int32Array(depth * 2);
          a.set(stackNode);
          stackNode = a;
          const b = new Float64Array(depth * 2);
          b.set(stackLeft);
          stackLeft = b;
        }
        stackNode[depth] = i;
        stackLeft[depth] = count;
        depth++;
      } else {
        subtreeEnd[i] = i + 1;
      }
      while (depth > 0 && stackLeft[depth - 1] === 0) subtreeEnd[stackNode[--depth]!] = i + 1;
      if (i === 0 && depth === 0 && n > 1) sNodes.fail(`root has no children but ${n - 1} more nodes follow`);
    }
    if (depth !== 0) sNodes.fail(`child counts expect more than ${n} nodes`);
    sNodes.done();

    const prev = previousSiblings(parent, subtreeEnd, n);
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      const base = p < 0 ? 0 : prev[i]! >= 0 ? endIndex[prev[i]!]! : startIndex[p]!;
      const s = base + sStart.zigzag();
      if (s < 0 || s > U32_MAX) sStart.fail(`node ${i} starts at ${s}`);
      startIndex[i] = s;
      // Lengths are decoded in the same pass (ends are needed by later starts).
      const len = sLength.varint();
      if (s + len > U32_MAX) sLength.fail(`node ${i} has length ${len}`);
      endIndex[i] = s + len;
    }
    sStart.done();
    sLength.done();

    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      const base = p < 0 ? 0 : prev[i]! >= 0 ? endRow[prev[i]!]! : startRow[p]!;
      const sr = base + sRow.zigzag();
      if (sr < 0 || sr > U32_MAX) sRow.fail(`node ${i} starts at row ${sr}`);
      const er = sr + sRows.varint();
      if (er > U32_MAX) sRows.fail(`node ${i} ends at row ${er}`);
      if (!explicit && er >= rowCount) sRows.fail(`node ${i} ends at row ${er}, line table has ${rowCount} rows`);
      startRow[i] = sr;
      endRow[i] = er;
    }
    sRow.done();
    sRows.done();

    let lineStart: Uint32Array | null = null;
    let startColumn: Uint32Array | null = null;
    let endColumn: Uint32Array | null = null;
    if (explicit) {
      startColumn = new Uint32Array(n);
      endColumn = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const c = sCols.varint();
        if (c > U32_MAX) sCols.fail(`node ${i} start column ${c}`);
        startColumn[i] = c;
      }
      for (let i = 0; i < n; i++) {
        const c = sCols.varint();
        if (c > U32_MAX) sCols.fail(`node ${i} end column ${c}`);
        endColumn[i] = c;
      }
    } else {
      lineStart = new Uint32Array(rowCount);
      let line = 0;
      for (let row = 0; row < rowCount; row++) {
        line += sCols.zigzag();
        if (line < 0 || line > U32_MAX) sCols.fail(`row ${row} starts at ${line}`);
        lineStart[row] = line;
      }
      for (let i = 0; i < n; i++) {
        if (startIndex[i]! < lineStart[startRow[i]!]! || endIndex[i]! < lineStart[endRow[i]!]!) {
          sCols.fail(`node ${i} lies before the start of its row`);
        }
      }
    }
    sCols.done();

    return new CompactTree(
      {
        nodeCount: n,
        typeNames,
        typeSymbols,
        fieldNames,
        type,
        flags,
        field,
        startIndex,
        endIndex,
        startRow,
        endRow,
        parent,
        subtreeEnd,
        lineStart,
        startColumn,
        endColumn,
      },
      text,
    );
  }
}

// ---------------------------------------------------------------------------
// CompactNode

/**
 * A read-only view of one node of a CompactTree: the tree and a pre-order
 * index. Creating one is as cheap as creating any small object; two views of
 * the same node are `equals` (and share `id`) but are not `===`.
 */
export class CompactNode implements SyntaxNode {
  constructor(
    readonly tree: CompactTree,
    /** Pre-order position in the tree (0 = root). */
    readonly index: number,
  ) {}

  private at(i: number): CompactNode | null {
    return i < 0 ? null : new CompactNode(this.tree, i);
  }

  get id(): number {
    return this.index;
  }
  /** The grammar symbol (as web-tree-sitter's `Node.typeId`). */
  get typeId(): number {
    return this.tree.typeSymbols[this.tree.type[this.index]!]!;
  }
  get type(): string {
    return this.tree.typeNames[this.tree.type[this.index]!]!;
  }
  get isNamed(): boolean {
    return (this.tree.flags[this.index]! & FLAG_NAMED) !== 0;
  }
  get isMissing(): boolean {
    return (this.tree.flags[this.index]! & FLAG_MISSING) !== 0;
  }
  get isError(): boolean {
    return (this.tree.flags[this.index]! & FLAG_ERROR) !== 0;
  }
  get isExtra(): boolean {
    return (this.tree.flags[this.index]! & FLAG_EXTRA) !== 0;
  }
  get hasError(): boolean {
    return (this.tree.flags[this.index]! & FLAG_HAS_ERROR) !== 0;
  }
  get startIndex(): number {
    return this.tree.startIndex[this.index]!;
  }
  get endIndex(): number {
    return this.tree.endIndex[this.index]!;
  }
  get startPosition(): Point {
    return { row: this.tree.startRow[this.index]!, column: this.tree.startColumnAt(this.index) };
  }
  get endPosition(): Point {
    return { row: this.tree.endRow[this.index]!, column: this.tree.endColumnAt(this.index) };
  }
  /** The node's source text; throws when the tree was given no text. */
  get text(): string {
    const text = this.tree.text;
    if (text === undefined) throw new Error('compact CST: no source text attached (CompactTree.setText)');
    return text.slice(this.tree.startIndex[this.index]!, this.tree.endIndex[this.index]!);
  }
  /** The name of the field under which this node sits in its parent, or null. */
  get fieldName(): string | null {
    const f = this.tree.field[this.index]!;
    return f === 0 ? null : this.tree.fieldNames[f]!;
  }

  get parent(): CompactNode | null {
    return this.at(this.tree.parent[this.index]!);
  }
  get childCount(): number {
    return this.tree.childCountAt(this.index);
  }
  get namedChildCount(): number {
    return this.tree.namedChildCountAt(this.index);
  }
  get children(): CompactNode[] {
    const t = this.tree;
    const end = t.subtreeEnd[this.index]!;
    const out: CompactNode[] = [];
    for (let c = this.index + 1; c < end; c = t.subtreeEnd[c]!) out.push(new CompactNode(t, c));
    return out;
  }
  get namedChildren(): CompactNode[] {
    const t = this.tree;
    const end = t.subtreeEnd[this.index]!;
    const out: CompactNode[] = [];
    for (let c = this.index + 1; c < end; c = t.subtreeEnd[c]!) if (t.flags[c]! & FLAG_NAMED) out.push(new CompactNode(t, c));
    return out;
  }
  get firstChild(): CompactNode | null {
    return this.at(this.tree.firstChildIndex(this.index));
  }
  get lastChild(): CompactNode | null {
    return this.at(this.tree.lastChildIndex(this.index));
  }
  get firstNamedChild(): CompactNode | null {
    return this.at(this.tree.namedChildIndex(this.index, 0));
  }
  get lastNamedChild(): CompactNode | null {
    const t = this.tree;
    let c = t.lastChildIndex(this.index);
    while (c >= 0 && !(t.flags[c]! & FLAG_NAMED)) c = t.previousSiblingIndex(c);
    return this.at(c);
  }
  get nextSibling(): CompactNode | null {
    return this.at(this.tree.nextSiblingFor(this.index, false));
  }
  get previousSibling(): CompactNode | null {
    return this.at(this.tree.previousSiblingIndex(this.index));
  }
  get nextNamedSibling(): CompactNode | null {
    return this.at(this.tree.nextSiblingFor(this.index, true));
  }
  get previousNamedSibling(): CompactNode | null {
    return this.at(this.tree.previousNamedSiblingIndex(this.index));
  }
  child(index: number): CompactNode | null {
    return this.at(this.tree.childIndex(this.index, Math.trunc(index)));
  }
  namedChild(index: number): CompactNode | null {
    return this.at(this.tree.namedChildIndex(this.index, Math.trunc(index)));
  }
  /**
   * The first child under field `fieldName`. Like tree-sitter, an ERROR node
   * answers null (its children may still carry fields from the rules that
   * failed: childrenForFieldName and fieldNameForChild report those).
   */
  childForFieldName(fieldName: string): CompactNode | null {
    const t = this.tree;
    const f = t.fieldId(fieldName);
    if (f === 0 || t.flags[this.index]! & FLAG_ERROR) return null;
    return this.at(t.childIndexForField(this.index, f));
  }
  childrenForFieldName(fieldName: string): CompactNode[] {
    const t = this.tree;
    const f = t.fieldId(fieldName);
    if (f === 0) return [];
    const out: CompactNode[] = [];
    const end = t.subtreeEnd[this.index]!;
    for (let c = this.index + 1; c < end; c = t.subtreeEnd[c]!) if (t.field[c] === f) out.push(new CompactNode(t, c));
    return out;
  }
  fieldNameForChild(index: number): string | null {
    const c = this.tree.childIndex(this.index, Math.trunc(index));
    if (c < 0) return null;
    const f = this.tree.field[c]!;
    return f === 0 ? null : this.tree.fieldNames[f]!;
  }
  descendantForIndex(start: number, end: number = start): CompactNode | null {
    if (typeof start !== 'number' || typeof end !== 'number') throw new Error('Arguments must be numbers');
    return this.at(this.tree.descendantIndexFor(this.index, start >>> 0, end >>> 0, false));
  }
  namedDescendantForIndex(start: number, end: number = start): CompactNode | null {
    if (typeof start !== 'number' || typeof end !== 'number') throw new Error('Arguments must be numbers');
    return this.at(this.tree.descendantIndexFor(this.index, start >>> 0, end >>> 0, true));
  }
  /**
   * This node and its descendants whose type is one of `types`, in pre-order,
   * with web-tree-sitter's range semantics: subtrees ending at or before
   * `startPosition` are skipped, and the walk stops at the first node starting
   * at or after `endPosition` ((0, 0) = no end). Unlike web-tree-sitter
   * 0.27.1, a list mixing 'ERROR' with other types matches all of them.
   */
  descendantsOfType(types: string | string[], startPosition: Point = { row: 0, column: 0 }, endPosition: Point = { row: 0, column: 0 }): CompactNode[] {
    const t = this.tree;
    const wanted = typeof types === 'string' ? [types] : types;
    const match = new Uint8Array(t.typeNames.length);
    let any = false;
    for (let k = 0; k < t.typeNames.length; k++) {
      if (wanted.includes(t.typeNames[k]!)) {
        match[k] = 1;
        any = true;
      }
    }
    const out: CompactNode[] = [];
    if (!any) return out;
    const sRow = startPosition.row;
    const sCol = startPosition.column;
    let eRow = endPosition.row;
    let eCol = endPosition.column;
    if (eRow === 0 && eCol === 0) eRow = eCol = Infinity;
    const stop = t.subtreeEnd[this.index]!;
    const type = t.type;
    for (let i = this.index; i < stop; ) {
      // Skip subtrees that end at or before the start of the range.
      const er = t.endRow[i]!;
      if (er < sRow || (er === sRow && t.endColumnAt(i) <= sCol)) {
        i = t.subtreeEnd[i]!;
        continue;
      }
      const sr = t.startRow[i]!;
      if (eRow < sr || (eRow === sr && eCol <= t.startColumnAt(i))) break;
      if (match[type[i]!]) out.push(new CompactNode(t, i));
      i++;
    }
    return out;
  }
  equals(other: SyntaxNode): boolean {
    return other instanceof CompactNode && other.tree === this.tree && other.index === this.index;
  }
  toString(): string {
    return `CompactNode(${this.type} ${this.startIndex}-${this.endIndex})`;
  }
}
