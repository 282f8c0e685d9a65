// cst-cli parse FILE...: language, parse time, node count and every syntax
// error with its position; --sexp prints the tree. The newcomer's first look
// at the engine working on real files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry } from '../syntax/grammars.js';
import { ParserPool } from '../syntax/parser.js';
import { syntaxDiagnostics } from '../features/diagnostics.js';
import { parseArgs, flagString, UsageError } from './args.js';

export const usage = `cst-cli parse [--sexp] [--language ID] [--timeout-ms N] FILE...
  Parses each file and prints its language, parse time, node count and syntax errors (line:column, 1-based).
  Exit: 0 all parsed without errors, 1 syntax errors found, 2 usage error or a file could not be read or parsed.`;

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv, { sexp: false, language: true, 'timeout-ms': true });
  if (args.positionals.length === 0) throw new UsageError('parse needs at least one FILE');
  const timeoutMs = Number(flagString(args, 'timeout-ms') ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout-ms must be a positive number');
  const registry = GrammarRegistry.fromDisk();
  const parsers = new ParserPool();
  let worst = 0;
  for (const file of args.positionals) {
    const display = file;
    const spec = registry.resolve(flagString(args, 'language'), file);
    if (!spec) {
      out.write(`${display}: no language for this file (known: ${registry.languages.map((l) => l.id).join(', ')})\n`);
      worst = 2;
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      out.write(`${display}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      worst = 2;
      continue;
    }
    const grammar = await registry.load(spec.id);
    if (!grammar) {
      const s = registry.state(spec.id);
      out.write(`${display}: grammar ${spec.id} failed to load: ${s.state === 'failed' ? s.error : 'unknown'}\n`);
      worst = 2;
      continue;
    }
    const outcome = parsers.parse(grammar, text, null, timeoutMs);
    if (!outcome.tree) {
      out.write(`${display}: ${spec.name}: ${outcome.timedOut ? `parse timed out after ${timeoutMs} ms` : `parse failed: ${outcome.error}`}\n`);
      worst = 2;
      continue;
    }
    const tree = outcome.tree;
    const doc = TextDocument.create('file://' + path.resolve(file), spec.id, 0, text);
    const errors = syntaxDiagnostics(tree, doc, Number.MAX_SAFE_INTEGER);
    const lines = doc.lineCount;
    out.write(`${display}: ${spec.name}, ${lines} lines, ${tree.rootNode.descendantCount} nodes, parsed in ${outcome.ms.toFixed(1)} ms, ${errors.length === 0 ? 'no syntax errors' : `${errors.length} syntax error${errors.length === 1 ? '' : 's'}`}\n`);
    for (const e of errors) out.write(`  ${display}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.message}\n`);
    if (args.flags.has('sexp')) out.write(`${tree.rootNode.toString()}\n`);
    if (errors.length > 0) worst = Math.max(worst, 1);
    tree.delete();
  }
  parsers.dispose();
  return worst;
}
