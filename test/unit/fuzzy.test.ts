import { describe, expect, it } from 'vitest';
import { fuzzyMatch, isWordStart, MatchKind } from '../../server/src/features/fuzzy.js';

describe('fuzzyMatch', () => {
  it('ranks exact, prefix, word-start and subsequence matches', () => {
    expect(fuzzyMatch('getLogger', 'getLogger')?.kind).toBe(MatchKind.Exact);
    expect(fuzzyMatch('getlog', 'getLogger')?.kind).toBe(MatchKind.Prefix);
    expect(fuzzyMatch('gL', 'getLogger')?.kind).toBe(MatchKind.WordStart);
    expect(fuzzyMatch('tpe', 'ThreadPoolExecutor')?.kind).toBe(MatchKind.WordStart);
    expect(fuzzyMatch('jsondec', 'JSONDecoder')?.kind).toBe(MatchKind.Prefix);
    expect(fuzzyMatch('htmlp', 'HTMLParser')?.kind).toBe(MatchKind.Prefix);
    expect(fuzzyMatch('hp', 'HTMLParser')?.kind).toBe(MatchKind.WordStart);
    expect(fuzzyMatch('sfn', 'snake_file_name')?.kind).toBe(MatchKind.WordStart);
    expect(fuzzyMatch('gtr', 'getLogger')?.kind).toBe(MatchKind.Subsequence);
    expect(fuzzyMatch('xyz', 'getLogger')).toBeUndefined();
  });

  it('is smart about case: upper-case query letters must match exactly', () => {
    expect(fuzzyMatch('Get', 'getLogger')).toBeUndefined();
    expect(fuzzyMatch('get', 'GetLogger')?.kind).toBe(MatchKind.Prefix);
  });

  // One typed character is what completion matches against every name of a document on the first
  // keystroke of a word; it has its own fast path.
  it('one-character queries: prefix, else a word start, else anywhere, smart about case', () => {
    const names = ['getLogger', 'HTTPConnection', 'snake_file_name', '_private', 'x2y', 'HTMLParser', 'aBc', '$dollar', 'ab-cd', 'e', 'E', 'q'];
    const chars = [...'abcdeghilnoprstxyzABCEGHLPT_$2'];
    const same = (q: number, c: number): boolean => q === c || (q >= 97 && q <= 122 && c === q - 32);
    for (const name of names) {
      for (const ch of chars) {
        const q = ch.charCodeAt(0);
        const at = [...name].map((_, j) => j).filter((j) => same(q, name.charCodeAt(j)));
        const expected = !at.length ? undefined : at[0] === 0 ? (name.length === 1 ? MatchKind.Exact : MatchKind.Prefix) : at.some((j) => isWordStart(name, j)) ? MatchKind.WordStart : MatchKind.Subsequence;
        expect(fuzzyMatch(ch, name)?.kind, `${ch} in ${name}`).toBe(expected);
      }
    }
  });

  it('stays linear on adversarial names', () => {
    const name = 'a'.repeat(200) + 'b';
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) fuzzyMatch('aaaaaaaaaaaaaaaaaaab', name);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
