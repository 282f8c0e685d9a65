// textDocument/formatting, rangeFormatting and onTypeFormatting from
// grammars/<language>/indents.scm.
//
// The formatter only ever rewrites the whitespace *between* tokens of the CST
// (the "gaps"; a token is a leaf, or a whole comment even when its grammar
// gives it children); the text of every token stays as it is, with one
// exception that prettier makes too: a block comment whose continuation lines
// all start with `*` (JSDoc style) moves with its first line (each
// continuation line becomes the new indentation + " " + its text after its
// leading whitespace). A gap that holds anything but spaces, tabs and line
// breaks (a backslash line continuation, a form feed) is left alone, and so
// is every gap inside a node captured @indent.ignore or near a syntax error.
// After a token that ends its line itself (a Rust `///` comment, C's `#if x`
// line break), the gap is the next line's indentation.
//
// All language knowledge lives in indents.scm; this module knows only the
// capture convention (helix / nvim-treesitter names). Indentation is computed
// in columns: one level is tabSize columns (a tab, or tabSize spaces).
//
//   @indent.begin    lines after the node's first line, inside the node, get
//                    one more level than the line where the node starts.
//                    Several begin nodes that start on the same line add one
//                    level together (`foo(function () {` indents its body once).
//                    (#set! indent.levels N): N levels instead of one (a
//                    continuation indent: clang-format's 4 columns at 2).
//                    (#set! indent.from "parent"): the node counts from the
//                    parent's start (a brace-less statement body);
//                    "parent.FIELD": from the parent's child of that field
//                    (Java's `throws` from the method's name, not its
//                    annotations).
//                    (#set! indent.base "parent"): the levels count from the
//                    parent's first line (a body after a header broken over
//                    several lines).
//                    A begin node that starts on a line which a closed bracket
//                    continued counts from the line where that bracket opened
//                    (`  b: string): void {`).
//   @indent.end, @indent.branch, @indent.dedent
//                    a line that starts with this node (a closing bracket,
//                    `else`, `case`) gets the indentation of the line its
//                    begin node counts from. (#set! indent.alone "true"): only
//                    when nothing follows it on its line (prettier's HTML `>`).
//   @indent.zero     a line that starts with this node has no indentation
//                    (C preprocessor directives).
//   @indent.align    (#set! indent.align "open"): lines inside align with the
//                    first token after the opening delimiter when it is on the
//                    delimiter's line, else they get indent.levels (a node that
//                    does not start with a delimiter aligns with its start);
//                    "start": they align with the node's start (operands);
//                    "column": they get indent.levels from the node's start
//                    column, and its dedent lines that column (Ruby's
//                    `x = if` / `    end`).
//                    Without indent.align: lines inside keep their indentation
//                    relative to the node's first line (they move by as much as
//                    that line moved).
//   @indent.anchor   a begin node that starts on the anchor's first line, inside
//                    it, counts its levels from the anchor's column instead of
//                    that line's indentation (prettier's ternary branches:
//                    `? foo(` / `    arg` indents from `foo`).
//   @indent.auto     lines inside the node keep their indentation (only their
//                    trailing whitespace and blank-line runs are formatted):
//                    indentation-significant languages capture their root;
//                    lines inside a begin or aligned node nested in it (Python's
//                    brackets) are computed.
//   @indent.ignore   every gap strictly inside the node is left exactly as it
//                    is (strings, template literals, heredocs, <pre>).
//   @format.newline.before / @format.newline.after
//   @format.space.before / @format.space.after
//                    "complete" spacing: when the query has any @format.*
//                    capture, every gap between two tokens is decided: a line
//                    break (blank lines kept up to the cap) when a rule asks
//                    for one, else one space when a rule asks for one, else
//                    nothing. Comments keep their line break or get a space.
//                    In this mode each begin node counts one level (lines are
//                    being made, so "same line" is not known).
//   @_anything       helper captures for predicates; ignored.
//
// Whitespace rules, from the request's FormattingOptions (see
// resolveOptions): trailing whitespace is removed (never after a backslash),
// blank-line runs are capped at maxBlankLines (default 2), the file ends with
// exactly one line break. Lines inside multi-line tokens are never touched.
// A region around an ERROR or MISSING node (the node's lines plus one line on
// each side; for MISSING the lines of its parent) is left as it is.
//
// Edits are minimal: one TextEdit per changed gap, trimmed to the characters
// that differ. Positions come from text.positionAt of UTF-16 offsets; line
// numbers are computed from the text with LSP's line breaks (\n, \r\n, \r),
// never from tree-sitter rows. Walks are iterative (cursor), never recursive.
import type { Tree } from 'web-tree-sitter';
import type { Position, Range, TextEdit } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar, LanguageSpec } from '../syntax/grammars.js';
import { collectFacts, indentsQuery, lineOf, lineStarts } from './formattingFacts.js';
import { Levels, firstCodeOffset, measureCols } from './formattingLevels.js';
import { engine, indentString, toTextEdits } from './formattingEngine.js';
import { resolveOptions, type FormatOptions, type FormatText } from './formattingOptions.js';

export { FORMAT_DEFAULTS, type FormatOptions, type FormatText } from './formattingOptions.js';
export function hasFormatter(grammar: LoadedGrammar, registry: GrammarRegistry): boolean {
  return indentsQuery(grammar, registry) !== undefined;
}

type SpecWithOnType = LanguageSpec & { onTypeFormatting?: string[] };

/** The on-type trigger characters: the union over languages of the manifest's "onTypeFormatting" lists. */
export function onTypeTriggers(registry: GrammarRegistry): { first: string; more: string[] } {
  const all = new Set<string>();
  for (const spec of registry.languages as SpecWithOnType[]) {
    if (!spec.queries?.indents) continue;
    for (const ch of spec.onTypeFormatting ?? []) if (typeof ch === 'string' && ch.length === 1) all.add(ch);
  }
  const list = [...all].sort();
  const first = all.has('}') ? '}' : (list[0] ?? '}');
  return { first, more: list.filter((c) => c !== first) };
}

// ---------------------------------------------------------------------------
// Public API

/** Edits that format the whole document. */
export function formatDocument(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, options: FormatOptions): TextEdit[] {
  return toTextEdits(text, engine(tree, text, grammar, registry, options).edits);
}

/** Edits of formatDocument that touch the lines of `range` (a line is formatted whole: its indentation and its trailing whitespace). */
export function formatRange(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, range: Range, options: FormatOptions): TextEdit[] {
  const content = text.getText();
  const starts = lineStarts(content);
  const firstLine = Math.max(0, Math.min(range.start.line, starts.length - 1));
  let lastLine = Math.max(firstLine, Math.min(range.end.line, starts.length - 1));
  // A range that ends at the start of a line does not include that line.
  if (range.end.line > range.start.line && range.end.character === 0) lastLine = Math.max(firstLine, lastLine - 1);
  const from = starts[firstLine]!;
  const to = lastLine + 1 < starts.length ? starts[lastLine + 1]! : content.length + 1;
  const edits = engine(tree, text, grammar, registry, options).edits.filter((e) => {
    // Edits of the range's lines: the edit starts or ends on one of them.
    const s = e.start;
    const t = Math.max(e.start, e.end - 1);
    return (s >= from && s < to) || (t >= from && t < to) || (s < from && e.end > to);
  });
  return toTextEdits(text, edits);
}

/**
 * Edits after the user typed `ch` at `position` (the position after the
 * character). A closing character re-indents its line; a line break indents
 * the new line (even while it is blank) and trims the previous line's
 * trailing whitespace.
 */
export function formatOnType(tree: Tree, text: FormatText, grammar: LoadedGrammar, registry: GrammarRegistry, position: Position, ch: string, options: FormatOptions): TextEdit[] {
  const spec = grammar.spec as SpecWithOnType;
  if (!(spec.onTypeFormatting ?? []).includes(ch)) return [];
  const content = text.getText();
  const starts = lineStarts(content);
  const line = Math.min(position.line, starts.length - 1);
  if (ch !== '\n') return formatRange(tree, text, grammar, registry, { start: { line, character: 0 }, end: { line, character: 0 } }, options);

  const opts = resolveOptions(options);
  const query = indentsQuery(grammar, registry);
  if (!query) return [];
  const lineStart = starts[line]!;
  const lineEnd = line + 1 < starts.length ? starts[line + 1]! : content.length;
  const lineText = content.slice(lineStart, lineEnd).replace(/[\r\n]+$/, '');
  const ws = /^[ \t]*/.exec(lineText)![0];
  const edits: TextEdit[] = [];
  // The previous line's trailing whitespace, when it lies between tokens.
  if (line > 0 && opts.trimTrailing) {
    const prevStart = starts[line - 1]!;
    const prevText = content.slice(prevStart, lineStart).replace(/[\r\n]+$/, '');
    const trimmedLength = prevText.replace(/[ \t]+$/, '').length;
    if (trimmedLength < prevText.length && content.charCodeAt(prevStart + trimmedLength - 1) !== 92) {
      const at = prevStart + trimmedLength;
      const node = tree.rootNode.descendantForIndex(at, prevStart + prevText.length);
      const insideToken = !node || (node.childCount === 0 && node.startIndex < at && node.endIndex > at);
      if (!insideToken) {
        edits.push({ range: { start: text.positionAt(at), end: text.positionAt(prevStart + prevText.length) }, newText: '' });
      }
    }
  }
  // The new line's indentation.
  const p = lineStart + ws.length;
  const node = tree.rootNode.descendantForIndex(Math.max(0, p - 1), p);
  const inToken = node !== null && node.childCount === 0 && node.startIndex < lineStart && node.endIndex > p;
  if (inToken) return edits;
  const facts = collectFacts(tree, query, content, starts, { start: Math.max(0, lineStart - 1), end: Math.min(content.length, p + 1) });
  const auto = facts.auto.some((iv) => iv.start < lineStart && p < iv.end);
  const ignored = facts.ignore.some((iv) => iv.start < lineStart && p < iv.end);
  if (auto || ignored) return edits;
  const measured = (l: number): number => measureCols(content, starts[l]!, opts.tabSize);
  const colAt = (offset: number): number => {
    const l = lineOf(starts, offset);
    return measured(l) + (offset - firstCodeOffset(content, starts[l]!));
  };
  const cols = new Levels(facts, false, opts.tabSize, measured, colAt, content).at(p);
  const indent = indentString(cols, opts);
  if (indent !== ws) edits.push({ range: { start: text.positionAt(lineStart), end: text.positionAt(p) }, newText: indent });
  return edits;
}
