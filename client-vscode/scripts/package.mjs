// Packages client-vscode/dist (built by scripts/bundle.mjs) into a .vsix with
// @vscode/vsce, offline: everything the extension needs is already bundled
// (--no-dependencies), so vsce neither runs npm nor reads node_modules.
// Usage: node scripts/package.mjs [--out FILE]   (default client-vscode/cst-language-client-<version>.vsix)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(clientDir, 'dist');
if (!fs.existsSync(path.join(dist, 'package.json')) || !fs.existsSync(path.join(dist, 'server/main.js'))) {
  console.error('package: client-vscode/dist is not built; run `npm run build` first');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(dist, 'package.json'), 'utf8'));
const outFlag = process.argv.indexOf('--out');
const out = path.resolve(outFlag > 0 ? process.argv[outFlag + 1] : path.join(clientDir, `${manifest.name}-${manifest.version}.vsix`));

const require = createRequire(import.meta.url);
const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], {
  cwd: dist,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`package: ${path.relative(process.cwd(), out) || out} (${(fs.statSync(out).size / 1048576).toFixed(1)} MB)`);
