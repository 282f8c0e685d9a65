// textDocument/completion through the built server: scope order, parameters,
// members after `.`, nothing in strings/comments, UTF-16 textEdit ranges after
// emoji/CJK, the same answer hot and warm, trigger characters, resolve, and
// cancellation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, Position } from 'vscode-languageserver-protocol';
import { startServer, type TestServer } from '../helpers/lsp.js';

let server: TestServer;
let version = 1;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Open `text` where `|` marks the cursor (removed); returns the cursor position. */
function openAt(uri: string, languageId: string, marked: string): Position {
  const at = marked.indexOf('|');
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = text.slice(0, at).split('\n');
  server.open(uri, languageId, text, version++);
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

async function complete(uri: string, position: Position, triggerCharacter?: string): Promise<CompletionList> {
  const context = triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind: 1 };
  return server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position, context });
}

/** Labels as an editor shows them: sorted by sortText. */
function labels(list: CompletionList): string[] {
  return [...list.items].sort((a, b) => (a.sortText! < b.sortText! ? -1 : a.sortText! > b.sortText! ? 1 : 0)).map((i) => i.label);
}

describe('completion', () => {
  it('advertises trigger characters and resolve', () => {
    const provider = server.init?.capabilities.completionProvider;
    expect(provider?.resolveProvider).toBe(true);
    expect(provider?.triggerCharacters).toContain('.');
  });

  it('offers names of enclosing scopes nearest first, parameters included', async () => {
    const uri = 'file:///tmp/cst-completion/scopes.py';
    const pos = openAt(
      uri,
      'python',
      [
        'value_global = 1',
        'def value_far(): pass',
        'def outer(value_param):',
        '    value_outer = 2',
        '    def inner(value_arg):',
        '        value_inner = 3',
        '        return val|',
        '',
      ].join('\n'),
    );
    const list = await complete(uri, pos);
    const order = labels(list).filter((l) => l.startsWith('value_'));
    expect(order.slice(0, 2).sort()).toEqual(['value_arg', 'value_inner']);
    expect(order.indexOf('value_param')).toBeLessThan(order.indexOf('value_global'));
    expect(order.indexOf('value_outer')).toBeLessThan(order.indexOf('value_far'));
    expect(order).toContain('value_global');
    const param = list.items.find((i) => i.label === 'value_arg')!;
    expect(param.detail).toMatch(/parameter/);
    // Every item replaces exactly the typed word.
    for (const item of list.items) {
      const edit = item.textEdit as { range: { start: Position; end: Position }; newText: string };
      expect(edit.range).toEqual({ start: { line: pos.line, character: pos.character - 3 }, end: pos });
      expect(item.filterText).toBe(item.label);
    }
    server.close(uri);
  });

  it('offers members seen after the same receiver first after `.`', async () => {
    const uri = 'file:///tmp/cst-completion/members.ts';
    const pos = openAt(
      uri,
      'typescript',
      [
        'const config = load();',
        'other.zeta = 1;',
        'config.alpha = 1;',
        'console.log(config.beta, other.gamma);',
        'config.|',
      ].join('\n'),
    );
    const list = await complete(uri, pos, '.');
    const order = labels(list);
    expect(order.slice(0, 2).sort()).toEqual(['alpha', 'beta']);
    expect(order).toContain('zeta');
    expect(order).not.toContain('const');
    expect(order).not.toContain('config');
    server.close(uri);
  });

  it('offers self members of the enclosing class', async () => {
    const uri = 'file:///tmp/cst-completion/self.py';
    const pos = openAt(uri, 'python', ['class Box:', '    def open_lid(self):', '        self.lid_state = 1', '    def close(self):', '        self.|', ''].join('\n'));
    const order = labels(await complete(uri, pos, '.'));
    expect(order.slice(0, 3)).toEqual(expect.arrayContaining(['open_lid', 'lid_state']));
    server.close(uri);
  });

  it('offers nothing inside strings and comments, and keywords only where they can stand', async () => {
    const uri = 'file:///tmp/cst-completion/skip.py';
    const text = ['name_one = "name_two is here na"', '# name_three na', 'x = f"{name_o}"', 'name_one.', 'na', 'x = na', ''].join('\n');
    server.open(uri, 'python', text, version++);
    expect((await complete(uri, { line: 0, character: 31 })).items).toEqual([]);
    expect((await complete(uri, { line: 1, character: 15 })).items).toEqual([]);
    // f-string braces are code.
    expect(labels(await complete(uri, { line: 2, character: 12 }))).toContain('name_one');
    // After a member operator: no keywords.
    expect(labels(await complete(uri, { line: 3, character: 9 }, '.'))).not.toContain('import');
    // Statement start: statement keywords; mid-expression: expression keywords only.
    server.change(uri, version++, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 2 } }, text: 'im' }]);
    expect(labels(await complete(uri, { line: 4, character: 2 }))).toContain('import');
    server.change(uri, version++, [{ range: { start: { line: 5, character: 4 }, end: { line: 5, character: 6 } }, text: 'No' }]);
    const mid = labels(await complete(uri, { line: 5, character: 6 }));
    expect(mid).toContain('None');
    server.change(uri, version++, [{ range: { start: { line: 5, character: 4 }, end: { line: 5, character: 6 } }, text: 'im' }]);
    expect(labels(await complete(uri, { line: 5, character: 6 }))).not.toContain('import');
    // A trigger character that is not a member operator here: nothing.
    server.change(uri, version++, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: 'def f(a:' }]);
    expect((await complete(uri, { line: 6, character: 8 }, ':')).items).toEqual([]);
    server.close(uri);
  });

  it('replaces exactly the typed word in UTF-16 after emoji and CJK', async () => {
    const uri = 'file:///tmp/cst-completion/utf16.ts';
    const line = 'const s = "😀漢字"; const 変数名 = 1; longName + lon';
    const text = `const longName = 1;\n${line}\n`;
    server.open(uri, 'typescript', text, version++);
    const pos = { line: 1, character: line.length };
    const list = await complete(uri, pos);
    const item = list.items.find((i) => i.label === 'longName')!;
    expect(item).toBeDefined();
    expect((item.textEdit as { range: unknown }).range).toEqual({ start: { line: 1, character: line.length - 3 }, end: pos });
    // A CJK identifier is a word too.
    server.change(uri, version++, [{ range: { start: pos, end: pos }, text: ' + 変' }]);
    const pos2 = { line: 1, character: line.length + 4 };
    const cjk = await complete(uri, pos2);
    const v = cjk.items.find((i) => i.label === '変数名')!;
    expect((v.textEdit as { range: unknown }).range).toEqual({ start: { line: 1, character: line.length + 3 }, end: pos2 });
    server.close(uri);
  });

  it('answers the same from the hot and the warm tier', async () => {
    const uri = 'file:///tmp/cst-completion/tiers.py';
    const body = ['import os', 'class Walker:', '    def walk(self, root_dir, depth):', '        result = []', '        for entry in os.listdir(root_dir):', '            result.append(entry)', '        return re', ''];
    server.open(uri, 'python', body.join('\n'), version++);
    const positions = [{ line: 6, character: 17 }, { line: 5, character: 19 }, { line: 4, character: 23 }, { line: 2, character: 25 }];
    const hot = await Promise.all(positions.map((p) => complete(uri, p)));
    expect(await server.request('$/cstDebugSetTier', { uri, tier: 'warm' })).toEqual({ tier: 'warm' });
    const warm = await Promise.all(positions.map((p) => complete(uri, p)));
    expect(warm).toEqual(hot);
    expect(labels(hot[0]!)[0]).toBe('result');
    server.close(uri);
  });

  it('resolves documentation lazily from the definition', async () => {
    const uri = 'file:///tmp/cst-completion/resolve.py';
    const pos = openAt(uri, 'python', ['def helper_fn(a, b):', '    """Add two numbers."""', '    return a + b', '', 'helper_|', ''].join('\n'));
    const item = (await complete(uri, pos)).items.find((i) => i.label === 'helper_fn')!;
    expect(item.documentation).toBeUndefined();
    const resolved = await server.request<CompletionItem>('completionItem/resolve', item);
    expect(JSON.stringify(resolved.documentation)).toContain('def helper_fn(a, b):');
    expect(JSON.stringify(resolved.documentation)).toContain('Add two numbers.');
    server.close(uri);
  });

  it('cuts long lists (isIncomplete) and honours cancellation', async () => {
    const uri = 'file:///tmp/cst-completion/many.js';
    const names = Array.from({ length: 300 }, (_, i) => `item${i}`);
    const text = `${names.map((n) => `const ${n} = ${n.length};`).join('\n')}\nit`;
    server.open(uri, 'javascript', text, version++);
    const pos = { line: 300, character: 2 };
    const list = await complete(uri, pos);
    expect(list.isIncomplete).toBe(true);
    expect(list.items.length).toBe(100);
    // A request cancelled before the server reads it answers cheaply (empty or RequestCancelled).
    const source = new (await import('vscode-languageserver-protocol')).CancellationTokenSource();
    const pending = server.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: pos }, source.token);
    source.cancel();
    const outcome = await pending.then(
      (r) => r as CompletionList,
      (e: { code?: number }) => e,
    );
    if ('items' in outcome) expect(outcome.items.length === 0 || outcome.items.length === 100).toBe(true);
    else expect(outcome.code).toBe(-32800);
    // The server still answers afterwards.
    expect((await complete(uri, pos)).items.length).toBe(100);
    server.close(uri);
  });
});

describe('completion from a large workspace', () => {
  it('takes the best workspace names without walking them all, and the list is what a full walk gives', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { fileUri } = await import('../helpers/lsp.js');
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cst-completion-ws-')));
    // 240 identifiers zq<k> and members .zm<k>: zq<k> is used in 12 - k % 12 of the 12 files (ties on purpose).
    const FILES = 12;
    const N = 240;
    for (let j = 0; j < FILES; j++) {
      const lines: string[] = [];
      for (let k = 0; k < N; k++) if (k % FILES < FILES - j) lines.push(`zq${k} = obj.zm${k}`);
      fs.writeFileSync(path.join(root, `m${j}.py`), lines.join('\n') + '\n');
    }
    const ws = await startServer({ rootUri: fileUri(root), workspaceFolders: [{ uri: fileUri(root), name: 'ws' }], capabilities: { window: { workDoneProgress: true } } });
    try {
      for (let i = 0; i < 400 && !ws.progress.some((p) => p.value.kind === 'end'); i++) await new Promise((r) => setTimeout(r, 50));
      const filesOf = (k: number) => FILES - (k % FILES);
      // The full ranking of the workspace names: more files first, then shorter, then by name.
      const expected = (stems: string[]) =>
        stems
          .flatMap((stem) => Array.from({ length: N }, (_, k) => ({ name: `${stem}${k}`, files: filesOf(k) })))
          .sort((a, b) => b.files - a.files || a.name.length - b.name.length || (a.name < b.name ? -1 : 1))
          .map((x) => x.name);
      /** The workspace names of a list, in order; they must be the head of the full ranking, and nearly fill the list. */
      const checkHead = (list: CompletionList, stems: string[]) => {
        expect(list.isIncomplete).toBe(true);
        const got = labels(list).filter((l) => /^z[qm]\d+$/.test(l));
        expect(got.length).toBeGreaterThanOrEqual(95);
        expect(got).toEqual(expected(stems).slice(0, got.length));
      };
      const uri = fileUri(path.join(os.tmpdir(), 'cst-completion-ws-doc', 'typing.py'));
      const text = 'def f(thing):\n    z\n    zq\n    thing.\n    thing.z\n';
      ws.open(uri, 'python', text, 1);
      const at = (line: number, character: number, trigger?: string) =>
        ws.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character }, context: trigger ? { triggerKind: 2, triggerCharacter: trigger } : { triggerKind: 1 } });
      // One character typed: the walk stops early; two: it walks every name. Identifiers (members are identifiers too).
      checkHead(await at(1, 5), ['zq', 'zm']);
      checkHead(await at(2, 6), ['zq']);
      // Members: nothing typed after `.` (every member of the workspace), then one character.
      checkHead(await at(3, 10, '.'), ['zm']);
      checkHead(await at(4, 11), ['zm']);
    } finally {
      await ws.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('completion facts of a newly opened document', () => {
  it('are built once the connection is quiet, so the first keystroke recomputes one chunk', async () => {
    const fs = await import('node:fs');
    const { pythonStdlib } = await import('../helpers/corpus.js');
    const source = fs.readFileSync(`${pythonStdlib()}/_pydecimal.py`, 'utf8').split('\n').slice(0, 3000).join('\n');
    const uri = 'file:///tmp/cst-completion/prepared.py';
    server.open(uri, 'python', source, version++);
    const debug = () => server.request<{ completionBuild?: { chunks: number; chunkHits: number } }>('$/cstDebugTree', { uri, digest: false });
    // Busy: a request every 50 ms keeps the connection from being quiet, so nothing is built yet.
    for (let i = 0; i < 8; i++) {
      expect((await debug()).completionBuild).toBeUndefined();
      await new Promise((r) => setTimeout(r, 50));
    }
    // Quiet: built without any completion request, every chunk computed.
    let built: { chunks: number; chunkHits: number } | undefined;
    for (let i = 0; i < 40 && !built; i++) {
      await new Promise((r) => setTimeout(r, 400));
      built = (await debug()).completionBuild;
    }
    expect(built!.chunks).toBeGreaterThan(20);
    expect(built!.chunkHits).toBe(0);
    // The first keystroke's completion reuses them all but the chunk it touched.
    const lines = source.split('\n');
    const line = lines.findIndex((l, i) => i > 1000 && /^ {8}return\b/.test(l));
    server.change(uri, version++, [{ range: { start: { line, character: lines[line]!.length }, end: { line, character: lines[line]!.length } }, text: ' or sel' }]);
    const list = await server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character: lines[line]!.length + 7 }, context: { triggerKind: 1 } });
    expect(labels(list)).toContain('self');
    const after = (await debug()).completionBuild!;
    expect(after.chunks).toBeLessThanOrEqual(2);
    expect(after.chunkHits).toBeGreaterThan(20);
    server.close(uri);
  });

  it('a document restored from the store (no parse) is made hot and prepared when it is the one opened last', async () => {
    const fs = await import('node:fs');
    const { pythonStdlib } = await import('../helpers/corpus.js');
    const source = fs.readFileSync(`${pythonStdlib()}/_pydecimal.py`, 'utf8').split('\n').slice(0, 2000).join('\n') + `\n# ${Date.now()}\n`;
    type Stats = { document?: { tier: string }; frozen: { records: number }; parses: { full: number; prepared: number } };
    const stats = (uri: string) => server.request<Stats>('$/cstStats', { uri });
    const build = async (uri: string) => (await server.request<{ completionBuild?: { chunks: number } }>('$/cstDebugTree', { uri, digest: false })).completionBuild;
    const until = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
      let v = await probe();
      for (let i = 0; i < 60 && !ok(v); i++) {
        await new Promise((r) => setTimeout(r, 250));
        v = await probe();
      }
      return v;
    };
    // The text reaches the store through the idle confirmation of a first document.
    const first = 'file:///tmp/cst-completion/stored-first.py';
    const records = (await stats(first)).frozen.records;
    server.open(first, 'python', source, version++);
    expect((await until(() => stats(first), (s) => s.frozen.records > records)).frozen.records).toBeGreaterThan(records);
    server.close(first);
    // Two documents with that text: both restored warm; only the one opened last is made hot.
    const other = 'file:///tmp/cst-completion/stored-other.py';
    const last = 'file:///tmp/cst-completion/stored-last.py';
    server.open(other, 'python', source, version++);
    server.open(last, 'python', source, version++);
    const before = (await stats(last)).parses;
    expect((await stats(last)).document?.tier).toBe('warm');
    const prepared = await until(() => build(last), (b) => b !== undefined);
    expect(prepared!.chunks).toBeGreaterThan(20);
    expect((await stats(last)).document?.tier).toBe('hot');
    expect((await stats(other)).document?.tier).toBe('warm');
    // Counted as prepared: restoring itself parsed nothing.
    const after = (await stats(last)).parses;
    expect(after.prepared).toBe(before.prepared + 1);
    expect(after.full).toBe(before.full);
    server.close(other);
    server.close(last);
  });

  // Typing inside the multi-line `return (...)` of 5,000 lines of _pydecimal.py (as the completion-speed
  // bench does), an unclosed `(` turns the rest of the module into one ERROR node: every chunk after
  // the cursor changes, and the enclosing method is gone from the tree.
  it('an edit that throws the rest of the file into error recovery is answered from the last build, and built when quiet', async () => {
    const fs = await import('node:fs');
    const { pythonStdlib } = await import('../helpers/corpus.js');
    const lines = fs.readFileSync(`${pythonStdlib()}/_pydecimal.py`, 'utf8').split('\n').slice(0, 5000);
    const uri = 'file:///tmp/cst-completion/deferred.py';
    server.open(uri, 'python', lines.join('\n'), version++);
    type Build = { chunks: number; chunkHits: number; deferred: boolean; deferrals: number };
    const debug = async () => (await server.request<{ completionBuild?: Build }>('$/cstDebugTree', { uri, digest: false })).completionBuild;
    const quiet = async (ok: (b: Build) => boolean) => {
      let b: Build | undefined;
      for (let i = 0; i < 40 && !(b && ok(b)); i++) {
        await new Promise((r) => setTimeout(r, 300));
        b = await debug();
      }
      return b!;
    };
    await quiet(() => true);
    let line = 4000;
    while (line > 0 && !/^ {8}return\b/.test(lines[line]!)) line--;
    let character = lines[line]!.length;
    const type = (text: string) => {
      server.change(uri, version++, [{ range: { start: { line, character }, end: { line, character } }, text }]);
      const parts = text.split('\n');
      if (parts.length > 1) {
        line += parts.length - 1;
        character = parts[parts.length - 1]!.length;
      } else character += text.length;
    };
    const complete = () => server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character }, context: { triggerKind: 1 } });
    type('\n        x = self._fix(');
    type('se');
    const inParen = await complete();
    const b1 = (await debug())!;
    expect(b1.deferred).toBe(true);
    // From the last build: the method and its parameters are still there.
    const self = inParen.items.find((i) => i.label === 'self');
    expect(self?.detail).toMatch(/^parameter \(local\) · line \d+/);
    // Comment and string context comes from the live tree while the facts are stale.
    type(' # con');
    expect((await complete()).items).toEqual([]);
    expect((await debug())!.deferred).toBe(true);
    // The error heals: the last build's records match again, one chunk is computed.
    type('\n        )');
    await complete();
    const b2 = (await debug())!;
    expect(b2.deferred).toBe(false);
    expect(b2.chunks).toBeLessThanOrEqual(2);
    expect(b2.chunkHits).toBeGreaterThan(20);
    // Deferred again, and left alone: built once the connection is quiet.
    type('\n        y = len(');
    await complete();
    expect((await debug())!.deferred).toBe(true);
    const b3 = await quiet((b) => !b.deferred);
    expect(b3.deferred).toBe(false);
    expect(b3.chunks).toBeGreaterThan(20);
    server.close(uri);
  });
});
