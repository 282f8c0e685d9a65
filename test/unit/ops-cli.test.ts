// cst-cli operations commands end to end: the built CLI is spawned on real
// files, real grammars and a real cache directory (filled by `cst-cli
// prewarm`); stdout, stderr and exit codes are checked. Every bad argument is
// one line on stderr and exit 2.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliMain, repoRoot } from '../helpers/lsp.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', env: { ...process.env, CST_CACHE_DIR: '', CST_LOG_LEVEL: 'warn', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-ops-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const PY = 'import os\n\nclass Store:\n    """Keeps things."""\n\n    def get(self, key):\n        return self.items[key]\n\n    def put(self, key, value):\n        self.items[key] = value\n\n\ndef main():\n    s = Store()\n    print("héllo 😀", s)\n';

describe('cst-cli symbols', () => {
  it('prints the outline as an indented tree, or the LSP DocumentSymbol tree with --json', () => {
    const file = write('store.py', PY);
    const r = cli(['symbols', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('class Store  3:7\n  method get (self, key)  6:9\n  method put (self, key, value)  9:9\nfunction main ()  13:5\n');
    const j = cli(['symbols', '--json', file]);
    const symbols = JSON.parse(j.stdout) as { name: string; kind: number; children: { name: string }[] }[];
    expect(symbols.map((s) => s.name)).toEqual(['Store', 'main']);
    expect(symbols[0]!.children.map((c) => c.name)).toEqual(['get', 'put']);
    expect(symbols[0]!.kind).toBe(5); // SymbolKind.Class
  });

  it('several files are headed by their names; --language overrides the extension', () => {
    const a = write('a.txt', 'function a() {}\n');
    const b = write('b.rs', 'fn b() {}\nstruct S { x: i32 }\n');
    expect(cli(['symbols', a]).stderr).toMatch(/^cst-cli symbols: no language for .*a\.txt \(known: .*; name one with --language\)\n$/);
    const r = cli(['symbols', '--language', 'javascript', a]);
    expect(r.stdout).toBe('function a ()  1:10\n');
    const two = cli(['symbols', b, b]);
    expect(two.stdout).toBe(`${b}:\nfunction b ()  1:4\nstruct S  2:8\n  field x i32  2:12\n`.repeat(2));
  });
});

describe('cst-cli query', () => {
  it('prints captures as FILE:LINE:COL @name type text (UTF-16 columns, 1-based); exit 1 when nothing matches', () => {
    const file = write('q.py', PY);
    const r = cli(['query', file, '(function_definition name: (identifier) @fn) (string) @str']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([`${file}:4:5: @str string """Keeps things."""`, `${file}:6:9: @fn identifier get`, `${file}:9:9: @fn identifier put`, `${file}:13:5: @fn identifier main`, `${file}:15:11: @str string "héllo 😀"`]);
    const none = cli(['query', file, '(while_statement) @w']);
    expect(none).toMatchObject({ code: 1, stdout: '', stderr: '' });
    const json = JSON.parse(cli(['query', '--json', '--max-results', '2', file, '(identifier) @id']).stdout) as { captures: unknown[]; truncated: boolean; language: string };
    expect(json).toMatchObject({ language: 'python', truncated: true });
    expect(json.captures).toHaveLength(2);
  });

  it('an invalid query is one line naming its position, exit 2', () => {
    const file = write('q2.js', 'let a = 1;\n');
    const r = cli(['query', file, '(program\n  (bogus_node) @b)']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("cst-cli query: invalid query at 2:4: Bad node name 'bogus_node' (cst-cli query --help)\n");
  });
});

describe('cst-cli grammars', () => {
  it('list: every manifest language with package, version, ABI and status; --json with the runtime ABI range', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'grammars/languages.json'), 'utf8')) as { languages: { id: string; grammar: { package: string } }[] };
    const r = cli(['grammars', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^runtime: web-tree-sitter \d+\.\d+\.\d+ \(grammar ABI \d+-\d+\)$/);
    expect(lines[1]).toMatch(/^language +package +version +ABI +status +queries$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(manifest.languages.map((l) => l.id));
    for (const line of lines.slice(2)) expect(line).toMatch(/^\S+ +tree-sitter-\S+ +\d+\.\d+\.\d+ +1[3-5] +loaded +\S+$/);
    const j = JSON.parse(cli(['grammars', 'list', '--json']).stdout) as { runtime: { abi: { min: number; max: number } }; grammars: { language: string; package: string; abi: number; status: string; queries: string[] }[] };
    for (const g of j.grammars) {
      expect(g.status).toBe('loaded');
      expect(g.abi).toBeGreaterThanOrEqual(j.runtime.abi.min);
      expect(g.abi).toBeLessThanOrEqual(j.runtime.abi.max);
      expect(g.package).toBe(manifest.languages.find((l) => l.id === g.language)!.grammar.package);
      expect(g.queries).toContain('symbols');
    }
  });

  it('list: a grammar that does not load is shown with the reason, exit 1', () => {
    const wasmDir = path.join(tmp, 'wasm');
    fs.mkdirSync(wasmDir, { recursive: true });
    fs.writeFileSync(path.join(wasmDir, 'tree-sitter-json.wasm'), 'not a wasm module');
    const r = cli(['grammars', 'list'], { CST_GRAMMARS_WASM_DIR: wasmDir, CST_LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^json +tree-sitter-json +\S+ +- +FAILED: .+$/m);
    expect(r.stdout).toMatch(/^python +tree-sitter-python +\S+ +15 +loaded/m);
  });

  it('test: load and parse timing, node count, syntax errors with positions; exit 1 with errors, 0 without', () => {
    const bad = write('bad.go', 'package main\n\nfunc main() {\n\tx := \n}\n');
    const r = cli(['grammars', 'test', 'go', bad]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^go: tree-sitter-go \d+\.\d+\.\d+, ABI 15, grammar loaded in [\d.]+ ms\n/);
    expect(r.stdout).toMatch(/bad\.go: 6 lines, \d+ nodes; parsed in [\d.]+ ms \(first\), [\d.]+ ms \(median of 5\); 1 syntax error\n {2}.*bad\.go:\d+:\d+: /);
    const good = write('good.go', 'package main\n\nfunc main() {}\n');
    const j = cli(['grammars', 'test', '--json', '--runs', '3', 'go', good]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ language: 'go', abi: 15, lines: 4, errors: [], parseMs: { runs: 3 } });
  });
});

describe('cst-cli export-metrics', () => {
  it('exports a cache directory filled by prewarm as JSON and as Prometheus text', () => {
    const src = path.join(tmp, 'project');
    write('project/a.py', PY);
    write('project/b.ts', 'export function b(): number { return 1; }\n');
    write('project/c.ts', 'export const c = 3;\n');
    const cache = path.join(tmp, 'cache');
    const p = cli(['prewarm', '--directory', src, '--cache-dir', cache, '--workers', '1']);
    expect(p.code, p.stderr).toBe(0);
    const j = cli(['export-metrics', '--format', 'json', '--cache-dir', cache]);
    expect(j.code, j.stderr).toBe(0);
    const figures = JSON.parse(j.stdout) as { segments: number; bytes: number; records: { live: number }; languages: Record<string, { records: number }>; newestWriteSeconds: number };
    expect(figures.records.live).toBe(3);
    expect(figures.languages).toMatchObject({ python: { records: 1 }, typescript: { records: 2 } });
    expect(figures.segments).toBeGreaterThanOrEqual(1);
    expect(figures.newestWriteSeconds).toBeGreaterThan(Date.now() / 1000 - 600);
    const prom = cli(['export-metrics', '--format', 'prometheus'], { CST_CACHE_DIR: cache });
    expect(prom.code, prom.stderr).toBe(0);
    expect(prom.stdout).toContain(`cst_store_records{state="live",cache_dir="${cache}"} 3`);
    expect(prom.stdout).toContain(`cst_store_language_records{language="typescript",cache_dir="${cache}"} 2`);
    expect(prom.stdout).toContain(`cst_store_bytes{cache_dir="${cache}"} ${figures.bytes}`);
    expect(prom.stdout).toMatch(/^# TYPE cst_store_segments gauge$/m);
  });
});

describe('bad arguments', () => {
  const file = write('ok.js', 'let ok = 1;\n');
  const cases: [string[], RegExp][] = [
    [[], /^cst-cli: missing COMMAND \(prewarm, parse, symbols, query, grammars, export-metrics, stats, verify, clear, cleanup, defrag\); cst-cli --help shows them all$/],
    [['nosuch'], /^cst-cli: unknown command "nosuch"/],
    [['symbols'], /^cst-cli symbols: symbols needs at least one FILE \(cst-cli symbols --help\)$/],
    [['symbols', '--nope', file], /^cst-cli symbols: unknown option --nope/],
    [['symbols', '--timeout-ms', 'x', file], /^cst-cli symbols: --timeout-ms must be a positive number \(got "x"\)/],
    [['symbols', path.join(tmp, 'missing.js')], /^cst-cli symbols: cannot read .*missing\.js: ENOENT$/],
    [['symbols', tmp + '/'], /^cst-cli symbols: no language for /],
    [['query', file], /^cst-cli query: query needs FILE and QUERY \(got 1 argument\)/],
    [['query', file, '(x) @x', 'extra'], /^cst-cli query: query needs FILE and QUERY \(got 3 arguments\)/],
    [['query', file, '   '], /^cst-cli query: the query is empty/],
    [['query', '--max-results', '0', file, '(identifier) @i'], /^cst-cli query: --max-results must be a positive integer/],
    [['grammars'], /^cst-cli grammars: grammars needs a subcommand: list or test/],
    [['grammars', 'frob'], /^cst-cli grammars: unknown grammars subcommand "frob" \(list, test\)/],
    [['grammars', 'list', 'extra'], /^cst-cli grammars: grammars list takes no arguments/],
    [['grammars', 'test', 'go'], /^cst-cli grammars: grammars test needs LANGUAGE and FILE/],
    [['grammars', 'test', 'cobol', file], /^cst-cli grammars: unknown language "cobol"/],
    [['grammars', 'test', '--runs', '1.5', 'javascript', file], /^cst-cli grammars: --runs must be a positive integer/],
    [['export-metrics'], /^cst-cli export-metrics: --format is required: json or prometheus/],
    [['export-metrics', '--format', 'xml'], /^cst-cli export-metrics: --format must be json or prometheus \(got "xml"\)/],
    [['export-metrics', '--format', 'json', '--cache-dir', path.join(tmp, 'no-cache')], /^cst-cli export-metrics: no cache directory at /],
    [['export-metrics', '--format', 'json', '--cache-dir', tmp], /^cst-cli export-metrics: .* is not a cst-language-server cache directory/],
  ];
  for (const [args, message] of cases) {
    it(`cst-cli ${args.join(' ') || '(nothing)'}`, () => {
      const r = cli(args.map((a) => (a === tmp + '/' ? tmp : a)));
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    });
  }
});
