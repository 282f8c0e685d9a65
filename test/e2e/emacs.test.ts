// Emacs (-nw in a pseudo-terminal made by script(1), eglot) with the README's
// configuration and cst-stats command, driven by test/e2e/emacs/driver.el as
// keystrokes through Emacs's command loop: outline (imenu), formatting applied
// to the buffer, typing that reaches the server after eglot's idle delay,
// completion-at-point, M-x cst-stats, $/health, and the server's end when
// Emacs quits (C-x C-c).
import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { e2eDir, fixture, missingTools, readmeBlock, readResults, requireOrSkip, runEditor, sandbox, serverLogLines, waitExited, killLeftoverServer, type Sandbox } from './harness.js';
import type { CstStats, Health } from '../../server/src/protocol.js';

interface EmacsResults {
  pid: number;
  major_mode: string;
  js_outline: string[];
  js_before_format: string;
  js_after_format: string;
  js_typed_text: string;
  js_outline_after_typing: string[];
  js_buffer_text: string;
  js_server_text: string;
  js_last_parse: string;
  typing_parses: { full: number; incremental: number };
  py_outline: string[];
  py_line_after_completion: string;
  py_completions_buffer: string;
  cst_stats_message: string;
  stats: CstStats;
  health: Health;
}

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('Emacs with eglot', () => {
  it('serves a JavaScript and a Python buffer through the README configuration, then ends with the editor', async (ctx) => {
    const missing = missingTools('emacs', 'script');
    if (!missing.length) {
      // elpa-eglot on Emacs 28; built in from Emacs 29.
      const probe = await runEditor('emacs', ['--batch', '--eval', "(princ (if (locate-library \"eglot\") \"ok\" \"missing\"))"], { cwd: '/', env: process.env as Record<string, string>, timeoutMs: 30_000 });
      if (!probe.output.includes('ok')) missing.push('eglot (elpa-eglot)');
    }
    requireOrSkip(ctx, missing);
    const box = sandbox('emacs');
    boxes.push(box);
    const config = box.file('config.el', `${readmeBlock('emacs-config')}\n${readmeBlock('emacs-cst-stats')}`);
    const out = path.join(box.root, 'results.json');
    // Not -q: that would also skip activating installed packages (elpa-eglot). HOME is an empty sandbox folder.
    const emacs = `emacs -nw -l ${shellQuote(path.join(e2eDir, 'emacs/driver.el'))}`;
    const run = await runEditor('script', ['-qec', emacs, '/dev/null'], {
      cwd: box.workspace,
      env: { ...box.env, TERM: 'xterm', CST_E2E_CONFIG: config, CST_E2E_OUT: out },
      timeoutMs: 120_000,
    });
    try {
      const r = readResults<EmacsResults>(out, run);
      expect(r.steps).toEqual(['attached', 'outline', 'formatted', 'typed', 'completed', 'stats']);

      // Outline, as eglot's imenu index (kind, container, name).
      expect(r.major_mode).toBe('js-mode');
      expect(r.js_outline).toEqual(['Class Greeter', 'Constructor Greeter constructor', 'Function Greeter::greetAll names.map() callback', 'Function greet', 'Method Greeter greetAll']);
      // util.py reaches the server as languageId "js" (eglot 1.9: the server was started for js-mode) and is still Python.
      expect(r.py_outline).toEqual(['Class Greeter', 'Field Greeter prefix', 'Function greet', 'Method Greeter __init__', 'Method Greeter greet_all']);

      // eglot-format-buffer (tab-width 2, spaces) applied to the buffer.
      expect(r.js_before_format).toBe(fixture('workspace/app.js'));
      expect(r.js_after_format).toBe(fixture('formatted/app.js'));

      // Typing after an emoji on line 1 (UTF-16 columns) and a new function at the end.
      expect(r.js_typed_text.split('\n')[0]).toBe('// Greetings 😀 for everyone and 漢字');
      expect(r.js_typed_text).toMatch(/\nfunction added\(n\) \{\n +return n \+ 1;\n\}\n?$/);
      expect(r.js_outline_after_typing).toContain('Function added');
      // The server reached the buffer's version with the buffer's text, by incremental changes only.
      expect(r.js_server_text).toBe(r.js_buffer_text);
      expect(r.js_buffer_text.startsWith(r.js_typed_text.split('\n')[0]!)).toBe(true);
      expect(r.js_last_parse).toBe('incremental');
      expect(r.typing_parses.full).toBe(0);
      expect(r.typing_parses.incremental).toBeGreaterThanOrEqual(1);

      // C-M-i after "print(gre": the common part inserted, then the candidates listed.
      expect(r.py_line_after_completion.trim()).toBe('print(greet');
      expect(r.py_completions_buffer).toMatch(/greet_all/);
      expect(r.py_completions_buffer).toMatch(/greetAll/);

      // M-x cst-stats (README) and the requests themselves.
      expect(r.cst_stats_message).toMatch(/^CST healthy · \d+% hits · \d+\.\d\/100 MB · hot 2 warm 0 cold 0 frozen 0 · parse p50 \d+\.\d ms$/);
      expect(r.stats.documents.open).toBe(2);
      expect(r.stats.budgetBytes).toBe(100 * 1024 * 1024);
      expect(r.health.status).toBe('healthy');

      // C-x C-c: Emacs sends the server SIGHUP (eglot 1.9 does not shut it down); it flushes and exits.
      expect(await waitExited(r.pid), `server ${r.pid} still running after Emacs quit`).toBe(true);
      const log = serverLogLines(box.serverLog, r.pid);
      expect(log.map((l) => l.msg)).toContain('initialize');
      expect(log.map((l) => l.msg)).toContain('shutdown: store flushed, every tree deleted');
      expect(log.filter((l) => l.level >= 40), 'warnings or errors in the server log').toEqual([]);
    } finally {
      killLeftoverServer(out);
    }
  }, 180_000);
});
