// textDocument/documentSymbol from grammars/<language>/symbols.scm.
// (Filled in by the symbols issue; the contract is fixed here.)
import type { Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentSymbol, SymbolInformation } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';

export function documentSymbols(_tree: Tree, _grammar: LoadedGrammar, _doc: TextDocument, _registry: GrammarRegistry): DocumentSymbol[] {
  return [];
}

/** Flatten for clients without hierarchicalDocumentSymbolSupport (containerName carries the parent). */
export function toSymbolInformation(symbols: DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of symbols) {
    out.push({ name: s.name, kind: s.kind, location: { uri, range: s.range }, ...(container ? { containerName: container } : {}) });
    if (s.children?.length) out.push(...toSymbolInformation(s.children, uri, s.name));
  }
  return out;
}
