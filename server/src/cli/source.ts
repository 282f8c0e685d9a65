// One source file for the single-file commands (symbols, query, grammars
// test): read it, resolve its language, load the grammar, parse it with a
// deadline. Every problem is an Error with one clear line (exit 2).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import type { GrammarRegistry, LanguageSpec, LoadedGrammar } from '../syntax/grammars.js';
import type { ParserPool } from '../syntax/parser.js';
import { UsageError } from './args.js';

export interface ParsedSource {
  file: string;
  spec: LanguageSpec;
  grammar: LoadedGrammar;
  text: string;
  doc: TextDocument;
  tree: Tree;
  parseMs: number;
}

export function readSource(file: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (st.isDirectory()) throw new Error(`${file} is a directory, not a file`);
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, 8192).includes(0)) throw new Error(`${file} looks binary (it contains NUL bytes)`);
  return bytes.toString('utf8');
}

export function resolveSpec(registry: GrammarRegistry, file: string, language: string | undefined): LanguageSpec {
  if (language) {
    const spec = registry.spec(language) ?? registry.resolve(language, undefined);
    if (!spec) throw new Error(`unknown language "${language}" (known: ${registry.languages.map((l) => l.id).join(', ')})`);
    return spec;
  }
  const spec = registry.resolve(undefined, file);
  if (!spec) throw new Error(`no language for ${file} (known: ${registry.languages.map((l) => l.id).join(', ')}; name one with --language)`);
  return spec;
}

export async function loadGrammar(registry: GrammarRegistry, spec: LanguageSpec): Promise<LoadedGrammar> {
  const grammar = await registry.load(spec.id);
  if (!grammar) {
    const s = registry.state(spec.id);
    throw new Error(`grammar ${spec.id} failed to load: ${s.state === 'failed' ? s.error : 'unknown'}`);
  }
  return grammar;
}

/** Read, resolve, load and parse; the caller deletes `tree`. */
export async function parseSource(registry: GrammarRegistry, parsers: ParserPool, file: string, options: { language?: string; timeoutMs: number }): Promise<ParsedSource> {
  const spec = resolveSpec(registry, file, options.language);
  const text = readSource(file);
  const grammar = await loadGrammar(registry, spec);
  const outcome = parsers.parse(grammar, text, null, options.timeoutMs);
  if (!outcome.tree) throw new Error(`${file}: ${outcome.timedOut ? `parse timed out after ${options.timeoutMs} ms (--timeout-ms)` : `parse failed: ${outcome.error ?? 'no tree'}`}`);
  const doc = TextDocument.create('file://' + path.resolve(file), spec.id, 0, text);
  return { file, spec, grammar, text, doc, tree: outcome.tree, parseMs: outcome.ms };
}

/** A positive number flag, or the default; a UsageError-worthy message otherwise. */
export function positiveNumber(value: string | undefined, name: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${value}")`);
  return n;
}
