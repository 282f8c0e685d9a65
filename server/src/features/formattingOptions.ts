// Formatting options: what the request's FormattingOptions (and .editorconfig,
// filled in by the caller) say, resolved against the defaults.
import type { FormattingOptions, Position } from 'vscode-languageserver';

/** What the formatter needs of a document (vscode-languageserver-textdocument's TextDocument fits). */
export interface FormatText {
  getText(): string;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  readonly lineCount: number;
}

export type FormatOptions = FormattingOptions & { maxBlankLines?: number };

/** Defaults for what neither the request nor .editorconfig says. */
export const FORMAT_DEFAULTS = {
  tabSize: 4,
  insertSpaces: true,
  trimTrailingWhitespace: true,
  insertFinalNewline: true,
  trimFinalNewlines: true,
  maxBlankLines: 2,
} as const;

export interface Resolved {
  unit: string;
  tabSize: number;
  trimTrailing: boolean;
  insertFinalNewline: boolean;
  trimFinalNewlines: boolean;
  maxBlank: number;
}

export function resolveOptions(o: Partial<FormatOptions>): Resolved {
  const tabSize = Number.isInteger(o.tabSize) && o.tabSize! > 0 ? Math.min(o.tabSize!, 64) : FORMAT_DEFAULTS.tabSize;
  const insertSpaces = o.insertSpaces ?? FORMAT_DEFAULTS.insertSpaces;
  const maxBlank = Number.isInteger(o.maxBlankLines) && o.maxBlankLines! >= 0 ? o.maxBlankLines! : FORMAT_DEFAULTS.maxBlankLines;
  return {
    unit: insertSpaces ? ' '.repeat(tabSize) : '\t',
    tabSize,
    trimTrailing: o.trimTrailingWhitespace ?? FORMAT_DEFAULTS.trimTrailingWhitespace,
    insertFinalNewline: o.insertFinalNewline ?? FORMAT_DEFAULTS.insertFinalNewline,
    trimFinalNewlines: o.trimFinalNewlines ?? FORMAT_DEFAULTS.trimFinalNewlines,
    maxBlank,
  };
}

