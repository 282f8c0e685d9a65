import { describe, expect, it } from 'vitest';
import { fuzzyMatch, MatchKind } from '../../server/src/features/fuzzy.js';

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

  it('stays linear on adversarial names', () => {
    const name = 'a'.repeat(200) + 'b';
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) fuzzyMatch('aaaaaaaaaaaaaaaaaaab', name);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
