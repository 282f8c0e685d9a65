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
import * as path from 'node:path';
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

export interface EditorconfigLookup {
  /** Look no higher than this directory (the workspace folder). */
  root: string;
  /** Reads one .editorconfig (undefined when absent or refused): the server's read policy and audit log. */
  read: (file: string) => string | undefined;
}

/** The .editorconfig files from the file's directory up to `root`, nearest first (editorconfig's order). */
function configFiles(filePath: string, lookup: EditorconfigLookup): { name: string; contents: Buffer }[] {
  const out: { name: string; contents: Buffer }[] = [];
  const root = path.resolve(lookup.root);
  for (let dir = path.dirname(path.resolve(filePath)); ; dir = path.dirname(dir)) {
    const rel = path.relative(root, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel)) break;
    const name = path.join(dir, '.editorconfig');
    const text = lookup.read(name);
    if (text !== undefined) out.push({ name, contents: Buffer.from(text) });
    if (dir === root || dir === path.dirname(dir)) break;
  }
  return out;
}

/**
 * Options from the .editorconfig files that apply to filePath (an absolute
 * path); {} when there are none or they cannot be read. With `lookup`, only
 * files up to lookup.root are read, through lookup.read (the server: never
 * above the workspace folder); without it, up to the filesystem root.
 */
export async function editorconfigOptions(filePath: string, lookup?: EditorconfigLookup): Promise<EditorconfigFormatting> {
  let props: Record<string, unknown>;
  try {
    props = lookup
      ? // eslint-disable-next-line @typescript-eslint/no-deprecated -- the one entry point that takes the files' contents
        ((await editorconfig.parseFromFiles(filePath, Promise.resolve(configFiles(filePath, lookup)))) as Record<string, unknown>)
      : ((await editorconfig.parse(filePath)) as Record<string, unknown>);
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
