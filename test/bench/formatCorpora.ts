// Reference-formatted corpora for the formatting benchmark, one per language:
// real code that its own formatter has laid out. Each corpus is located on
// this machine, installed with apt-get when it is missing (and we are root),
// or skipped with a message saying why.
//
//   typescript  .ts sources of the packages in node_modules through prettier 3, and
//               typescript/lib/lib.*.d.ts (the emitter's layout, as shipped)
//   javascript  the same for .js/.mjs/.cjs/.jsx (tsx for .tsx, when there are any)
//   json        node_modules JSON equal to JSON.stringify(JSON.parse(x), null, indent)
//   python      the standard library: safety and idempotence; and a sample run through black
//               (Debian black), whose continuation lines inside brackets are measured (the
//               formatter never changes the indentation of a line that starts a statement)
//   go          Go's own sources (Debian golang-src, /usr/share/go-*/src; gofmt-clean by
//               Go's policy; testdata/ left out)
//   rust        Rust's standard library (Debian rust-src), run through rustfmt (default style)
//   c           C sources of libxcrypt and uwsgi (Debian libxcrypt-source, uwsgi-src), Go and
//               /usr/share/doc, run through clang-format --style=LLVM
//   cpp         LLVM's headers (Debian llvm-*-dev), run through clang-format --style=LLVM
//   java        OpenJDK's java.base sources (Debian openjdk-17-source, src.zip), run through
//               google-java-format (npm google-java-format, which ships the jar; needs java)
//   ruby        Ruby's standard library (/usr/lib/ruby), autocorrected by rubocop's Layout cops
//   bash        shell scripts on this machine (Go's make.bash and friends, /usr/share, /etc),
//               run through shfmt (default style: tabs)
//   css         .css files of Debian's libjs-bootstrap4, libjs-jquery-ui, node-normalize.css
//               and whatever else is on this machine, through prettier 3
//   html        .html files in /usr/share/doc and node_modules, through prettier 3
//
// References are written to a temporary folder that the caller removes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesUnder } from '../helpers/corpus.js';
import type { FormatOptions } from '../../server/src/features/formatting.js';

export interface CorpusItem {
  file: string;
  options: FormatOptions;
}

export interface Corpus {
  lang: string;
  source: string;
  items: CorpusItem[];
  /** False: the files are not laid out by a formatter of ours to compare with (safety and idempotence only). */
  accuracy?: boolean;
  /** Accuracy on the lines inside nodes of these types only (Python's bracket continuation lines). */
  continuationOnly?: RegExp;
}

export const PY_BRACKETS = /^(argument_list|parameters|lambda_parameters|list|dictionary|set|tuple|parenthesized_expression|subscript|list_comprehension|dictionary_comprehension|set_comprehension|generator_expression|import_from_statement)$/;

type Prettier = { format(src: string, opts: Record<string, unknown>): Promise<string> };

export interface CorporaContext {
  quick: boolean;
  log: (m: string) => void;
  /** Folder for generated references (removed by the caller). */
  tmp: string;
  root: string;
  prettier?: Prettier;
}

export function findFiles(dir: string, match: RegExp, cap: number, skip = /^(\.git|__pycache__|testdata)$/): string[] {
  return filesUnder(dir, match, cap, skip);
}

/** `n` files spread evenly over the sorted list, with sizes within [min, max] bytes. */
export function spread(files: string[], n: number, min = 800, max = 80_000): string[] {
  const sized = files.filter((f) => {
    try {
      const s = fs.statSync(f).size;
      return s >= min && s <= max;
    } catch {
      return false;
    }
  });
  if (sized.length <= n) return sized;
  const step = sized.length / n;
  return Array.from({ length: n }, (_, i) => sized[Math.floor(i * step)]!);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

let aptUpdated = false;
/** apt-get install the packages when `ready` is false; true when ready afterwards. */
function ensure(ready: () => boolean, packages: string[], log: (m: string) => void): boolean {
  if (ready()) return true;
  if (process.getuid?.() !== 0 || !has('apt-get')) return false;
  const install = (): boolean =>
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  log(`apt-get install ${packages.join(' ')}`);
  if (!install() && !aptUpdated) {
    aptUpdated = true;
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    install();
  }
  return ready();
}

function newest(globDir: string, prefix: string): string | undefined {
  try {
    const names = fs.readdirSync(globDir).filter((n) => n.startsWith(prefix)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return names.length ? path.join(globDir, names[names.length - 1]!) : undefined;
  } catch {
    return undefined;
  }
}

/** Copy each file into dir/lang/ (numbered, with extension ext) and run `format(copy)`; the copies it left usable. */
function copyAndFormat(ctx: CorporaContext, lang: string, files: string[], ext: string, format: (copy: string) => boolean): string[] {
  const dir = path.join(ctx.tmp, lang);
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  files.forEach((f, i) => {
    const copy = path.join(dir, `f${i}${ext}`);
    const text = fs.readFileSync(f, 'utf8');
    if (text.includes('\u0000') || text.includes('\ufffd')) return;
    fs.writeFileSync(copy, text);
    if (format(copy)) out.push(copy);
  });
  return out;
}

const run = (cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}): boolean => spawnSync(cmd, args, { stdio: 'ignore', timeout: opts.timeout ?? 60_000, cwd: opts.cwd }).status === 0;

/** TypeScript, JavaScript and JSON already in their formatter's layout in node_modules, and the Python standard library (safety only). */
async function nodeCorpora(ctx: CorporaContext, out: Corpus[], skip: (lang: string, why: string) => void, n: (full: number) => number): Promise<void> {
  const nm = path.join(ctx.root, 'node_modules');
  if (ctx.prettier) {
    // Sources of the packages in node_modules (not their build output), run through prettier 3
    // with its defaults.
    const candidates = findFiles(nm, /\.(ts|tsx|js|mjs|cjs|jsx)$/, 400_000, /^(\.git|typescript|\.cache|dist|umd|min|esm|cjs|lib-cov|build|bundle)$/).filter((f) => !f.endsWith('.d.ts') && !/\.min\.|\.bundle\./.test(f));
    for (const [lang, re, count] of [['typescript', /\.ts$/, 80], ['tsx', /\.tsx$/, 20], ['javascript', /\.(js|mjs|cjs|jsx)$/, 80]] as const) {
      const files = spread(candidates.filter((f) => re.test(f)), n(count), 1_000, 60_000);
      const dir = path.join(ctx.tmp, lang);
      fs.mkdirSync(dir, { recursive: true });
      const items: CorpusItem[] = [];
      const packages = new Set<string>();
      for (const [i, f] of files.entries()) {
        try {
          const copy = path.join(dir, `f${i}${path.extname(f)}`);
          fs.writeFileSync(copy, await ctx.prettier.format(fs.readFileSync(f, 'utf8'), { filepath: copy }));
          items.push({ file: copy, options: { tabSize: 2, insertSpaces: true } });
          packages.add(path.relative(nm, f).split(path.sep).slice(0, 2).join('/').replace(/^([^@][^/]*)\/.*$/, '$1'));
        } catch {
          /* prettier cannot parse it (Flow, a syntax error): not in the corpus */
        }
      }
      out.push({ lang, source: `${items.length} sources of ${packages.size} packages in node_modules through prettier`, items });
    }
  } else skip('typescript, javascript (prettier)', 'prettier is not installed');
  const dts = findFiles(path.join(nm, 'typescript/lib'), /^lib\..*\.d\.ts$/, 10_000);
  out.push({ lang: 'typescript', source: 'typescript/lib/lib.*.d.ts (emitter layout)', items: (ctx.quick ? dts.slice(0, 10) : dts).map((file) => ({ file, options: { tabSize: 4, insertSpaces: true } })) });

  const jsonClean: CorpusItem[] = [];
  for (const file of findFiles(nm, /\.json$/, 200_000)) {
    if (jsonClean.length >= n(400)) break;
    if (fs.statSync(file).size > 200_000) continue;
    const s = fs.readFileSync(file, 'utf8');
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      continue;
    }
    for (const indent of [2, 4, '\t'] as const) {
      const formatted = JSON.stringify(v, null, indent);
      if (s === formatted || s === formatted + '\n') {
        jsonClean.push({ file, options: indent === '\t' ? { tabSize: 4, insertSpaces: false } : { tabSize: indent, insertSpaces: true } });
        break;
      }
    }
  }
  out.push({ lang: 'json', source: 'node_modules JSON equal to JSON.stringify(v, null, indent)', items: jsonClean });

  const py = spawnSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' });
  const stdlib = py.status === 0 ? py.stdout.trim() : '';
  if (stdlib && fs.existsSync(stdlib)) {
    const files = spread(findFiles(stdlib, /\.py$/, 100_000, /^(\.git|__pycache__|site-packages|test|tests|idlelib|lib2to3)$/), n(120), 1_000, 100_000);
    out.push({ lang: 'python', source: 'Python standard library', items: files.map((file) => ({ file, options: { tabSize: 4, insertSpaces: true } })), accuracy: false });
    // Continuation lines inside brackets (the only code lines whose indentation the formatter
    // computes in Python) against black's layout.
    if (ensure(() => has('black'), ['black'], ctx.log)) {
      const black = copyAndFormat(ctx, 'python', spread(files, n(60), 1_000, 60_000), '.py', (copy) => run('black', ['-q', '--fast', copy]));
      out.push({ lang: 'python', source: 'standard library through black (continuation lines inside brackets)', items: black.map((file) => ({ file, options: { tabSize: 4, insertSpaces: true } })), continuationOnly: PY_BRACKETS });
    } else skip('python (black)', 'black missing (apt-get install black)');
  } else skip('python', 'python3 is not installed');
}

export async function formattingCorpora(ctx: CorporaContext, skipped: string[]): Promise<Corpus[]> {
  const n = (full: number): number => (ctx.quick ? Math.max(3, Math.round(full / 8)) : full);
  const out: Corpus[] = [];
  const skip = (lang: string, why: string): void => {
    skipped.push(`${lang}: ${why}`);
    ctx.log(`skip ${lang}: ${why}`);
  };
  await nodeCorpora(ctx, out, skip, n);
  const tabs: FormatOptions = { tabSize: 8, insertSpaces: false };
  const spaces = (w: number): FormatOptions => ({ tabSize: w, insertSpaces: true });

  // Go
  const goSrc = (): string | undefined => {
    const d = newest('/usr/share', 'go-');
    return d && fs.existsSync(path.join(d, 'src')) ? path.join(d, 'src') : undefined;
  };
  if (ensure(() => goSrc() !== undefined, ['golang-src'], ctx.log)) {
    const files = spread(findFiles(goSrc()!, /\.go$/, 400_000), n(120), 800, 60_000);
    out.push({ lang: 'go', source: `Go ${path.basename(path.dirname(goSrc()!))} sources (gofmt)`, items: files.map((file) => ({ file, options: tabs })) });
  } else skip('go', 'no Go sources (apt-get install golang-src)');

  // Rust
  const rustLib = '/usr/lib/rustlib/src/rust/library';
  if (ensure(() => fs.existsSync(rustLib), ['rust-src'], ctx.log) && ensure(() => has('rustfmt'), ['rustfmt'], ctx.log)) {
    const files = spread(findFiles(rustLib, /\.rs$/, 100_000, /^(\.git|tests|benches|testdata)$/), n(80), 1_000, 60_000);
    const done = copyAndFormat(ctx, 'rust', files, '.rs', (copy) => run('rustfmt', ['--edition', '2021', copy]));
    out.push({ lang: 'rust', source: 'Rust standard library (rust-src) through rustfmt', items: done.map((file) => ({ file, options: spaces(4) })) });
  } else skip('rust', 'rust-src or rustfmt missing (apt-get install rust-src rustfmt)');

  // C and C++ through clang-format (LLVM style)
  if (ensure(() => has('clang-format'), ['clang-format'], ctx.log)) {
    const clang = (copy: string): boolean => {
      const r = spawnSync('clang-format', ['--style=LLVM', '-i', copy], { stdio: 'ignore', timeout: 60_000 });
      return r.status === 0;
    };
    const cDirs = (): string[] => ['/usr/src/libxcrypt', '/usr/src/uwsgi'].filter((d) => fs.existsSync(d));
    ensure(() => cDirs().length === 2, ['libxcrypt-source', 'uwsgi-src'], ctx.log);
    const goC = goSrc() ? findFiles(goSrc()!, /\.c$/, 400_000) : [];
    const cFiles = spread([...cDirs().flatMap((d) => findFiles(d, /\.[ch]$/, 100_000)), ...goC, ...findFiles('/usr/share/doc', /\.c$/, 100_000)], n(120), 800, 80_000);
    const c = copyAndFormat(ctx, 'c', cFiles, '.c', clang);
    out.push({ lang: 'c', source: 'C sources of libxcrypt, uwsgi (Debian libxcrypt-source, uwsgi-src), Go and /usr/share/doc through clang-format --style=LLVM', items: c.map((file) => ({ file, options: spaces(2) })) });
    const llvmInc = (): string | undefined => {
      const d = newest('/usr/lib', 'llvm-');
      return d && fs.existsSync(path.join(d, 'include/llvm')) ? path.join(d, 'include/llvm') : undefined;
    };
    if (ensure(() => llvmInc() !== undefined, ['llvm-dev'], ctx.log)) {
      const cpp = copyAndFormat(ctx, 'cpp', spread(findFiles(llvmInc()!, /\.(h|def|inc)$/, 100_000).filter((f) => f.endsWith('.h')), n(80), 1_500, 60_000), '.cpp', clang);
      out.push({ lang: 'cpp', source: 'LLVM headers (llvm-dev) through clang-format --style=LLVM', items: cpp.map((file) => ({ file, options: spaces(2) })) });
    } else skip('cpp', 'no LLVM headers (apt-get install llvm-dev)');
  } else skip('c, cpp', 'clang-format missing (apt-get install clang-format)');

  // Java through google-java-format
  const jar = findFiles(path.join(ctx.root, 'node_modules/google-java-format/lib'), /\.jar$/, 100)[0];
  const srcZip = (): string | undefined => {
    const d = newest('/usr/lib/jvm', 'openjdk-');
    return d && fs.existsSync(path.join(d, 'lib/src.zip')) ? path.join(d, 'lib/src.zip') : undefined;
  };
  if (!jar) skip('java', 'npm google-java-format is not installed');
  else if (ensure(() => has('java') && has('unzip'), ['openjdk-17-jre-headless', 'unzip'], ctx.log) && ensure(() => srcZip() !== undefined, ['openjdk-17-source'], ctx.log)) {
    const dir = path.join(ctx.tmp, 'java-src');
    fs.mkdirSync(dir, { recursive: true });
    run('unzip', ['-q', '-o', srcZip()!, 'java.base/java/util/*', 'java.base/java/io/*', 'java.base/java/time/*', 'java.base/java/net/*', 'java.base/java/nio/file/*', '-d', dir], { timeout: 120_000 });
    const files = spread(findFiles(dir, /\.java$/, 100_000), n(80), 1_000, 60_000);
    const copies = copyAndFormat(ctx, 'java', files, '.java', () => true);
    const unformatted = new Set<string>();
    for (let i = 0; i < copies.length; i += 40) {
      const batch = copies.slice(i, i + 40);
      spawnSync('java', ['-jar', jar, '--replace', ...batch], { stdio: 'ignore', timeout: 300_000 });
      // A file google-java-format could not parse is left as it was: --dry-run names it; it is dropped.
      const check = spawnSync('java', ['-jar', jar, '--dry-run', ...batch], { encoding: 'utf8', timeout: 300_000 });
      for (const line of (check.stdout ?? '').split('\n')) if (line.trim()) unformatted.add(path.resolve(line.trim()));
      for (const m of (check.stderr ?? '').matchAll(/^(\S+\.java):\d+/gm)) unformatted.add(path.resolve(m[1]!));
    }
    out.push({ lang: 'java', source: 'OpenJDK java.base sources through google-java-format', items: copies.filter((f) => !unformatted.has(f)).map((file) => ({ file, options: spaces(2) })) });
  } else skip('java', 'java or the OpenJDK sources missing (apt-get install openjdk-17-jre-headless openjdk-17-source)');

  // Ruby through rubocop's Layout cops
  const rubyLib = (): string | undefined => newest('/usr/lib/ruby', '3.') ?? newest('/usr/lib/ruby', '2.');
  if (ensure(() => rubyLib() !== undefined, ['ruby'], ctx.log) && ensure(() => has('rubocop'), ['rubocop'], ctx.log)) {
    const files = spread(findFiles(rubyLib()!, /\.rb$/, 100_000), n(80), 1_000, 40_000);
    const copies = copyAndFormat(ctx, 'ruby', files, '.rb', () => true);
    const dir = path.join(ctx.tmp, 'ruby');
    fs.writeFileSync(path.join(dir, '.rubocop.yml'), 'AllCops:\n  NewCops: disable\n  SuggestExtensions: false\n  TargetRubyVersion: 3.1\n');
    spawnSync('rubocop', ['--only', 'Layout', '--autocorrect', '--cache', 'false', '--format', 'quiet', ...copies.map((c) => path.basename(c))], { cwd: dir, stdio: 'ignore', timeout: 600_000 });
    out.push({ lang: 'ruby', source: `Ruby ${path.basename(rubyLib()!)} standard library through rubocop --only Layout`, items: copies.map((file) => ({ file, options: spaces(2) })) });
  } else skip('ruby', 'ruby or rubocop missing (apt-get install ruby rubocop)');

  // Bash through shfmt
  if (ensure(() => has('shfmt'), ['shfmt'], ctx.log)) {
    const candidates = [...(goSrc() ? findFiles(goSrc()!, /\.(bash|sh)$/, 400_000) : []), ...findFiles('/usr/lib/rustlib/src', /\.sh$/, 100_000), ...findFiles('/usr/share', /\.(sh|bash)$/, 200_000, /^(\.git|go-.*|doc)$/), ...findFiles('/etc', /\.(sh|bash)$/, 5_000)];
    const files = spread(candidates, n(60), 300, 60_000);
    const done = copyAndFormat(ctx, 'bash', files, '.sh', (copy) => run('shfmt', ['-ln', 'bash', '-w', copy]));
    out.push({ lang: 'bash', source: 'shell scripts on this machine (Go, Rust, /usr/share, /etc) through shfmt', items: done.map((file) => ({ file, options: tabs })) });
  } else skip('bash', 'shfmt missing (apt-get install shfmt)');

  // CSS and HTML through prettier
  if (ctx.prettier) {
    const prettier = ctx.prettier;
    const viaPrettier = async (lang: string, files: string[], ext: string): Promise<string[]> => {
      const dir = path.join(ctx.tmp, lang);
      fs.mkdirSync(dir, { recursive: true });
      const done: string[] = [];
      for (const [i, f] of files.entries()) {
        try {
          const copy = path.join(dir, `f${i}${ext}`);
          const src = fs.readFileSync(f, 'utf8');
          if (/\{\{|\{%/.test(src)) continue; // a template (Hugo, Jinja), not HTML
          fs.writeFileSync(copy, await prettier.format(src, { filepath: copy }));
          done.push(copy);
        } catch {
          /* prettier cannot parse it: not in the corpus */
        }
      }
      return done;
    };
    const nm = path.join(ctx.root, 'node_modules');
    const cssFiles = (): string[] => {
      const real = new Set<string>();
      for (const f of ['/usr/share/javascript', '/usr/share/doc', '/usr/src', nm].flatMap((d) => findFiles(d, /\.css$/, 300_000))) if (!/\.min\./.test(f)) real.add(fs.realpathSync(f));
      return [...real].sort();
    };
    ensure(() => cssFiles().length >= 20, ['libjs-bootstrap4', 'libjs-jquery-ui', 'node-normalize.css'], ctx.log);
    const css = await viaPrettier('css', spread(cssFiles(), n(60), 300, 400_000), '.css');
    out.push({ lang: 'css', source: '.css files (bootstrap 4, jquery-ui, normalize.css, rustdoc, ...) through prettier', items: css.map((file) => ({ file, options: spaces(2) })) });
    const html = await viaPrettier('html', spread([...findFiles('/usr/share/doc', /\.html?$/, 100_000), ...findFiles(nm, /\.html?$/, 300_000)], n(40), 500, 60_000), '.html');
    out.push({ lang: 'html', source: '.html files in /usr/share/doc and node_modules through prettier', items: html.map((file) => ({ file, options: spaces(2) })) });
  } else skip('css, html', 'prettier is not installed');

  return out;
}
