// .editorconfig settings for a file, as LSP FormattingOptions (the fields the
// request leaves unset are filled in from here by the integrator).
//
// Mapping (https://editorconfig.org): indent_style -> insertSpaces,
// indent_size (or tab_width when indent_size is "tab") -> tabSize,
// trim_trailing_whitespace -> trimTrailingWhitespace, insert_final_newline ->
// insertFinalNewline (and trimFinalNewlines: an editor that inserts exactly
// one final newline also trims extra ones), max_blank_lines (a common
// extension, honoured by IntelliJ as well) -> maxBlankLines. "unset" and
// invalid values are left out.
import * as editorconfig from 'editorconfig';
import type { FormattingOptions } from 'vscode-languageserver';

export type EditorconfigFormatting = Partial<FormattingOptions> & { maxBlankLines?: number };

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n <= 64 ? n : undefined;
}

function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** Options from the .editorconfig files that apply to filePath (an absolute path); {} when there are none or they cannot be read. */
export async function editorconfigOptions(filePath: string): Promise<EditorconfigFormatting> {
  let props: Record<string, unknown>;
  try {
    props = (await editorconfig.parse(filePath)) as Record<string, unknown>;
  } catch {
    return {};
  }
  const out: EditorconfigFormatting = {};
  const style = props.indent_style;
  if (style === 'tab') out.insertSpaces = false;
  else if (style === 'space') out.insertSpaces = true;
  const size = props.indent_size === 'tab' ? positiveInt(props.tab_width) : positiveInt(props.indent_size);
  const tabWidth = positiveInt(props.tab_width);
  if (out.insertSpaces === false && tabWidth !== undefined) out.tabSize = tabWidth;
  else if (size !== undefined) out.tabSize = size;
  else if (tabWidth !== undefined) out.tabSize = tabWidth;
  const trim = bool(props.trim_trailing_whitespace);
  if (trim !== undefined) out.trimTrailingWhitespace = trim;
  const finalNewline = bool(props.insert_final_newline);
  if (finalNewline !== undefined) {
    out.insertFinalNewline = finalNewline;
    if (finalNewline) out.trimFinalNewlines = true;
  }
  const blank = props.max_blank_lines;
  const nBlank = typeof blank === 'number' ? blank : typeof blank === 'string' && /^\d+$/.test(blank) ? Number(blank) : undefined;
  if (nBlank !== undefined && nBlank >= 0 && nBlank <= 1000) out.maxBlankLines = nBlank;
  return out;
}
