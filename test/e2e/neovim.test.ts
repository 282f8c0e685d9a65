// Neovim (0.7+, headless) with the README's configuration and statusline,
// driven by test/e2e/neovim/driver.lua: outline, formatting applied to the
// buffer, typing that reaches the server as incremental changes, completion
// through the omnifunc, $/cstStats and $/health, and the server's exit on :qa.
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { e2eDir, fixture, missingTools, readmeBlock, readResults, requireOrSkip, runEditor, sandbox, serverLogLines, waitExited, killLeftoverServer, type Sandbox } from './harness.js';
import type { CstStats, Health } from '../../server/src/protocol.js';

interface NeovimResults {
  pid: number;
  filetype: string;
  ts_outline: string[];
  ts_before_format: string;
  ts_after_format: string;
  ts_modified_after_format: boolean;
  ts_typed_text: string;
  ts_outline_after_typing: string[];
  ts_server_text: string;
  ts_server_version: number;
  ts_buffer_version: number;
  ts_last_parse: string;
  typing_parses: { full: number; incremental: number };
  py_outline: string[];
  py_completion: string[];
  stats: CstStats;
  health: Health;
  statusline: string;
}

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

describe('Neovim', () => {
  it('serves a TypeScript and a Python buffer through the README configuration, then exits with the editor', async (ctx) => {
    requireOrSkip(ctx, missingTools('nvim'));
    const box = sandbox('nvim');
    boxes.push(box);
    const config = box.file('config.lua', `${readmeBlock('neovim-config')}\n${readmeBlock('neovim-statusline')}`);
    const out = path.join(box.root, 'results.json');
    const run = await runEditor('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(e2eDir, 'neovim/driver.lua')}`], {
      cwd: box.workspace,
      env: { ...box.env, CST_E2E_CONFIG: config, CST_E2E_OUT: out },
      timeoutMs: 120_000,
    });
    try {
      const r = readResults<NeovimResults>(out, run);
      expect(r.steps).toEqual(['attached', 'outline', 'formatted', 'typed', 'completed', 'stats']);

      // Outline, as Neovim's own symbols_to_items renders it.
      expect(r.filetype).toBe('typescript');
      expect(r.ts_outline).toEqual(['[Function] greet', '[Class] Greeter', '[Constructor] constructor', '[Method] greetAll', '[Function] names.map() callback']);
      expect(r.py_outline).toEqual(['[Function] greet', '[Class] Greeter', '[Method] __init__', '[Field] prefix', '[Method] greet_all']);

      // Formatting (shiftwidth 2, expandtab) applied to the buffer by Neovim.
      expect(r.ts_before_format).toBe(fixture('workspace/app.ts'));
      expect(r.ts_after_format).toBe(fixture('formatted/app.ts'));
      expect(r.ts_modified_after_format).toBe(true);

      // Typing: after an emoji on line 1 (UTF-16 columns) and a new function at the end.
      expect(r.ts_typed_text.split('\n')[0]).toBe('// Greetings 😀 for everyone and 漢字');
      expect(r.ts_typed_text).toContain('\nexport function added(n: number): number {\n  return n + 1;\n');
      expect(r.ts_outline_after_typing).toContain('[Function] added');
      // The server holds exactly the buffer's text at the buffer's version, reached by
      // incremental changes only (a full-text change would have cost a full parse).
      expect(r.ts_server_text).toBe(r.ts_typed_text);
      expect(r.ts_server_version).toBe(r.ts_buffer_version);
      expect(r.ts_last_parse).toBe('incremental');
      expect(r.typing_parses.full).toBe(0);
      expect(r.typing_parses.incremental).toBeGreaterThanOrEqual(2);

      // Completion through <C-x><C-o> (vim.lsp.omnifunc) after "print(gre".
      expect(r.py_completion).toEqual(expect.arrayContaining(['greet', 'greet_all']));

      // $/cstStats and $/health with Neovim's {} (sent as []), and the README's statusline.
      expect(r.stats.budgetBytes).toBe(100 * 1024 * 1024);
      expect(r.stats.documents.open).toBe(2);
      expect(r.stats.tiers.hot.entries).toBe(2);
      expect(r.stats.usedBytes).toBeGreaterThan(0);
      expect(r.health.status).toBe('healthy');
      expect(Object.keys(r.health.checks).sort()).toEqual(['cache', 'frozenStore', 'index', 'parser']);
      expect(r.statusline).toMatch(/CST \d+% · \d+\.\d\/100 MB {2}\d+:\d+/);

      // :qa stops the client: shutdown + exit, the cache flushed, the process gone.
      expect(await waitExited(r.pid), `server ${r.pid} still running after Neovim quit`).toBe(true);
      const log = serverLogLines(box.serverLog, r.pid);
      expect(log.find((l) => l.msg === 'initialize')?.client).toEqual({ name: 'Neovim', version: expect.stringMatching(/^0\.\d+\.\d+/) });
      expect(log.map((l) => l.msg)).toContain('shutdown: store flushed, every tree deleted');
      expect(log.filter((l) => l.level >= 40), 'warnings or errors in the server log').toEqual([]);
    } finally {
      killLeftoverServer(out);
    }
  }, 180_000);
});
