// Helix is not packaged for this machine, so its README entry is checked
// rather than run: the TOML parses (python3's tomllib), every language it names
// gets a grammar from the server when sent as the languageId, and the command
// with its args starts a server that answers initialize and exits 0.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type InitializeResult } from 'vscode-languageserver-protocol/node.js';
import { missingTools, readmeBlock, requireOrSkip, sandbox, type Sandbox } from './harness.js';
import type { DebugTreeResult } from '../../server/src/protocol.js';

interface HelixLanguages {
  'language-server': Record<string, { command: string; args?: string[] }>;
  language: { name: string; 'language-servers': string[] }[];
}

const boxes: Sandbox[] = [];
afterAll(() => {
  for (const b of boxes.splice(0)) b.cleanup();
});

describe('Helix languages.toml entry (README)', () => {
  it('parses, names only languages the server knows, and starts a working server', async (ctx) => {
    requireOrSkip(ctx, missingTools('python3'));
    const parsed = spawnSync('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))'], { input: readmeBlock('helix-languages'), encoding: 'utf8' });
    expect(parsed.stderr).toBe('');
    const toml = JSON.parse(parsed.stdout) as HelixLanguages;
    const cst = toml['language-server'].cst!;
    expect(cst.command).toBe('cst-server');
    for (const lang of toml.language) expect(lang['language-servers'].filter((s) => !toml['language-server'][s])).toEqual([]);

    const box = sandbox('helix');
    boxes.push(box);
    const proc = spawn(cst.command, cst.args ?? [], { cwd: box.workspace, env: box.env, stdio: 'pipe' });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    conn.listen();
    try {
      const init = await conn.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      expect(init.serverInfo?.name).toBe('cst-language-server');
      await conn.sendNotification('initialized', {});
      const languages = new Set<string>();
      for (const [i, lang] of toml.language.entries()) {
        // No file extension: the languageId alone must pick the grammar.
        const uri = `untitled:helix-${i}`;
        await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: lang.name, version: 1, text: '' } });
        const tree = await conn.sendRequest<DebugTreeResult>('$/cstDebugTree', { uri, digest: false });
        expect(tree.language, `Helix language "${lang.name}"`).not.toBeNull();
        languages.add(tree.language!);
      }
      // Every language of grammars/languages.json is covered.
      expect(languages.size).toBe(14);
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      expect(await exited).toBe(0);
    } finally {
      conn.dispose();
      proc.kill('SIGKILL');
    }
  }, 60_000);
});
