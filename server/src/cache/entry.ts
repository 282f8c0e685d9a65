// A cache entry's syntax data below the hot tier: the compact CST plus the
// derived index (what read-only features need), and its serialized,
// compressed form used by the cold tier and the on-disk store.
//
// Payload layout (before compression), little-endian:
//   u32 magic "CSTE" | u16 ENTRY_FORMAT_VERSION | u16 reserved
//   u32 length of the JSON header | JSON header { language, key, index }
//     (index.symbols packed: features/symbolPack.ts)
//   compact CST bytes (CompactTree.encode) to the end
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, DocumentSymbol } from 'vscode-languageserver';
import { CompactTree, COMPACT_FORMAT_VERSION } from './compact.js';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { syntaxDiagnostics } from '../features/diagnostics.js';
import { documentSymbols } from '../features/symbols.js';
import { foldIndex, type FoldIndex } from '../features/folding.js';
import { highlightIndex, type HighlightIndex } from '../features/highlights.js';
import { countsView, type CompletionIndex } from '../features/completionIndex.js';
import { buildCompletionIndex, ChunkCache, DEFERRED, type StaleFacts } from '../features/completionBuild.js';
import { buildWorkspaceCompletion } from '../features/completionFacts.js';
import { packSymbols, unpackSymbols, validPacked, type PackedSymbols } from '../features/symbolPack.js';

export const ENTRY_FORMAT_VERSION = 3;
const MAGIC = 0x45545343; // "CSTE"
/** Diagnostics kept in the index (publishing cuts to the configured maximum). */
export const INDEX_MAX_DIAGNOSTICS = 1000;

/** What read-only features are served from below the hot tier. Pure function of tree + text. */
export interface DerivedIndex {
  symbols: DocumentSymbol[];
  diagnostics: Diagnostic[];
  /** Folding ranges from folds.scm (features/folding.ts: 5 numbers per range). */
  folds: FoldIndex;
  /** documentHighlight occurrences grouped by binding, from locals.scm (features/highlights.ts: 3 numbers per occurrence). */
  highlights: HighlightIndex;
  /** Completion facts (features/completionIndex.ts); absent for languages without a completion entry. */
  completion?: CompletionIndex;
}

/**
 * Warm-tier data: the derived index, and the compact CST decoded lazily (a
 * restored entry keeps its encoded bytes until a feature walks the tree:
 * documentSymbol and diagnostics need only the index).
 */
export class WarmData {
  private decoded: CompactTree | undefined;
  private encoded: Uint8Array | undefined;

  constructor(
    readonly index: DerivedIndex,
    compact: CompactTree | Uint8Array,
    /** Accounted bytes of the index (an estimate: see indexBytes). */
    readonly indexBytes: number,
    /** Node count of the tree (known without decoding it). */
    readonly nodeCount: number,
  ) {
    if (compact instanceof CompactTree) this.decoded = compact;
    else this.encoded = compact;
  }

  get compact(): CompactTree {
    if (!this.decoded) {
      this.decoded = CompactTree.decode(this.encoded!);
      this.encoded = undefined;
    }
    return this.decoded;
  }

  /** The encoded CST (without decoding it when it was never decoded). */
  encodedCompact(): Uint8Array {
    return this.encoded ?? this.decoded!.encode();
  }

  /** Accounted JS-heap bytes of compact CST (encoded or decoded) + index; the text is the document's. */
  get bytes(): number {
    return (this.decoded ? this.decoded.byteLength : this.encoded!.byteLength) + this.indexBytes;
  }
}

/**
 * Content key: grammar identity (package@version/file), every format version
 * that shapes the payload, and the text. Same key = same syntax data, in any
 * process, on any machine.
 */
export function contentKey(grammarIdentity: string, text: string, kind: EntryKind = 'full'): string {
  return createHash('sha256')
    .update(`${grammarIdentity}\0entry=${ENTRY_FORMAT_VERSION}\0compact=${COMPACT_FORMAT_VERSION}\0kind=${kind}\0`)
    .update(text)
    .digest('hex');
}

/**
 * `full` entries hold the compact CST and the derived index (documents that
 * were open: a restart serves them without a parse); `index` entries hold the
 * derived index only (background workspace indexing: building a compact CST
 * costs more than the parse, and workspace symbols need only the index).
 */
export type EntryKind = 'full' | 'index';

type IndexPart = keyof DerivedIndex;
type PartBuilder = (tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, memo?: IndexMemo) => DerivedIndex[IndexPart];

/**
 * What an open document keeps from one version's index build to the next
 * (the hot tier only): completion facts per chunk, so a keystroke recomputes
 * only the chunks it changed (features/completionBuild.ts).
 */
export class IndexMemo {
  readonly completion = new ChunkCache();
  /** Estimated heap bytes. */
  get bytes(): number {
    return this.completion.bytes;
  }
}

/** How each part of the derived index is computed from a live tree. */
const PARTS: Record<IndexPart, PartBuilder> = {
  symbols: (t, g, d, r) => documentSymbols(t, g, d, r),
  diagnostics: (t, _g, d) => syntaxDiagnostics(t, d, INDEX_MAX_DIAGNOSTICS),
  folds: (t, g, d, r) => foldIndex(t, g, d, r),
  highlights: (t, g, d, r) => highlightIndex(t, g, d, r),
  completion: (t, g, d, r, memo) => buildCompletionIndex(t, g, d, r, memo?.completion),
};

/**
 * The index of an `index` entry (background workspace indexing): what
 * workspace symbols and workspace completion read, nothing else (no
 * diagnostics, folds, highlights; completion counts without scopes).
 */
export function buildWorkspaceIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry): DerivedIndex {
  return { symbols: documentSymbols(tree, grammar, doc, registry), completion: buildWorkspaceCompletion(tree, grammar, doc, registry) } as DerivedIndex;
}

/** Thrown between the stages of a build whose `stop` said so (a worker task given up: workspace/workers.ts). */
export class BuildStopped extends Error {
  constructor() {
    super('build stopped');
  }
}

/** `stop`: checked before each part; true throws BuildStopped. */
export function buildIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, parts: readonly IndexPart[] = Object.keys(PARTS) as IndexPart[], stop?: () => boolean): DerivedIndex {
  const out = {} as Record<IndexPart, unknown>;
  for (const part of parts) {
    if (stop?.()) throw new BuildStopped();
    out[part] = PARTS[part](tree, grammar, doc, registry);
  }
  return out as unknown as DerivedIndex;
}

/**
 * The derived index of a hot document, each part computed on first use (a
 * keystroke followed by a completion request must not pay for symbols, folds
 * and highlights). `alive` guards against use after the tree was deleted;
 * `bytes` grows as parts are computed.
 */
export interface LazyIndex {
  index: DerivedIndex;
  bytes(): number;
}

export function lazyIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, alive: () => boolean, memo?: IndexMemo): LazyIndex {
  const done = new Map<IndexPart, unknown>();
  let bytes = 0;
  const index = {} as Record<IndexPart, unknown>;
  // Completion for a keystroke: the facts of this tree when they cost at most `budget` new nodes,
  // else the last build's (stale) and the build left for later (features/completionBuild.ts).
  const budgeted = (budget: number): KeystrokeCompletion => {
    if (done.has('completion') || !memo) return { index: (index as unknown as DerivedIndex).completion };
    if (!alive()) throw new Error('derived index part completion requested after its tree was deleted');
    const built = buildCompletionIndex(tree, grammar, doc, registry, memo.completion, budget);
    if (built !== DEFERRED) {
      done.set('completion', built);
      bytes += partBytes('completion', built);
      return { index: built };
    }
    const stale = memo.completion.stale();
    return stale ? { index: stale.index, stale } : { index: (index as unknown as DerivedIndex).completion };
  };
  Object.defineProperty(index, BUDGETED, { value: budgeted, enumerable: false });
  for (const part of Object.keys(PARTS) as IndexPart[]) {
    Object.defineProperty(index, part, {
      enumerable: true,
      get: () => {
        if (!done.has(part)) {
          if (!alive()) throw new Error(`derived index part ${part} requested after its tree was deleted`);
          const value = PARTS[part](tree, grammar, doc, registry, memo);
          done.set(part, value);
          bytes += partBytes(part, value);
        }
        return done.get(part);
      },
    });
  }
  return { index: index as unknown as DerivedIndex, bytes: () => bytes };
}

const BUDGETED = Symbol('budgeted completion');

/** The completion facts a keystroke reads: the current ones, or an older build's while the current build is deferred. */
export interface KeystrokeCompletion {
  index: CompletionIndex | undefined;
  stale?: StaleFacts;
}

/**
 * Completion facts for a keystroke: a hot document's are built only when that
 * costs at most `budget` new nodes; past it, the last build's facts with their
 * offset mapping (`stale`), and ChunkCache.deferred is set so the server builds
 * when quiet. Any other index (warm, decoded): its facts as they are.
 */
export function keystrokeCompletion(index: DerivedIndex, budget: number): KeystrokeCompletion {
  const budgeted = (index as DerivedIndex & { [BUDGETED]?: (budget: number) => KeystrokeCompletion })[BUDGETED];
  return budgeted ? budgeted(budget) : { index: index.completion };
}

/** A plain object with every part computed (a lazy index must be materialized while its tree lives). */
export function materializeIndex(index: DerivedIndex): DerivedIndex {
  const out = {} as Record<IndexPart, unknown>;
  for (const part of Object.keys(PARTS) as IndexPart[]) out[part] = index[part];
  return out as unknown as DerivedIndex;
}

/** JS-heap estimate of one part (the completion part without serializing it: it is rebuilt per keystroke). */
function partBytes(part: IndexPart, value: unknown): number {
  if (part === 'completion') return value ? completionBytes(value as CompletionIndex) : 0;
  return (JSON.stringify(value)?.length ?? 0) * 4;
}

/**
 * Like indexBytes (JSON size x 4), estimated from the array lengths, without
 * touching the member tables (built only when read: features/completionBuild.ts);
 * they are about the size of the identifier list, counted twice for them.
 */
function completionBytes(ci: CompletionIndex): number {
  let chars = 0;
  for (const w of countsView(ci).words().keys()) chars += 2 * (w.length + 8);
  for (const n of ci.defNames) chars += n.length + 24;
  chars += (ci.scopes.length + ci.skip.length) * 6;
  return chars * 4;
}

/** JS-heap estimate of an index: its JSON size in UTF-16 code units x 2 bytes, x 2 for object overhead. */
export function indexBytes(index: DerivedIndex): number {
  return JSON.stringify(index).length * 4;
}

export function warmFromTree(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, index?: DerivedIndex, stop?: () => boolean): WarmData {
  // With the flat text the build reads leaf texts from it instead of the tree (faster, same result).
  const compact = CompactTree.fromTree(tree, doc.getText());
  const idx = index ? materializeIndex(index) : buildIndex(tree, grammar, doc, registry, undefined, stop);
  return new WarmData(idx, compact, indexBytes(idx), compact.nodeCount);
}

/** `packed`: the index's symbols already packed (a worker packs them once, for the payload and its reply). */
export function encodeEntry(language: string, key: string, warm: WarmData | { compact: null; index: DerivedIndex }, packed?: PackedSymbols): Buffer {
  const nodeCount = warm instanceof WarmData ? warm.nodeCount : 0;
  const index = { ...warm.index, symbols: packed ?? packSymbols(warm.index.symbols) };
  const header = Buffer.from(JSON.stringify({ language, key, nodeCount, index }), 'utf8');
  const compact = warm instanceof WarmData ? warm.encodedCompact() : new Uint8Array(0);
  const head = Buffer.alloc(12);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt16LE(ENTRY_FORMAT_VERSION, 4);
  head.writeUInt32LE(header.length, 8);
  return Buffer.concat([head, header, Buffer.from(compact.buffer, compact.byteOffset, compact.byteLength)]);
}

export class EntryFormatError extends Error {}

export function decodeEntry(buf: Buffer, expectedKey?: string): { language: string; key: string; warm: WarmData } {
  const header = decodeIndex(buf, expectedKey);
  if (!Array.isArray(header.index.diagnostics)) throw new EntryFormatError('entry index is malformed');
  const headerLength = buf.readUInt32LE(8);
  if (buf.length === 12 + headerLength) throw new EntryFormatError('an index entry has no CST');
  const compact = new Uint8Array(buf.buffer, buf.byteOffset + 12 + headerLength, buf.length - 12 - headerLength);
  // The index's JSON size stands in for its heap size (x2 UTF-16, x2 object overhead), as indexBytes does.
  return { language: header.language, key: header.key, warm: new WarmData(header.index, compact, headerLength * 4, header.nodeCount ?? 0) };
}

/** The derived index of an encoded entry as stored: symbols packed (what the workspace index reads). */
export interface StoredIndex extends Omit<DerivedIndex, 'symbols'> {
  symbols: PackedSymbols;
}

/** Only the derived index of an encoded entry, symbols still packed (workspace indexing: no CST, no symbol tree). */
export function decodeStoredIndex(buf: Buffer, expectedKey?: string): { language: string; key: string; nodeCount?: number; index: StoredIndex } {
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC) throw new EntryFormatError('not a cache entry (bad magic)');
  const version = buf.readUInt16LE(4);
  if (version !== ENTRY_FORMAT_VERSION) throw new EntryFormatError(`entry format ${version}, expected ${ENTRY_FORMAT_VERSION}`);
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw new EntryFormatError('truncated entry header');
  let header: { language: string; key: string; nodeCount?: number; index: StoredIndex };
  try {
    header = JSON.parse(buf.subarray(12, 12 + headerLength).toString('utf8')) as typeof header;
  } catch {
    throw new EntryFormatError('corrupt entry header');
  }
  if (expectedKey !== undefined && header.key !== expectedKey) throw new EntryFormatError('entry key does not match');
  if (!header.index || !validPacked(header.index.symbols)) throw new EntryFormatError('entry index is malformed');
  return header;
}

/** The derived index of an encoded entry, symbols as the LSP tree (a restored document's). */
export function decodeIndex(buf: Buffer, expectedKey?: string): { language: string; key: string; nodeCount?: number; index: DerivedIndex } {
  const header = decodeStoredIndex(buf, expectedKey);
  return { ...header, index: { ...header.index, symbols: unpackSymbols(header.index.symbols) } };
}

/** Cold-tier and disk compression: raw deflate at a fast level (demotion is on the request path). */
export function compress(buf: Buffer): Buffer {
  return deflateRawSync(buf, { level: 3, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
}

export function decompress(buf: Buffer): Buffer {
  return inflateRawSync(buf);
}
