// Assembles the extension folder client-vscode/dist/ (what the .vsix holds):
//   package.json          the manifest, with activation events generated from grammars/languages.json
//   extension.js          the client (CommonJS, `vscode` external)
//   server/main.js        the language server (ESM; started by the client over node-ipc)
//   server/parseWorker.js its worker threads (main.js starts ./parseWorker.js)
//   server/cli.js         cst-cli (the "Clear cache" command runs `cli.js clear --all`)
//   server/web-tree-sitter.wasm        found by web-tree-sitter beside the bundle (import.meta.url)
//   server/one_ini_bg.wasm             editorconfig's parser, found beside the bundle (__dirname)
//   server/node_modules/<grammar>/     package.json + .wasm of each grammar package: the server
//                                      resolves them as it does from npm, so cache keys (package@version)
//                                      are the same as those of an npm-installed server
//   grammars/             languages.json and the query files
// Usage: node scripts/bundle.mjs [--minify]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(clientDir, '..');
const serverDir = path.join(repoRoot, 'server');
const grammarsDir = path.join(repoRoot, 'grammars');
const out = path.join(clientDir, 'dist');
const minify = process.argv.includes('--minify');
const started = Date.now();

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'server'), { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', minify, legalComments: 'none' };

// The client: CommonJS, as VS Code loads extensions.
await esbuild.build({
  ...common,
  entryPoints: [path.join(clientDir, 'src/extension.ts')],
  outfile: path.join(out, 'extension.js'),
  format: 'cjs',
  external: ['vscode'],
});

// The server: ESM (import.meta.url locates the worker script and web-tree-sitter.wasm).
// CommonJS dependencies bundled into ESM need a `require` for Node's built-ins,
// and __dirname: editorconfig's parser (@one-ini/wasm) reads its .wasm beside itself.
await esbuild.build({
  ...common,
  entryPoints: {
    main: path.join(serverDir, 'src/main.ts'),
    parseWorker: path.join(serverDir, 'src/workspace/parseWorker.ts'),
    cli: path.join(serverDir, 'src/cli/main.ts'),
  },
  outdir: path.join(out, 'server'),
  format: 'esm',
  banner: {
    js: [
      "import { createRequire as __cstCreateRequire } from 'node:module';",
      "import { fileURLToPath as __cstFileURLToPath } from 'node:url';",
      'const require = __cstCreateRequire(import.meta.url);',
      'const __filename = __cstFileURLToPath(import.meta.url);',
      "const __dirname = __cstFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
});
fs.writeFileSync(path.join(out, 'server/package.json'), JSON.stringify({ type: 'module', private: true }, null, 2) + '\n');

// WASM: the runtime beside the bundle, and each grammar package's package.json + .wasm.
const requireFromServer = createRequire(path.join(serverDir, 'package.json'));
function packageDir(pkg) {
  for (const root of requireFromServer.resolve.paths(pkg) ?? []) {
    const dir = path.join(root, pkg);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`bundle: npm package ${pkg} is not installed`);
}
fs.copyFileSync(path.join(packageDir('web-tree-sitter'), 'web-tree-sitter.wasm'), path.join(out, 'server/web-tree-sitter.wasm'));
const requireFromEditorconfig = createRequire(path.join(packageDir('editorconfig'), 'package.json'));
fs.copyFileSync(path.join(path.dirname(requireFromEditorconfig.resolve('@one-ini/wasm')), 'one_ini_bg.wasm'), path.join(out, 'server/one_ini_bg.wasm'));

const manifest = JSON.parse(fs.readFileSync(path.join(grammarsDir, 'languages.json'), 'utf8'));
for (const spec of manifest.languages) {
  const from = packageDir(spec.grammar.package);
  const to = path.join(out, 'server/node_modules', spec.grammar.package);
  fs.mkdirSync(to, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  // Only what the server reads: name and version (part of every cache key).
  fs.writeFileSync(path.join(to, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, license: pkg.license }, null, 2) + '\n');
  fs.copyFileSync(path.join(from, spec.grammar.wasm), path.join(to, spec.grammar.wasm));
}

// Grammars: the manifest and every query file.
fs.cpSync(grammarsDir, path.join(out, 'grammars'), { recursive: true, filter: (src) => fs.statSync(src).isDirectory() || /\.(scm|json)$/.test(src) });

// The manifest: the template without build-only fields, activation by every languageId.
const template = JSON.parse(fs.readFileSync(path.join(clientDir, 'package.json'), 'utf8'));
const languageIds = [...new Set(manifest.languages.flatMap((l) => l.languageIds))];
const { scripts: _s, devDependencies: _d, dependencies: _deps, private: _p, type: _t, ...rest } = template;
const extensionManifest = {
  ...rest,
  main: './extension.js',
  activationEvents: languageIds.map((id) => `onLanguage:${id}`),
};
fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(extensionManifest, null, 2) + '\n');
for (const file of ['README.md', 'CHANGELOG.md']) {
  if (fs.existsSync(path.join(clientDir, file))) fs.copyFileSync(path.join(clientDir, file), path.join(out, file));
}
fs.writeFileSync(path.join(out, '.vscodeignore'), '**/*.map\n');

const size = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? size(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
console.log(`bundle: client-vscode/dist (${(size(out) / 1048576).toFixed(1)} MB, ${manifest.languages.length} grammars) in ${Date.now() - started} ms`);
