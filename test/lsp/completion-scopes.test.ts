// Scope-aware completion (grammars/<id>/completion.scm @scope/@definition.*) for Go, Rust, C, C++,
// Java, Ruby and Bash through the built server: inside a function body, after 1-3 typed characters,
// the enclosing function's parameter and local rank above a same-prefixed name bound only in another
// function, that other function's local is not offered as a scope binding, and kinds and details
// say parameter / variable / function. Then the same on a real file of each language where one exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionItemKind, type CompletionItem, type CompletionList, type Position } from 'vscode-languageserver-protocol';
import { repoRoot, startServer, type TestServer } from '../helpers/lsp.js';

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
  expect(at).toBeGreaterThanOrEqual(0);
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = text.slice(0, at).split('\n');
  server.open(uri, languageId, text, version++);
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

async function complete(uri: string, position: Position): Promise<CompletionItem[]> {
  const list = await server.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 1 } });
  // As an editor shows them: by sortText.
  return [...list.items].sort((a, b) => (a.sortText! < b.sortText! ? -1 : a.sortText! > b.sortText! ? 1 : 0));
}

interface Case {
  languageId: string;
  ext: string;
  /** Source with `|` at the cursor, inside a function body, after a typed prefix. */
  source: string[];
  /** A parameter and a local of the enclosing function. */
  param?: string;
  local: string;
  /** Same prefix, bound only in another function of the file. */
  elsewhere: string;
  /** A function (or method) defined at file level, with its expected item kind. */
  fn?: { name: string; kind: CompletionItemKind; detail: RegExp };
}

const CASES: Case[] = [
  {
    languageId: 'go',
    ext: 'go',
    source: [
      'package main',
      '',
      'import "fmt"',
      '',
      'type Counter struct {',
      '\tcountTotal int',
      '}',
      '',
      'func countWords(text string) int {',
      '\tcountOther := len(text)',
      '\treturn countOther',
      '}',
      '',
      'func (c *Counter) Add(countDelta int) {',
      '\tcountBefore := c.countTotal',
      '\tfor i := 0; i < countDelta; i++ {',
      '\t\tfmt.Println(i, countBefore)',
      '\t\tcou|',
      '\t}',
      '}',
      '',
    ],
    param: 'countDelta',
    local: 'countBefore',
    elsewhere: 'countOther',
    fn: { name: 'countWords', kind: CompletionItemKind.Function, detail: /^function · line 9$/ },
  },
  {
    languageId: 'rust',
    ext: 'rs',
    source: [
      'use std::collections::HashMap;',
      '',
      'struct Counter {',
      '    count_total: usize,',
      '}',
      '',
      'fn count_words(text: &str) -> usize {',
      '    let count_other = text.len();',
      '    count_other',
      '}',
      '',
      'impl Counter {',
      '    fn add(&mut self, count_delta: usize) {',
      '        let mut count_before = self.count_total;',
      '        for i in 0..count_delta {',
      '            count_before += i;',
      '            cou|',
      '        }',
      '    }',
      '}',
      '',
    ],
    param: 'count_delta',
    local: 'count_before',
    elsewhere: 'count_other',
    fn: { name: 'count_words', kind: CompletionItemKind.Function, detail: /^function · line 7$/ },
  },
  {
    // A function definition's name is not a scope binding in C (see grammars/c/completion.scm); its prototype is.
    languageId: 'c',
    ext: 'c',
    source: [
      '#include <stdio.h>',
      '',
      'struct counter {',
      '    int count_total;',
      '};',
      '',
      'static int count_words(const char *text);',
      '',
      'static int count_words(const char *text) {',
      '    int count_other = 0;',
      '    while (*text) count_other += *text++ == \' \';',
      '    return count_other;',
      '}',
      '',
      'void counter_add(struct counter *c, int count_delta) {',
      '    int count_before = c->count_total;',
      '    for (int i = 0; i < count_delta; i++) {',
      '        printf("%d\\n", i);',
      '        cou|',
      '    }',
      '}',
      '',
    ],
    param: 'count_delta',
    local: 'count_before',
    elsewhere: 'count_other',
    fn: { name: 'count_words', kind: CompletionItemKind.Function, detail: /^function · line 7$/ },
  },
  {
    languageId: 'cpp',
    ext: 'cpp',
    source: [
      '#include <vector>',
      '',
      'namespace util {',
      'class Counter {',
      ' public:',
      '  void add(int count_delta, const std::vector<int> &items);',
      ' private:',
      '  int count_total = 0;',
      '};',
      '}  // namespace util',
      '',
      'static int count_words(const char *text);',
      '',
      'static int count_words(const char *text) {',
      '  int count_other = 0;',
      '  return count_other;',
      '}',
      '',
      'void util::Counter::add(int count_delta, const std::vector<int> &items) {',
      '  auto count_before = count_total;',
      '  for (const auto &item : items) {',
      '    count_before += item;',
      '    cou|',
      '  }',
      '}',
      '',
    ],
    param: 'count_delta',
    local: 'count_before',
    elsewhere: 'count_other',
    fn: { name: 'count_words', kind: CompletionItemKind.Function, detail: /^function · line 12$/ },
  },
  {
    // Methods are members in Java: offered after `this.` (below), not as bare scope names in another method.
    languageId: 'java',
    ext: 'java',
    source: [
      'package demo;',
      '',
      'import java.util.List;',
      '',
      'public class Counter {',
      '    private int countTotal;',
      '',
      '    static int countWords(String text) {',
      '        int countOther = text.length();',
      '        return countOther;',
      '    }',
      '',
      '    void add(int countDelta, List<String> items) {',
      '        int countBefore = this.countTotal;',
      '        for (String item : items) {',
      '            countBefore += item.length();',
      '            cou|',
      '        }',
      '    }',
      '}',
      '',
    ],
    param: 'countDelta',
    local: 'countBefore',
    elsewhere: 'countOther',
  },
  {
    languageId: 'ruby',
    ext: 'rb',
    source: [
      "require 'set'",
      '',
      'def count_words(text)',
      '  count_other = text.split.size',
      '  count_other',
      'end',
      '',
      'class Counter',
      '  def initialize(start)',
      '    @count_total = start',
      '  end',
      '',
      '  def add(count_delta, items)',
      '    count_before = @count_total',
      '    items.each do |item|',
      '      count_before += item',
      '      cou|',
      '    end',
      '  end',
      'end',
      '',
    ],
    param: 'count_delta',
    local: 'count_before',
    elsewhere: 'count_other',
  },
  {
    // Shell functions have no named parameters; `local` declares a function's variables. Typed in an
    // arithmetic context: after `$` the word typed is `$cou`, which no definition name matches.
    languageId: 'shellscript',
    ext: 'sh',
    source: [
      '#!/bin/bash',
      '',
      'count_words() {',
      '  local count_other',
      '  count_other=$(wc -w < "$1")',
      '  echo "$count_other"',
      '}',
      '',
      'add() {',
      '  local count_before=0 count_delta=$1',
      '  for i in 1 2 3; do',
      '    count_before=$((count_before + i * count_delta))',
      '  done',
      '  (( cou| > 10 )) && echo big',
      '}',
      '',
    ],
    local: 'count_before',
    elsewhere: 'count_other',
    fn: { name: 'count_words', kind: CompletionItemKind.Function, detail: /^function · line 3$/ },
  },
];

describe('scope-aware completion', () => {
  for (const c of CASES) {
    it(`${c.languageId}: enclosing parameters and locals first, another function's locals not in scope`, async () => {
      const uri = `file:///tmp/cst-completion-scopes/sample.${c.ext}`;
      const pos = openAt(uri, c.languageId, c.source.join('\n'));
      const items = await complete(uri, pos);
      const order = items.map((i) => i.label);
      const item = (name: string): CompletionItem => {
        const found = items.find((i) => i.label === name);
        expect(found, `${name} offered in ${order.join(', ')}`).toBeDefined();
        return found!;
      };
      const other = item(c.elsewhere);
      expect(other.detail ?? '').not.toMatch(/\(local\)/);
      const local = item(c.local);
      expect(local.detail).toMatch(/^variable \(local\) · line \d+$/);
      expect(local.kind).toBe(CompletionItemKind.Variable);
      expect(order.indexOf(c.local)).toBeLessThan(order.indexOf(c.elsewhere));
      if (c.param) {
        const param = item(c.param);
        expect(param.detail).toMatch(/^parameter \(local\) · line \d+$/);
        expect(param.kind).toBe(CompletionItemKind.Variable);
        expect(order.indexOf(c.param)).toBeLessThan(order.indexOf(c.elsewhere));
      }
      if (c.fn) {
        const fn = item(c.fn.name);
        expect(fn.detail).toMatch(c.fn.detail);
        expect(fn.kind).toBe(c.fn.kind);
      }
      server.close(uri);
    });
  }
});

// Real files: a prefix typed on a new first line of a function body; the enclosing function's
// parameter (or, in shell, the function itself) comes back with its scope detail. The first three
// ship with the npm dependencies; the others are system sources, used where this machine has them.
interface RealFile {
  languageId: string;
  file: string;
  /** The function header line; the typed line goes right after it. */
  header: RegExp;
  typed: string;
  name: string;
  detail: RegExp;
}

const REAL: RealFile[] = [
  { languageId: 'c', file: path.join(repoRoot, 'node_modules/tree-sitter-bash/src/scanner.c'), header: /^static inline void reset_string\(String \*string\) \{$/, typed: '    str', name: 'string', detail: /^parameter \(local\)/ },
  { languageId: 'cpp', file: path.join(repoRoot, 'node_modules/tree-sitter-go/bindings/node/binding.cc'), header: /^Napi::Object Init\(Napi::Env env, Napi::Object exports\) \{$/, typed: '    ex', name: 'exports', detail: /^parameter \(local\)/ },
  { languageId: 'shellscript', file: path.join(repoRoot, 'node_modules/vscode-languageclient/lib/node/terminateProcess.sh'), header: /^terminateTree\(\) \{$/, typed: '    ter', name: 'terminateTree', detail: /^function · line \d+$/ },
  { languageId: 'go', file: '/usr/src/uwsgi/plugins/gccgo/uwsgi.go', header: /^func EnvAdd\(env \*map\[string\]string, k \*byte, kl uint16, v \*byte, vl uint16\) \{$/, typed: '\tk', name: 'kl', detail: /^parameter \(local\)/ },
  { languageId: 'rust', file: '/usr/src/rustc-1.63.0/src/etc/test-float-parse/src/lib.rs', header: /^pub fn validate\(text: &str\) \{$/, typed: '    te', name: 'text', detail: /^parameter \(local\)/ },
  { languageId: 'java', file: '/usr/src/uwsgi/plugins/servlet/uwsgi_servlet.java', header: /^\tpublic Object getAttribute\(String name\) \{$/, typed: '\t\tna', name: 'name', detail: /^parameter \(local\)/ },
  { languageId: 'ruby', file: '/usr/share/rubygems-integration/all/gems/rake-13.0.6/lib/rake/packagetask.rb', header: /^    def init\(name, version\)$/, typed: '      ver', name: 'version', detail: /^parameter \(local\)/ },
];

describe('scope-aware completion on real files', () => {
  for (const r of REAL) {
    const bundled = r.file.startsWith(repoRoot);
    const present = fs.existsSync(r.file);
    if (!present && !bundled) console.log(`skipped: ${r.languageId} real-file completion (${r.file} not on this machine)`);
    it.skipIf(!present && !bundled)(`${r.languageId}: ${path.basename(r.file)}`, async () => {
      const lines = fs.readFileSync(r.file, 'utf8').split('\n');
      const at = lines.findIndex((l) => r.header.test(l.replace(/\r$/, '')));
      expect(at, `header ${r.header} in ${r.file}`).toBeGreaterThanOrEqual(0);
      lines.splice(at + 1, 0, r.typed);
      const uri = `file:///tmp/cst-completion-scopes/real/${path.basename(r.file)}`;
      server.open(uri, r.languageId, lines.join('\n'), version++);
      const pos = { line: at + 1, character: r.typed.length };
      const items = await complete(uri, pos);
      const found = items.find((i) => i.label === r.name);
      expect(found, `${r.name} offered in ${items.map((i) => i.label).join(', ')}`).toBeDefined();
      expect(found!.detail).toMatch(r.detail);
      server.close(uri);
    });
  }
});
