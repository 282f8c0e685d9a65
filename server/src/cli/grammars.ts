// cst-cli grammars list | test: the grammars of grammars/languages.json as
// this installation sees them (package, version, ABI, whether they load and
// why not), and one grammar tried on one file (load and parse timing, errors).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as TreeSitter from 'web-tree-sitter';
import { GrammarRegistry, initTreeSitter } from '../syntax/grammars.js';
import { ParserPool } from '../syntax/parser.js';
import { syntaxDiagnostics } from '../features/diagnostics.js';
import { parseArgs, flagString, UsageError } from './args.js';
import { loadGrammar, parseSource, positiveNumber, resolveSpec } from './source.js';

export const usage = `cst-cli grammars list [--json]
  Every language of the manifest: package, version, ABI, query files, and whether its grammar loads (or why not).
  Exit: 0 all load, 1 some failed to load.
cst-cli grammars test [--runs N] [--timeout-ms N] [--json] LANGUAGE FILE
  Loads LANGUAGE's grammar and parses FILE with it: load time, parse time (first and median of N runs,
  default 5), node count and every syntax error (line:column, 1-based).
  Exit: 0 parsed without errors, 1 syntax errors, 2 usage error, unknown language, unreadable file or failed load/parse.`;

const require = createRequire(import.meta.url);

function runtimeVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('web-tree-sitter')), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

interface Row {
  language: string;
  name: string;
  package: string;
  version: string;
  abi: number | null;
  status: 'loaded' | 'failed';
  error?: string;
  wasm?: string;
  queries: string[];
  loadMs?: number;
}

function queryFiles(registry: GrammarRegistry, id: string): string[] {
  try {
    return fs
      .readdirSync(path.join(registry.dir, id))
      .filter((f) => f.endsWith('.scm'))
      .map((f) => f.slice(0, -4))
      .sort();
  } catch {
    return [];
  }
}

async function list(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const args = parseArgs(argv, { json: false });
  if (args.positionals.length) throw new UsageError(`grammars list takes no arguments (got "${args.positionals[0]}")`);
  const registry = GrammarRegistry.fromDisk();
  await initTreeSitter();
  const rows: Row[] = [];
  for (const spec of registry.languages) {
    const started = performance.now();
    const grammar = await registry.load(spec.id);
    const state = registry.state(spec.id);
    let wasm: string | undefined;
    try {
      wasm = registry.wasmPath(spec);
    } catch {
      wasm = undefined;
    }
    rows.push({
      language: spec.id,
      name: spec.name,
      package: spec.grammar.package,
      version: registry.packageVersion(spec),
      abi: grammar?.abi ?? null,
      status: grammar ? 'loaded' : 'failed',
      ...(state.state === 'failed' ? { error: state.error } : {}),
      ...(wasm ? { wasm } : {}),
      queries: queryFiles(registry, spec.id),
      ...(grammar ? { loadMs: Math.round((performance.now() - started) * 10) / 10 } : {}),
    });
  }
  const runtime = { package: 'web-tree-sitter', version: runtimeVersion(), abi: { min: TreeSitter.MIN_COMPATIBLE_VERSION, max: TreeSitter.LANGUAGE_VERSION } };
  if (args.flags.has('json')) out.write(`${JSON.stringify({ runtime, grammars: rows }, null, 2)}\n`);
  else {
    out.write(`runtime: ${runtime.package} ${runtime.version} (grammar ABI ${runtime.abi.min}-${runtime.abi.max})\n`);
    const header = ['language', 'package', 'version', 'ABI', 'status', 'queries'];
    const table = rows.map((r) => [r.language, r.package, r.version, r.abi === null ? '-' : String(r.abi), r.status === 'loaded' ? 'loaded' : `FAILED: ${r.error}`, r.queries.join(',') || '-']);
    const widths = header.map((h, i) => Math.max(h.length, ...table.filter((t) => !t[i]!.startsWith('FAILED')).map((t) => t[i]!.length)));
    for (const line of [header, ...table]) out.write(`${line.map((c, i) => (i === line.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
  }
  return rows.some((r) => r.status === 'failed') ? 1 : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

async function test(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const args = parseArgs(argv, { runs: true, 'timeout-ms': true, json: false });
  if (args.positionals.length !== 2) throw new UsageError(`grammars test needs LANGUAGE and FILE (got ${args.positionals.length} argument${args.positionals.length === 1 ? '' : 's'})`);
  const [language, file] = args.positionals as [string, string];
  const runs = positiveNumber(flagString(args, 'runs'), 'runs', 5, true);
  const timeoutMs = positiveNumber(flagString(args, 'timeout-ms'), 'timeout-ms', 10_000);
  const registry = GrammarRegistry.fromDisk();
  const spec = resolveSpec(registry, file, language);
  await initTreeSitter();
  const loadStarted = performance.now();
  const grammar = await loadGrammar(registry, spec);
  const loadMs = performance.now() - loadStarted;
  const parsers = new ParserPool();
  try {
    const src = await parseSource(registry, parsers, file, { language: spec.id, timeoutMs });
    const times = [src.parseMs];
    let errors;
    try {
      for (let i = 1; i < runs; i++) {
        const again = parsers.parse(grammar, src.text, null, timeoutMs);
        if (!again.tree) throw new Error(`${file}: parse ${i + 1} of ${runs} failed`);
        times.push(again.ms);
        again.tree.delete();
      }
      errors = syntaxDiagnostics(src.tree, src.doc, Number.MAX_SAFE_INTEGER);
      const result = {
        language: spec.id,
        package: spec.grammar.package,
        version: grammar.version,
        abi: grammar.abi,
        file,
        lines: src.doc.lineCount,
        nodes: src.tree.rootNode.descendantCount,
        loadMs: round(loadMs),
        parseMs: { first: round(times[0]!), median: round(median(times)), runs },
        errors: errors.map((e) => ({ line: e.range.start.line + 1, column: e.range.start.character + 1, message: e.message })),
      };
      if (args.flags.has('json')) out.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        out.write(`${spec.id}: ${spec.grammar.package} ${grammar.version}, ABI ${grammar.abi}, grammar loaded in ${result.loadMs} ms\n`);
        out.write(`${file}: ${result.lines} lines, ${result.nodes} nodes; parsed in ${result.parseMs.first} ms (first), ${result.parseMs.median} ms (median of ${runs}); ${errors.length === 0 ? 'no syntax errors' : `${errors.length} syntax error${errors.length === 1 ? '' : 's'}`}\n`);
        for (const e of result.errors) out.write(`  ${file}:${e.line}:${e.column}: ${e.message}\n`);
      }
    } finally {
      src.tree.delete();
    }
    return errors.length > 0 ? 1 : 0;
  } finally {
    parsers.dispose();
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(rest, out);
  if (sub === 'test') return test(rest, out);
  throw new UsageError(sub ? `unknown grammars subcommand "${sub}" (list, test)` : 'grammars needs a subcommand: list or test');
}
