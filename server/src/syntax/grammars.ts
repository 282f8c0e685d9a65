// Grammar registry: the manifest (grammars/languages.json), language lookup by
// LSP languageId or file name, and lazy loading of each grammar's .wasm from
// its npm package. A grammar that fails to load is reported once with the
// reason; every other language keeps working.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, Query } from 'web-tree-sitter';
import { logger } from '../log.js';
import { audit } from '../telemetry/audit.js';

export interface LanguageSpec {
  id: string;
  name: string;
  languageIds: string[];
  extensions: string[];
  filenames?: string[];
  /** Languages of one family (C/C++, JS/TS/TSX) share file names: within a family a document's languageId wins over its file name. */
  family?: string;
  grammar: { package: string; wasm: string };
  queries?: Record<string, string>;
}

export interface Manifest {
  formatVersion: number;
  languages: LanguageSpec[];
}

export interface LoadedGrammar {
  spec: LanguageSpec;
  language: Language;
  /** package@version/file: part of every cache key, so a grammar upgrade invalidates entries. */
  identity: string;
  version: string;
  abi: number;
}

export type GrammarState =
  | { state: 'not-loaded' }
  | { state: 'loaded'; grammar: LoadedGrammar }
  | { state: 'failed'; error: string };

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** grammars/ beside the server package (repo layout), or CST_GRAMMARS_DIR (bundled layouts). */
export function grammarsDir(): string {
  const fromEnv = process.env.CST_GRAMMARS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  for (const candidate of [path.resolve(here, '../../../grammars'), path.resolve(here, '../grammars'), path.resolve(here, 'grammars')]) {
    if (fs.existsSync(path.join(candidate, 'languages.json'))) return candidate;
  }
  return path.resolve(here, '../../../grammars');
}

let wasmModule: { HEAP8?: Int8Array } | undefined;
let initPromise: Promise<void> | undefined;

/** Initialise the web-tree-sitter runtime once per process (idempotent). */
export function initTreeSitter(): Promise<void> {
  if (!initPromise) {
    wasmModule = {};
    initPromise = Parser.init(wasmModule as object);
  }
  return initPromise;
}

/** Size of the WASM linear memory (it only grows; see ARCHITECTURE.md). */
export function wasmHeapBytes(): number {
  return wasmModule?.HEAP8?.buffer.byteLength ?? 0;
}

function packageDir(pkg: string): string {
  // The grammar packages' "main" is a native binding we never load; resolve
  // the package folder through its package.json instead.
  const searchRoots = require.resolve.paths(pkg) ?? [];
  for (const root of searchRoots) {
    const dir = path.join(root, pkg);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`npm package ${pkg} is not installed (searched ${searchRoots.length} node_modules folders)`);
}

export class GrammarRegistry {
  readonly manifest: Manifest;
  readonly dir: string;
  private readonly byLanguageId = new Map<string, LanguageSpec>();
  private readonly byExtension = new Map<string, LanguageSpec>();
  private readonly byFilename = new Map<string, LanguageSpec>();
  private readonly states = new Map<string, GrammarState>();
  private readonly pending = new Map<string, Promise<LoadedGrammar | undefined>>();
  private readonly queries = new Map<string, Query | null>();

  constructor(manifest: Manifest, dir: string) {
    this.manifest = manifest;
    this.dir = dir;
    for (const spec of manifest.languages) {
      this.states.set(spec.id, { state: 'not-loaded' });
      this.byLanguageId.set(spec.id, spec);
      for (const id of spec.languageIds) this.byLanguageId.set(id.toLowerCase(), spec);
      for (const ext of spec.extensions) this.byExtension.set(ext.toLowerCase(), spec);
      for (const name of spec.filenames ?? []) this.byFilename.set(name, spec);
    }
  }

  static fromDisk(dir = grammarsDir()): GrammarRegistry {
    const file = path.join(dir, 'languages.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    audit('read', file, 'ok');
    if (!Array.isArray(manifest.languages)) throw new Error(`${file}: "languages" must be an array`);
    return new GrammarRegistry(manifest, dir);
  }

  get languages(): readonly LanguageSpec[] {
    return this.manifest.languages;
  }

  spec(id: string): LanguageSpec | undefined {
    return this.manifest.languages.find((l) => l.id === id);
  }

  /** Resolve by LSP languageId first, then by the file name in the URI or path. */
  resolve(languageId: string | undefined, uriOrPath: string | undefined): LanguageSpec | undefined {
    const byId = languageId ? this.byLanguageId.get(languageId.toLowerCase()) : undefined;
    return byId ?? (uriOrPath ? this.byFileName(uriOrPath) : undefined);
  }

  /**
   * The language of an opened document: its languageId, unless the file name
   * belongs to a language of another family. eglot 1.9 sends the languageId of
   * the major mode that started the server for every file it serves (util.py
   * as "js"), and Emacs 28 opens .json files in js-mode; within a family (a
   * `.h` opened as C++, a `.js` as TypeScript) the languageId wins.
   */
  resolveDocument(languageId: string | undefined, uri: string): LanguageSpec | undefined {
    const byId = languageId ? this.byLanguageId.get(languageId.toLowerCase()) : undefined;
    const byName = this.byFileName(uri);
    if (!byId || !byName) return byId ?? byName;
    return (byId.family ?? byId.id) === (byName.family ?? byName.id) ? byId : byName;
  }

  private byFileName(uriOrPath: string): LanguageSpec | undefined {
    const base = decodeURIComponent(uriOrPath.split(/[/\\]/).pop() ?? '').split(/[?#]/)[0] ?? '';
    const named = this.byFilename.get(base);
    if (named) return named;
    const dot = base.lastIndexOf('.');
    return dot >= 0 ? this.byExtension.get(base.slice(dot).toLowerCase()) : undefined;
  }

  state(id: string): GrammarState {
    return this.states.get(id) ?? { state: 'failed', error: `unknown language ${id}` };
  }

  failures(): { id: string; error: string }[] {
    const out: { id: string; error: string }[] = [];
    for (const [id, s] of this.states) if (s.state === 'failed') out.push({ id, error: s.error });
    return out;
  }

  /** The loaded grammar if it is ready now (no loading). */
  loaded(id: string): LoadedGrammar | undefined {
    const s = this.states.get(id);
    return s?.state === 'loaded' ? s.grammar : undefined;
  }

  /**
   * The compiled query grammars/<language>/<name>.scm, or undefined when the
   * language has none. A query that fails to compile is logged once and
   * treated as absent.
   */
  query(grammar: LoadedGrammar, name: string): Query | undefined {
    const key = `${grammar.spec.id}/${name}`;
    const cached = this.queries.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const file = path.join(this.dir, grammar.spec.id, `${name}.scm`);
    let query: Query | null = null;
    const source = this.querySource(grammar.spec.id, name);
    if (source !== undefined) {
      try {
        query = new Query(grammar.language, source);
      } catch (err) {
        logger().error({ file, error: err instanceof Error ? err.message : String(err) }, 'query failed to compile; feature off for this language');
      }
    }
    this.queries.set(key, query);
    return query ?? undefined;
  }

  /** Where the .wasm of a language lives (env override, then the npm package). */
  wasmPath(spec: LanguageSpec): string {
    const override = process.env.CST_GRAMMARS_WASM_DIR;
    if (override) {
      const p = path.join(override, spec.grammar.wasm);
      if (fs.existsSync(p)) return p;
    }
    return path.join(packageDir(spec.grammar.package), spec.grammar.wasm);
  }

  /**
   * The text of grammars/<language>/<name>.scm with the files it inherits
   * first: a first line `; inherits: typescript` (nvim-treesitter's
   * convention) prepends grammars/typescript/<name>.scm. Undefined when the
   * language has no such file.
   */
  querySource(language: string, name: string, seen: ReadonlySet<string> = new Set()): string | undefined {
    const file = path.join(this.dir, language, `${name}.scm`);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    audit('read', file, 'ok');
    const inherits = /^;+\s*inherits:\s*([\w\s,-]+?)\s*$/m.exec(text.split('\n', 1)[0] ?? '');
    const parts: string[] = [];
    for (const parent of inherits?.[1]?.split(',').map((p) => p.trim()).filter(Boolean) ?? []) {
      if (seen.has(parent) || parent === language) continue;
      const inherited = this.querySource(parent, name, new Set([...seen, language]));
      if (inherited !== undefined) parts.push(inherited);
    }
    parts.push(text);
    return parts.join('\n');
  }

  /**
   * What a cache entry's content depends on besides the text: the grammar
   * (package@version/file) and the language's query files (an edited
   * symbols.scm must not keep serving old outlines from disk). Computed
   * without loading the grammar, once per language.
   */
  identity(spec: LanguageSpec): string {
    let id = this.identities.get(spec.id);
    if (!id) {
      const hash = createHash('sha256');
      const dir = path.join(this.dir, spec.id);
      let files: string[] = [];
      try {
        files = fs.readdirSync(dir).filter((f) => f.endsWith('.scm')).sort();
      } catch {
        files = [];
      }
      // The resolved source: an edit to an inherited file changes the identity too.
      for (const f of files) hash.update(f).update('\0').update(this.querySource(spec.id, f.slice(0, -4)) ?? '').update('\0');
      id = `${spec.grammar.package}@${this.packageVersion(spec)}/${spec.grammar.wasm}#queries=${hash.digest('hex').slice(0, 16)}`;
      this.identities.set(spec.id, id);
    }
    return id;
  }

  private readonly identities = new Map<string, string>();

  private readonly versions = new Map<string, string>();

  packageVersion(spec: LanguageSpec): string {
    const cached = this.versions.get(spec.grammar.package);
    if (cached) return cached;
    const version = this.readPackageVersion(spec);
    this.versions.set(spec.grammar.package, version);
    return version;
  }

  private readPackageVersion(spec: LanguageSpec): string {
    try {
      const file = path.join(packageDir(spec.grammar.package), 'package.json');
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string };
      audit('read', file, 'ok');
      return pkg.version ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  /** Load a grammar once; later calls share the result. Resolves undefined (and logs once) on failure. */
  load(id: string): Promise<LoadedGrammar | undefined> {
    const s = this.states.get(id);
    if (!s) return Promise.resolve(undefined);
    if (s.state === 'loaded') return Promise.resolve(s.grammar);
    if (s.state === 'failed') return Promise.resolve(undefined);
    let p = this.pending.get(id);
    if (!p) {
      p = this.doLoad(id);
      this.pending.set(id, p);
    }
    return p;
  }

  private async doLoad(id: string): Promise<LoadedGrammar | undefined> {
    const spec = this.spec(id)!;
    const started = performance.now();
    try {
      await initTreeSitter();
      const wasm = this.wasmPath(spec);
      const language = await Language.load(fs.readFileSync(wasm));
      audit('read', wasm, 'ok');
      const version = this.packageVersion(spec);
      const grammar: LoadedGrammar = {
        spec,
        language,
        version,
        abi: language.abiVersion,
        identity: this.identity(spec),
      };
      this.states.set(id, { state: 'loaded', grammar });
      logger().debug({ language: id, ms: Math.round(performance.now() - started), abi: grammar.abi }, 'grammar loaded');
      return grammar;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.states.set(id, { state: 'failed', error });
      logger().error({ language: id, package: spec.grammar.package, error }, 'grammar failed to load; this language is served without a tree');
      return undefined;
    } finally {
      this.pending.delete(id);
    }
  }
}
