// The editor model of the completion benchmark (test/bench/completion-rank.ts):
// filtering, textEdit semantics, ordering, and the word baseline.
import { describe, expect, it } from 'vitest';
import type { CompletionItem } from 'vscode-languageserver-protocol';
import { baselineRank, cutDoc, editorMatch, rankIn } from '../bench/completion-rank.js';

// "return fooBar(x)" with the identifier cut after "fo" on line 1.
const text = 'const fooBar = 1;\nreturn fooBar(x) + obj.member;\n';
const start = text.indexOf('fooBar', 10);
const doc = cutDoc(text, start, start + 'fooBar'.length, 'fooBar');

describe('completion benchmark ranking', () => {
  it('cuts the identifier after two characters and keeps the rest of the file', () => {
    expect(doc.text).toBe('const fooBar = 1;\nreturn fo(x) + obj.member;\n');
    expect(doc.cursor).toBe(start + 2);
    expect(doc.lineStarts).toEqual([0, 18, 45]);
  });

  it('filters on case-insensitive prefix or a same-first-character subsequence', () => {
    expect(editorMatch('fo', 'FooBar')).toBe(true);
    expect(editorMatch('fb', 'fooBar')).toBe(true);
    expect(editorMatch('fo', 'ofoo')).toBe(false);
    expect(editorMatch('fo', 'fa')).toBe(false);
  });

  it('orders by sortText, then label, and finds the item that inserts the identifier', () => {
    const items: CompletionItem[] = [
      { label: 'fooBaz', sortText: '11' },
      { label: 'fooBar', sortText: '11' },
      { label: 'forEach', sortText: '10' },
      { label: 'other', sortText: '00' },
    ];
    // forEach (10), then fooBar before fooBaz (same sortText, label order); "other" is filtered out.
    expect(rankIn(items, doc)).toBe(2);
    expect(rankIn(items.filter((i) => i.label !== 'fooBar'), doc)).toBe(Infinity);
  });

  it('puts prefix matches before subsequence-only matches when asked', () => {
    const items: CompletionItem[] = [{ label: 'flower', sortText: '1' }, { label: 'fooBar', sortText: '2' }];
    expect(rankIn(items, doc)).toBe(2);
    expect(rankIn(items, doc, true)).toBe(1);
  });

  it('honours textEdit ranges that start before the typed word, and snippet syntax', () => {
    // The edit replaces " fo" (from the space before the word) with " fooBar": filtered on " fo".
    const line = 1;
    const character = doc.cursor - doc.lineStarts[1]!;
    const wide: CompletionItem = { label: 'fooBar', filterText: ' fooBar', textEdit: { newText: ' fooBar', range: { start: { line, character: character - 3 }, end: { line, character } } } };
    expect(rankIn([wide], doc)).toBe(1);
    // The same edit filtered on its label does not match " fo".
    expect(rankIn([{ ...wide, filterText: undefined }], doc)).toBe(Infinity);
    const snippet: CompletionItem = { label: 'fooBar', insertText: 'fooBar${0}', insertTextFormat: 2 };
    expect(rankIn([snippet], doc)).toBe(1);
    const call: CompletionItem = { label: 'fooBar', insertText: 'fooBar(${1:x})', insertTextFormat: 2 };
    expect(rankIn([call], doc)).toBe(Infinity);
  });

  it('ranks words of the document by distance from the cursor in the baseline', () => {
    const t = 'forward\nfooBar\n\n\nfo\nformat\n';
    const cursor = t.indexOf('fo\n') + 2;
    // Line distances: format 1, fooBar 3, forward 4.
    expect(baselineRank(t, cursor, 'fo', 'format')).toBe(1);
    expect(baselineRank(t, cursor, 'fo', 'fooBar')).toBe(2);
    expect(baselineRank(t, cursor, 'fo', 'forward')).toBe(3);
    expect(baselineRank(t, cursor, 'fo', 'absent')).toBe(Infinity);
  });
});
