// DocumentText against vscode-languageserver-textdocument (the reference
// implementation of LSP text semantics): random edits with \r, \n, \r\n,
// U+2028, emoji and CJK, comparing text, lines and every position mapping.
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentText } from '../../server/src/syntax/text.js';

const PIECES = ['a', 'bc', '\n', '\r', '\r\n', '\u2028', '😀', '中文', ' ', 'xyz\n', '\r\r\n\n', '}'];

function rng(seed: number) {
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

function randomText(rand: (n: number) => number, pieces: number): string {
  let s = '';
  for (let i = 0; i < pieces; i++) s += PIECES[rand(PIECES.length)];
  return s;
}

function compare(ours: DocumentText, ref: TextDocument, rand: (n: number) => number): void {
  expect(ours.getText()).toBe(ref.getText());
  expect(ours.length).toBe(ref.getText().length);
  expect(ours.lineCount).toBe(ref.lineCount);
  const len = ref.getText().length;
  for (let k = 0; k < 40; k++) {
    const off = rand(len + 3) - 1;
    expect(ours.positionAt(off), `positionAt(${off})`).toEqual(ref.positionAt(off));
    const pos = { line: rand(ref.lineCount + 2), character: rand(12) };
    expect(ours.offsetAt(pos), `offsetAt(${JSON.stringify(pos)})`).toBe(ref.offsetAt(pos));
    const line = rand(ref.lineCount + 1);
    expect(ours.getLineRange(line)).toEqual(ref.getLineRange(line));
    expect(ours.getEOLCharacters(line)).toBe(ref.getEOLCharacters(line));
  }
}

describe('DocumentText', () => {
  it('matches the reference on thousands of random edits', () => {
    const rand = rng(Number(process.env.CST_TEXT_SEED ?? 4242));
    for (let round = 0; round < 30; round++) {
      const initial = randomText(rand, rand(3000));
      let ours = DocumentText.create('file:///t', 'plaintext', 0, initial);
      let ref = TextDocument.create('file:///t', 'plaintext', 0, initial);
      for (let step = 1; step <= 150; step++) {
        const len = ref.getText().length;
        const a = rand(len + 1);
        const b = Math.min(len, a + (rand(4) === 0 ? rand(9000) : rand(6)));
        const inserted = rand(5) === 0 ? randomText(rand, rand(3000)) : randomText(rand, rand(3));
        const range = { start: ref.positionAt(a), end: ref.positionAt(b) };
        // positionAt steps back over \r of \r\n: edit by the offsets the range maps to.
        const start = ref.offsetAt(range.start);
        const end = ref.offsetAt(range.end);
        ref = TextDocument.update(ref, [{ range, text: inserted }], step);
        ours = ours.withEdit(start, end, inserted, step);
        if (step % 10 === 0) compare(ours, ref, rand);
        else expect(ours.length).toBe(ref.getText().length);
      }
      compare(ours, ref, rand);
    }
  });

  it('slices, reads chunks for tree-sitter and keeps old versions intact', () => {
    const big = 'x'.repeat(10_000) + '\r\n' + '中'.repeat(9000);
    const v1 = DocumentText.create('file:///b', 'plaintext', 1, big);
    const v2 = v1.withEdit(9_999, 10_003, 'YY', 2);
    expect(v1.getText()).toBe(big);
    expect(v2.getText()).toBe(big.slice(0, 9_999) + 'YY' + big.slice(10_003));
    expect(v2.slice(9_990, 10_010)).toBe(v2.getText().slice(9_990, 10_010));
    const read = v2.input();
    let out = '';
    for (let i = 0; ; ) {
      const chunk = read(i);
      if (!chunk) break;
      out += chunk;
      i += chunk.length;
    }
    expect(out).toBe(v2.getText());
  });
});
