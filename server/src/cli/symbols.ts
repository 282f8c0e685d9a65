// cst-cli symbols FILE...: the outline the server gives an editor
// (textDocument/documentSymbol), as an indented tree or JSON.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { GrammarRegistry } from '../syntax/grammars.js';
import { ParserPool } from '../syntax/parser.js';
import { documentSymbols } from '../features/symbols.js';
import { parseArgs, flagString, UsageError } from './args.js';
import { parseSource, positiveNumber } from './source.js';

export const usage = `cst-cli symbols [--language ID] [--json] [--timeout-ms N] FILE...
  Prints each file's outline (what an editor shows for textDocument/documentSymbol): kind, name and
  line:column (1-based), children indented. --json prints the LSP DocumentSymbol tree.
  Exit: 0 done, 2 usage error or a file that could not be read, resolved or parsed.`;

const KIND_NAMES = Object.fromEntries(Object.entries(SymbolKind).map(([name, n]) => [n, name.toLowerCase()])) as Record<number, string>;

function printTree(out: NodeJS.WritableStream, symbols: readonly DocumentSymbol[]): void {
  // Iterative pre-order (outlines can be deep).
  const work: { s: DocumentSymbol; depth: number }[] = symbols.map((s) => ({ s, depth: 0 })).reverse();
  while (work.length) {
    const { s, depth } = work.pop()!;
    const at = `${s.selectionRange.start.line + 1}:${s.selectionRange.start.character + 1}`;
    out.write(`${'  '.repeat(depth)}${KIND_NAMES[s.kind] ?? s.kind} ${s.name}${s.detail ? ` ${s.detail}` : ''}  ${at}\n`);
    const children = s.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) work.push({ s: children[i]!, depth: depth + 1 });
  }
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv, { language: true, json: false, 'timeout-ms': true });
  if (args.positionals.length === 0) throw new UsageError('symbols needs at least one FILE');
  const timeoutMs = positiveNumber(flagString(args, 'timeout-ms'), 'timeout-ms', 10_000);
  const registry = GrammarRegistry.fromDisk();
  const parsers = new ParserPool();
  const json: Record<string, DocumentSymbol[]> = {};
  try {
    for (const file of args.positionals) {
      const src = await parseSource(registry, parsers, file, { language: flagString(args, 'language'), timeoutMs });
      try {
        const symbols = documentSymbols(src.tree, src.grammar, src.doc, registry);
        if (args.flags.has('json')) json[file] = symbols;
        else {
          if (args.positionals.length > 1) out.write(`${file}:\n`);
          if (symbols.length === 0) out.write('(no symbols)\n');
          printTree(out, symbols);
        }
      } finally {
        src.tree.delete();
      }
    }
  } finally {
    parsers.dispose();
  }
  if (args.flags.has('json')) out.write(`${JSON.stringify(args.positionals.length === 1 ? json[args.positionals[0]!] : json, null, 2)}\n`);
  return 0;
}
