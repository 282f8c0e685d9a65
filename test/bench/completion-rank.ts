// Ranking for the completion benchmark (completion.ts): how an editor filters
// and orders a completion list, the word-completion baseline, and the scores.
import type { CompletionItem, Position } from 'vscode-languageserver-protocol';

export function lineOf(text: string, offset: number): number {
  let l = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) l++;
  return l;
}

/** Editor filtering: case-insensitive prefix, or a subsequence that starts with the same character. */
export function editorMatch(prefix: string, candidate: string): boolean {
  const p = prefix.toLowerCase();
  const c = candidate.toLowerCase();
  if (c.startsWith(p)) return true;
  if (c[0] !== p[0]) return false;
  let j = 0;
  for (let i = 0; i < c.length && j < p.length; i++) if (c[i] === p[j]) j++;
  return j === p.length;
}

/** A sample as the editor has it: the cut text, where the identifier starts, the cursor. */
export interface CutDoc {
  text: string;
  lineStarts: number[];
  wordStart: number;
  cursor: number;
  word: string;
}

export function cutDoc(text: string, start: number, end: number, word: string): CutDoc {
  const cut = text.slice(0, start + 2) + text.slice(end);
  const lineStarts = [0];
  for (let i = cut.indexOf('\n'); i >= 0; i = cut.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { text: cut, lineStarts, wordStart: start, cursor: start + 2, word };
}

export function offsetAt(c: CutDoc, p: Position): number {
  const l = c.lineStarts[p.line];
  return l === undefined ? NaN : l + p.character;
}

/** Snippet syntax removed: ${1:text} -> text, $1 / ${1} / $0 -> nothing, escapes resolved. */
export function stripSnippet(s: string): string {
  return s.replace(/\$\{\d+(?::([^}]*))?\}/g, '$1').replace(/\$\d+/g, '').replace(/\\([$}\\])/g, '$1');
}

/**
 * Rank of the true identifier in `items` after editor filtering and ordering;
 * Infinity when absent. With `prefixFirst`, items whose filter text starts
 * with the typed text come before subsequence-only matches.
 */
export function rankIn(items: readonly CompletionItem[], c: CutDoc, prefixFirst = false): number {
  const kept: { sort: string; label: string; prefix: boolean; hit: boolean }[] = [];
  for (const item of items) {
    const edit = item.textEdit;
    const range = edit ? ('range' in edit ? edit.range : edit.insert) : undefined;
    let start = c.wordStart;
    if (range) {
      const o = offsetAt(c, range.start);
      if (Number.isFinite(o) && o <= c.cursor) start = o;
    }
    const typed = c.text.slice(start, c.cursor);
    const filter = item.filterText ?? item.label;
    if (!editorMatch(typed, filter)) continue;
    const raw = edit?.newText ?? item.insertText ?? item.label;
    const inserted = item.insertTextFormat === 2 ? stripSnippet(raw) : raw;
    const hit = start <= c.wordStart ? inserted === c.text.slice(start, c.wordStart) + c.word : c.text.slice(c.wordStart, start) + inserted === c.word;
    kept.push({ sort: item.sortText ?? item.label, label: item.label, prefix: filter.toLowerCase().startsWith(typed.toLowerCase()), hit });
  }
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  kept.sort((a, b) => (prefixFirst ? Number(b.prefix) - Number(a.prefix) : 0) || cmp(a.sort, b.sort) || cmp(a.label, b.label));
  const i = kept.findIndex((k) => k.hit);
  return i < 0 ? Infinity : i + 1;
}

export function baselineRank(cut: string, cursor: number, prefix: string, word: string): number {
  const cursorLine = lineOf(cut, cursor);
  const best = new Map<string, [number, number]>();
  const re = /[\p{L}_$][\p{L}\p{N}_$]*/gu;
  let line = 0;
  let scanned = 0;
  for (let m = re.exec(cut); m; m = re.exec(cut)) {
    for (let i = cut.indexOf('\n', scanned); i >= 0 && i < m.index; i = cut.indexOf('\n', i + 1)) line++;
    scanned = m.index;
    if (m.index <= cursor && cursor <= m.index + m[0].length) continue;
    if (!editorMatch(prefix, m[0]) || m[0] === prefix) continue;
    const d: [number, number] = [Math.abs(line - cursorLine), Math.abs(m.index - cursor)];
    const prev = best.get(m[0]);
    if (!prev || d[0] < prev[0] || (d[0] === prev[0] && d[1] < prev[1])) best.set(m[0], d);
  }
  const sorted = [...best.entries()].sort((a, b) => a[1][0] - b[1][0] || a[1][1] - b[1][1]);
  const i = sorted.findIndex(([w]) => w === word);
  return i < 0 ? Infinity : i + 1;
}

export interface Score {
  n: number;
  top1: number;
  top5: number;
  rr: number;
}
export const empty = (): Score => ({ n: 0, top1: 0, top5: 0, rr: 0 });
export function add(s: Score, rank: number): void {
  s.n++;
  if (rank === 1) s.top1++;
  if (rank <= 5) s.top5++;
  if (Number.isFinite(rank)) s.rr += 1 / rank;
}
export const pct = (x: number, n: number): string => (n ? `${((100 * x) / n).toFixed(1)}%` : '—');

