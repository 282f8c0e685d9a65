// Document symbols as flat arrays: how the derived index stores them on disk
// and how a worker hands them to the main thread. A DocumentSymbol tree costs
// about 230 bytes of JSON and six objects per symbol ({range: {start, end},
// selectionRange: ...}); packed, about 50 bytes and no object. A warm restart
// decodes every indexed file's symbols, and the workspace index wants them
// flat anyway (workspace/index.ts), so it reads the packed form directly; the
// LSP tree is built only for documentSymbol (unpackSymbols).
import type { DocumentSymbol, SymbolKind } from 'vscode-languageserver';

/** Symbols in pre-order (a parent before its children, siblings in document order). */
export interface PackedSymbols {
  names: string[];
  kinds: number[];
  /** Position of the parent in these arrays; -1 at top level. Always less than the symbol's own. */
  parents: number[];
  /** '' when the symbol has no detail. */
  details: string[];
  /** 8 numbers per symbol: range start line, character, end line, character; selectionRange the same. */
  ranges: number[];
}

export function packSymbols(roots: readonly DocumentSymbol[]): PackedSymbols {
  const out: PackedSymbols = { names: [], kinds: [], parents: [], details: [], ranges: [] };
  const work: { s: DocumentSymbol; parent: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) work.push({ s: roots[i]!, parent: -1 });
  while (work.length) {
    const { s, parent } = work.pop()!;
    const at = out.names.length;
    out.names.push(s.name);
    out.kinds.push(s.kind);
    out.parents.push(parent);
    out.details.push(s.detail ?? '');
    const r = s.range;
    const sel = s.selectionRange;
    out.ranges.push(r.start.line, r.start.character, r.end.line, r.end.character, sel.start.line, sel.start.character, sel.end.line, sel.end.character);
    const children = s.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) work.push({ s: children[i]!, parent: at });
  }
  return out;
}

export function unpackSymbols(p: PackedSymbols): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const built: DocumentSymbol[] = [];
  const r = p.ranges;
  for (let i = 0; i < p.names.length; i++) {
    const o = i * 8;
    const symbol: DocumentSymbol = {
      name: p.names[i]!,
      kind: p.kinds[i] as SymbolKind,
      range: { start: { line: r[o]!, character: r[o + 1]! }, end: { line: r[o + 2]!, character: r[o + 3]! } },
      selectionRange: { start: { line: r[o + 4]!, character: r[o + 5]! }, end: { line: r[o + 6]!, character: r[o + 7]! } },
      children: [],
    };
    if (p.details[i]) symbol.detail = p.details[i];
    built.push(symbol);
    const parent = p.parents[i]!;
    if (parent >= 0) built[parent]!.children!.push(symbol);
    else roots.push(symbol);
  }
  return roots;
}

export function isPacked(symbols: readonly DocumentSymbol[] | PackedSymbols): symbols is PackedSymbols {
  return !Array.isArray(symbols);
}

/** Whether a decoded value is a well-formed PackedSymbols (a stored entry is untrusted input). */
export function validPacked(p: unknown): p is PackedSymbols {
  if (!p || typeof p !== 'object') return false;
  const { names, kinds, parents, details, ranges } = p as Partial<PackedSymbols>;
  if (!Array.isArray(names) || !Array.isArray(kinds) || !Array.isArray(parents) || !Array.isArray(details) || !Array.isArray(ranges)) return false;
  const n = names.length;
  if (kinds.length !== n || parents.length !== n || details.length !== n || ranges.length !== n * 8) return false;
  for (let i = 0; i < n; i++) {
    const parent = parents[i];
    if (typeof names[i] !== 'string' || typeof details[i] !== 'string' || typeof kinds[i] !== 'number' || typeof parent !== 'number' || parent >= i || parent < -1) return false;
  }
  for (const x of ranges) if (typeof x !== 'number' || x < 0) return false;
  return true;
}
