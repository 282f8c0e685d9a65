// Fuzzy matching shared by workspace symbols and completion: exact, prefix,
// word-start (camelCase, snake_case, kebab-case, digits) and subsequence
// matches, ranked in that order. Smart case: a lower-case query matches any
// case; an upper-case letter in the query must match exactly.

export const enum MatchKind {
  Exact = 0,
  Prefix = 1,
  WordStart = 2,
  Subsequence = 3,
}

export interface Match {
  kind: MatchKind;
  /** Lower is better within a kind: where the match starts and how spread out it is. */
  score: number;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function lower(c: number): number {
  return isUpper(c) ? c + 32 : c;
}

/** Whether name[i] starts a word: first char, after a separator, a lower->Upper or letter->digit change, or the last capital of an acronym (HTMLParser: H, P). */
export function isWordStart(name: string, i: number): boolean {
  if (i === 0) return true;
  const c = name.charCodeAt(i);
  const p = name.charCodeAt(i - 1);
  if (p === 95 || p === 45 || p === 46 || p === 36 || p === 32 || p === 58 || p === 47) return c !== 95;
  if (isUpper(c) && (isLower(p) || isDigit(p))) return true;
  if (isDigit(c) && !isDigit(p)) return true;
  if (isUpper(c) && isUpper(p) && i + 1 < name.length && isLower(name.charCodeAt(i + 1))) return true;
  return false;
}

function charMatches(q: number, n: number): boolean {
  // Smart case: an upper-case query char must match exactly.
  return isUpper(q) ? q === n : q === lower(n);
}

let memoBuffer = new Uint8Array(1024);
let startsBuffer = new Uint8Array(256);

/**
 * Query chars matched to word starts, each possibly followed by more chars of
 * the same word (getSN -> getSymbolName). Memoized over (query index, name
 * index): O(query x name) at worst, no exponential backtracking.
 */
function wordStartMatch(query: string, name: string): boolean {
  const qn = query.length;
  const nn = name.length;
  // memo[qi * (nn + 1) + ni]: 0 unknown, 1 true, 2 false (buffers reused across calls)
  const size = (qn + 1) * (nn + 1);
  if (memoBuffer.length < size) memoBuffer = new Uint8Array(Math.max(size, memoBuffer.length * 2));
  if (startsBuffer.length < nn) startsBuffer = new Uint8Array(Math.max(nn, startsBuffer.length * 2));
  const memo = memoBuffer;
  memo.fill(0, 0, size);
  const starts = startsBuffer;
  for (let i = 0; i < nn; i++) starts[i] = isWordStart(name, i) ? 1 : 0;
  const go = (qi: number, ni: number): boolean => {
    if (qi === qn) return true;
    const slot = qi * (nn + 1) + ni;
    if (memo[slot]) return memo[slot] === 1;
    const q = query.charCodeAt(qi);
    let ok = ni < nn && !starts[ni] && charMatches(q, name.charCodeAt(ni)) && go(qi + 1, ni + 1);
    for (let j = ni; !ok && j < nn; j++) {
      if (starts[j] && charMatches(q, name.charCodeAt(j)) && go(qi + 1, j + 1)) ok = true;
    }
    memo[slot] = ok ? 1 : 2;
    return ok;
  };
  return go(0, 0);
}

/** Whether query character `q` matches `name` at a word start (wordStartMatch for a one-character query). */
function oneCharWordStart(q: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) if (charMatches(q, name.charCodeAt(j)) && isWordStart(name, j)) return true;
  return false;
}

export function fuzzyMatch(query: string, name: string): Match | undefined {
  if (query.length === 0) return { kind: MatchKind.Prefix, score: name.length };
  if (query.length > name.length) return undefined;
  // Every kind of match is a subsequence: reject the rest in one linear pass.
  for (let qi = 0, ni = 0; qi < query.length; qi++, ni++) {
    const q = query.charCodeAt(qi);
    while (ni < name.length && !charMatches(q, name.charCodeAt(ni))) ni++;
    if (ni === name.length) return undefined;
  }
  let prefix = true;
  for (let i = 0; i < query.length; i++) {
    if (!charMatches(query.charCodeAt(i), name.charCodeAt(i))) {
      prefix = false;
      break;
    }
  }
  if (prefix) return { kind: query.length === name.length ? MatchKind.Exact : MatchKind.Prefix, score: name.length };
  // Must start at a word start for word-start matches: the first query char. One character (what
  // completion sees on every first keystroke of a word, over thousands of names): a direct scan.
  if (query.length === 1 ? oneCharWordStart(query.charCodeAt(0), name) : wordStartMatch(query, name)) return { kind: MatchKind.WordStart, score: name.length };
  // Subsequence: greedy, scored by span.
  let ni = 0;
  let first = -1;
  for (let qi = 0; qi < query.length; qi++) {
    const q = query.charCodeAt(qi);
    while (ni < name.length && !charMatches(q, name.charCodeAt(ni))) ni++;
    if (ni === name.length) return undefined;
    if (first < 0) first = ni;
    ni++;
  }
  return { kind: MatchKind.Subsequence, score: (ni - first) * 4 + first + name.length };
}
