// cst-cli query FILE 'QUERY': run a tree-sitter query on a file and print its
// captures, one per line (FILE:LINE:COL @name type text), as grep prints
// matches; the same engine and limits as the $/cstQuery request.
import { GrammarRegistry } from '../syntax/grammars.js';
import { ParserPool } from '../syntax/parser.js';
import { compileQuery, QueryProblem, QUERY_LIMITS, runQuery } from '../features/cstQuery.js';
import { parseArgs, flagString, UsageError } from './args.js';
import { parseSource, positiveNumber } from './source.js';

export const usage = `cst-cli query [--language ID] [--json] [--max-results N] [--timeout-ms N] FILE QUERY
  Runs a tree-sitter query (patterns with @captures) on FILE and prints each capture as
  FILE:LINE:COL @name node-type text (1-based; text cut to ${QUERY_LIMITS.textLength} characters and marked …; \\n, \\r, \\t and \\\\ escaped).
  Defaults: --max-results ${QUERY_LIMITS.maxResults.default}, --timeout-ms ${QUERY_LIMITS.timeoutMs.default} (the query's time budget).
  Exit: 0 captures found, 1 no captures, 2 usage error, unreadable file or invalid query (its position is named).`;

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv, { language: true, json: false, 'max-results': true, 'timeout-ms': true });
  if (args.positionals.length !== 2) throw new UsageError(`query needs FILE and QUERY (got ${args.positionals.length} argument${args.positionals.length === 1 ? '' : 's'})`);
  const [file, source] = args.positionals as [string, string];
  const maxResults = positiveNumber(flagString(args, 'max-results'), 'max-results', QUERY_LIMITS.maxResults.default, true);
  const timeoutMs = positiveNumber(flagString(args, 'timeout-ms'), 'timeout-ms', QUERY_LIMITS.timeoutMs.default, true);
  const registry = GrammarRegistry.fromDisk();
  const parsers = new ParserPool();
  try {
    const src = await parseSource(registry, parsers, file, { language: flagString(args, 'language'), timeoutMs: 10_000 });
    try {
      let query;
      try {
        query = compileQuery(src.grammar.language, source);
      } catch (err) {
        if (err instanceof QueryProblem) throw new UsageError(err.message);
        throw err;
      }
      try {
        const result = runQuery(query, src.tree, src.doc, src.spec.id, { maxResults: Math.min(maxResults, QUERY_LIMITS.maxResults.max), timeoutMs: Math.min(timeoutMs, QUERY_LIMITS.timeoutMs.max) });
        if (args.flags.has('json')) out.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const c of result.captures) {
            const text = c.text.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + (c.truncated ? '…' : '');
            out.write(`${file}:${c.range.start.line + 1}:${c.range.start.character + 1}: @${c.name} ${c.type} ${text}\n`);
          }
          if (result.truncated) process.stderr.write(`cst-cli query: more than ${maxResults} captures; the first ${maxResults} are shown (--max-results)\n`);
          if (result.timedOut) process.stderr.write(`cst-cli query: the query ran out of its ${timeoutMs} ms budget; captures found so far are shown (--timeout-ms)\n`);
        }
        return result.captures.length > 0 ? 0 : 1;
      } finally {
        query.delete();
      }
    } finally {
      src.tree.delete();
    }
  } finally {
    parsers.dispose();
  }
}
