// The workspace symbol index: every indexed file's symbols, flattened, for
// workspace/symbol. Kept in memory (it is what a search scans); the syntax
// data of the files themselves lives in the frozen tier.
import { SymbolKind, type DocumentSymbol, type Range, type WorkspaceSymbol } from 'vscode-languageserver';
import { fuzzyMatch, type Match } from '../features/fuzzy.js';

interface Entry {
  name: string;
  kind: SymbolKind;
  container: string | undefined;
  uri: string;
  range: Range;
  /** Folder depth of the file (shallower files rank first). */
  depth: number;
}

/** Kinds that name things people search for rank above locals and fields. */
function kindRank(kind: SymbolKind): number {
  switch (kind) {
    case SymbolKind.Class:
    case SymbolKind.Interface:
    case SymbolKind.Struct:
    case SymbolKind.Enum:
    case SymbolKind.Module:
    case SymbolKind.Namespace:
    case SymbolKind.TypeParameter:
      return 0;
    case SymbolKind.Function:
    case SymbolKind.Method:
    case SymbolKind.Constructor:
      return 1;
    case SymbolKind.Constant:
    case SymbolKind.Variable:
      return 2;
    default:
      return 3;
  }
}

export class WorkspaceIndex {
  private readonly files = new Map<string, Entry[]>();
  private symbols = 0;
  private nameChars = 0;

  get fileCount(): number {
    return this.files.size;
  }

  get symbolCount(): number {
    return this.symbols;
  }

  /** Rough JS-heap bytes of the index (names + entry objects). */
  get bytes(): number {
    return this.nameChars * 2 + this.symbols * 160;
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  set(uri: string, symbols: readonly DocumentSymbol[]): void {
    this.delete(uri);
    const depth = uri.split('/').length;
    const out: Entry[] = [];
    const stack: { s: DocumentSymbol; container: string | undefined }[] = symbols.map((s) => ({ s, container: undefined }));
    while (stack.length) {
      const { s, container } = stack.pop()!;
      out.push({ name: s.name, kind: s.kind, container, uri, range: s.selectionRange, depth });
      this.nameChars += s.name.length;
      for (const c of s.children ?? []) stack.push({ s: c, container: s.name });
    }
    this.symbols += out.length;
    this.files.set(uri, out);
  }

  delete(uri: string): void {
    const old = this.files.get(uri);
    if (!old) return;
    this.symbols -= old.length;
    for (const e of old) this.nameChars -= e.name.length;
    this.files.delete(uri);
  }

  clear(): void {
    this.files.clear();
    this.symbols = 0;
    this.nameChars = 0;
  }

  /** Ranked: exact > prefix > word-start > subsequence; then kind, path depth, name length, name. */
  search(query: string, limit: number, isCancelled: () => boolean = () => false): WorkspaceSymbol[] {
    const q = query.trim();
    const found: { e: Entry; m: Match }[] = [];
    const first = q.length ? q.charCodeAt(0) : 0;
    const firstLower = first >= 65 && first <= 90 ? first + 32 : first;
    const firstUpper = first >= 97 && first <= 122 ? first - 32 : first;
    let scanned = 0;
    for (const entries of this.files.values()) {
      if ((scanned += entries.length) > 20_000) {
        scanned = 0;
        if (isCancelled()) return [];
      }
      for (const e of entries) {
        // Cheap filter: the first query char must occur in the name.
        if (q.length && e.name.indexOf(String.fromCharCode(firstLower)) < 0 && (firstUpper === firstLower || e.name.indexOf(String.fromCharCode(firstUpper)) < 0)) continue;
        const m = fuzzyMatch(q, e.name);
        if (m) found.push({ e, m });
      }
    }
    found.sort(
      (a, b) =>
        a.m.kind - b.m.kind ||
        kindRank(a.e.kind) - kindRank(b.e.kind) ||
        a.m.score - b.m.score ||
        a.e.depth - b.e.depth ||
        (a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : 0) ||
        (a.e.uri < b.e.uri ? -1 : a.e.uri > b.e.uri ? 1 : 0),
    );
    return found.slice(0, limit).map(({ e }) => ({
      name: e.name,
      kind: e.kind,
      location: { uri: e.uri, range: e.range },
      ...(e.container ? { containerName: e.container } : {}),
    }));
  }
}
