// textDocument/completion and completionItem/resolve.
//
// Sources (features/completionSources.ts), merged per name and ranked (weights `W` there):
//   1. names bound in the scopes enclosing the cursor, nearest scope first,
//      parameters included (the derived index's scopes and definitions, from
//      grammars/<language>/completion.scm);
//   2. the other identifiers of the document (code only, not comments or
//      strings), by frequency and by distance to the cursor;
//   3. identifiers and symbols of the workspace index, by how many files use them;
//   4. the grammar's keywords, only where a keyword can stand (not after a
//      member operator; mid-expression only the language's expression
//      keywords, grammars/languages.json "expressionKeywords");
//   5. after a member operator (`.`, `::`, `->`, ... per language): members
//      seen after the same receiver name in the document and the workspace
//      (and, after self/this, the members of the enclosing class) first, then
//      members seen anywhere.
// Nothing inside comments and strings (code holes such as `${x}` and f-string
// braces are code).
//
// Tier independence: everything read is the text, the derived index and the
// grammar (`SyntaxNode` views of hot and warm trees answer alike), so the
// answer is the same whichever tier serves the document.
//
// Items: a textEdit replacing exactly the word typed so far (UTF-16 range from
// the document's line index), filterText = label, sortText = our rank (so a
// client that re-sorts keeps our order), isIncomplete when the list was cut.
// completionItem/resolve adds the definition's line and doc comment.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CompletionItemKind,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
} from 'vscode-languageserver';
import type { Snapshot } from '../cache/tiers.js';
import type { Tree } from 'web-tree-sitter';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { boundedCaptures } from '../syntax/queries.js';
import { keystrokeCompletion } from '../cache/entry.js';
import { skipKind, sortedSkip } from './completionFacts.js';
import type { WorkspaceIndex } from '../workspace/index.js';
import type { SyntaxNode } from '../cache/compact.js';
import { fuzzyMatch, MatchKind } from './fuzzy.js';
import { describeWorkspaceWord, memberCandidates, scopeCandidates, W, workspaceSource, type Candidate, type ItemData } from './completionSources.js';
import {
  completionSpec,
  grammarKeywords,
  memberOperatorBefore,
  countsView,
  skipContext,
  wordBefore,
  wordRegex,
  type CompletionIndex,
} from './completionIndex.js';

export interface CompletionContext {
  registry: GrammarRegistry;
  workspace: WorkspaceIndex;
  limit: number;
  isCancelled: () => boolean;
  triggerCharacter?: string;
  /**
   * At most this many syntax nodes get new completion facts for this request
   * (cache/entry.ts keystrokeCompletion); past it the last build's facts serve
   * and the build waits for a quiet moment. Unset: no limit.
   */
  keystrokeBudget?: number;
}

export interface ResolveContext {
  /** The text of an open document; files not open are read from disk. */
  getText: (uri: string) => string | undefined;
}


/** Proximity window (lines either side of the cursor) scanned for nearby words. */
const WINDOW_LINES = 40;

/** Trigger characters of every language: the last character of each trigger sequence. */
export function completionTriggers(registry: GrammarRegistry): string[] {
  const set = new Set<string>();
  for (const spec of registry.languages) for (const t of completionSpec(spec)?.triggers ?? []) if (t.length) set.add(t.slice(-1));
  return [...set].sort();
}


const EMPTY: CompletionList = { isIncomplete: false, items: [] };
const CANCELLED = (): CompletionList => ({ isIncomplete: true, items: [] });


export function complete(snap: Snapshot, position: Position, ctx: CompletionContext): CompletionList {
  const spec = completionSpec(snap.doc.spec);
  if (!spec) return EMPTY;
  const facts = keystrokeCompletion(snap.index, ctx.keystrokeBudget ?? Infinity);
  const ci = facts.index;
  // While a build is deferred the index is an older text's: its offsets go through these.
  const stale = facts.stale;
  if (!ci || ci.v !== 1) return EMPTY;
  const doc = snap.text;
  const text = doc.getText();
  const offset = Math.min(doc.offsetAt(position), text.length);
  const { char } = wordRegex();
  let wordStart = offset;
  while (wordStart > 0 && char.test(text[wordStart - 1]!)) wordStart--;
  let wordEnd = offset;
  while (wordEnd < text.length && char.test(text[wordEnd]!)) wordEnd++;
  const prefix = text.slice(wordStart, offset);
  const c0 = prefix.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) return EMPTY; // a number literal
  const grammar = snap.doc.spec ? ctx.registry.loaded(snap.doc.spec.id) : undefined;
  const context = stale && snap.tree && grammar ? liveContext(snap.tree, grammar, ctx.registry, text, wordStart) : skipContext(ci, text, wordStart);
  if (context !== 'code') return EMPTY;
  const at = stale ? stale.toIndex(wordStart) : wordStart;
  const toText = stale ? stale.toText : (offset: number) => offset;
  const ops = spec.memberOperators ?? [];
  const op = memberOperatorBefore(text, wordStart, ops);
  // A trigger character that is not (the end of) a member operator here (`:` of a
  // type annotation, `>` of a comparison): nothing.
  if (ctx.triggerCharacter && !prefix && !op) return EMPTY;
  if (op && op.start > 0) {
    const before = text.charCodeAt(op.start - 1);
    if (op.op === '.' && before >= 48 && before <= 57 && !wordBefore(text, op.start, char)) return EMPTY; // `1.` is a number
  }
  if (ctx.isCancelled()) return CANCELLED();

  const root: SyntaxNode = snap.tree?.rootNode ?? snap.compact!.rootNode;
  const cursorWord = text.slice(wordStart, wordEnd);
  const hardKeywords = new Set<string>(grammar && spec.keywords !== false ? [...grammarKeywords(grammar), ...(spec.extraKeywords ?? [])] : []);
  for (const k of spec.softKeywords ?? []) hardKeywords.delete(k);
  const candidates = new Map<string, Candidate>();
  const get = (name: string, kind: CompletionItemKind, group = 1): Candidate => {
    let c = candidates.get(name);
    if (!c) candidates.set(name, (c = { name, kind, detail: undefined, group, score: 0, data: undefined }));
    else if (group < c.group) c.group = group;
    return c;
  };
  const first = prefix.charAt(0);
  // One typed character matches at the start of a name or of a word in it, never mid-word: the
  // editors' own filters do the same (VS Code wants the first character at a word start), and
  // a mid-word match of one character is noise that costs thousands of candidates.
  const matches = (name: string): boolean => {
    if (!prefix) return true;
    if (name === cursorWord && name.length === prefix.length) return false;
    const m = fuzzyMatch(prefix, name);
    return m !== undefined && (prefix.length > 1 || m.kind !== MatchKind.Subsequence);
  };
  const uri = snap.doc.uri;
  const languageId = snap.doc.languageId;
  const line = doc.positionAt(offset).line;

  // Nearby words: distance in lines to the nearest occurrence (the word at the cursor excluded).
  const near = nearbyWords(text, doc, line, wordStart);

  // Set when a workspace source stopped before its last name (more would match).
  let cut = false;
  if (op) {
    if (memberCandidates(text, ci, ctx.workspace, spec, op.start, at, prefix, cursorWord, { limit: ctx.limit, candidates, near, get, matches })) cut = true;
  } else {
    scopeCandidates(ci, at, toText, cursorWord, uri, languageId, doc, get, matches);
    if (ctx.isCancelled()) return CANCELLED();
    // Document identifiers.
    for (const [w, count] of countsView(ci).words()) {
      let n = count;
      if (w === cursorWord) n--;
      if (n <= 0 || hardKeywords.has(w) || !matches(w)) continue;
      const c = get(w, CompletionItemKind.Text);
      c.score += W.docCount * Math.log2(1 + n);
      c.docCount = n;
    }
    if (ctx.isCancelled()) return CANCELLED();
    // Workspace identifiers (names starting with the typed first character, either case).
    if (first) {
      const ws = ctx.workspace;
      const bucket = ws.wordsStartingWith(first);
      const cutShort = workspaceSource({
        sorted: ws.wordsByFiles(first),
        statsOf: (w) => bucket?.get(w),
        weight: W.wsFiles,
        kind: CompletionItemKind.Text,
        exclude: (w) => hardKeywords.has(w),
        onAdd: (c) => (c.wsWord = true),
        prefix,
        limit: ctx.limit,
        candidates,
        near,
        get,
        matches,
      });
      if (cutShort) cut = true;
    }
    if (ctx.isCancelled()) return CANCELLED();
    // Keywords where one can stand.
    if (grammar && spec.keywords !== false) {
      const lineStart = text.lastIndexOf('\n', wordStart - 1) + 1;
      const before = text.slice(lineStart, wordStart).trim();
      const statementStart = before === '' || /[;{}]$/.test(before);
      const allowed = statementStart ? undefined : new Set(spec.expressionKeywords ?? []);
      if (!inDeclarationName(root, wordStart, offset)) {
        for (const k of [...grammarKeywords(grammar), ...(spec.extraKeywords ?? [])]) {
          if (allowed && !allowed.has(k)) continue;
          if (!matches(k)) continue;
          const c = get(k, CompletionItemKind.Keyword);
          c.kind = CompletionItemKind.Keyword;
          c.score += W.keyword;
          c.detail ??= 'keyword';
        }
      }
    }
  }
  if (ctx.isCancelled()) return CANCELLED();

  // Rank.
  const ranked: Candidate[] = [];
  for (const c of candidates.values()) {
    const m = prefix ? fuzzyMatch(prefix, c.name) : { kind: MatchKind.Prefix, score: 0 };
    if (!m) continue;
    c.match = m.kind === MatchKind.Exact ? MatchKind.Prefix : m.kind;
    const d = near.get(c.name);
    if (d !== undefined) c.score += W.near / (1 + d / W.nearLines);
    if (prefix && c.name.startsWith(prefix)) c.score += W.caseExact;
    ranked.push(c);
  }
  ranked.sort((a, b) => a.match! - b.match! || a.group - b.group || b.score - a.score || a.name.length - b.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const limit = Math.max(1, ctx.limit);
  if (ranked.length > limit) cut = true;
  for (let i = 0; i < Math.min(limit, ranked.length); i++) if (ranked[i]!.wsWord) describeWorkspaceWord(ranked[i]!, ctx.workspace);
  const range = { start: doc.positionAt(wordStart), end: doc.positionAt(offset) };
  const width = String(Math.min(ranked.length, limit)).length;
  const items: CompletionItem[] = ranked.slice(0, limit).map((c, i) => {
    const item: CompletionItem = {
      label: c.name,
      kind: c.kind,
      sortText: String(i).padStart(width, '0'),
      filterText: c.name,
      textEdit: { range, newText: c.name },
    };
    const detail = c.detail ?? detailOf(c, near);
    if (detail) item.detail = detail;
    if (c.data) item.data = c.data;
    return item;
  });
  return { isIncomplete: cut, items };
}


/**
 * Comment/string context at `offset` from the live tree: the completion
 * query's @skip captures of the nodes around it. Used while the index is an
 * older text's, whose ranges may not know a quote typed since.
 */
function liveContext(tree: Tree, grammar: LoadedGrammar, registry: GrammarRegistry, text: string, offset: number): 'code' | 'comment' | 'string' {
  const query = registry.query(grammar, 'completion');
  if (!query) return 'code';
  const skip: number[] = [];
  for (const c of boundedCaptures(query, tree.rootNode, { startIndex: Math.max(0, offset - 1), endIndex: offset + 1 })) {
    if (c.name.startsWith('skip.')) skip.push(c.node.startIndex, c.node.endIndex, skipKind(c.name));
  }
  return skipContext({ skip: sortedSkip(skip) } as CompletionIndex, text, offset);
}


/**
 * The word being typed names a new declaration (`def na|`, `class Fo|`,
 * `function fo|`): no keywords there. Read from the tree (live or compact
 * alike): the identifier's parent has it in its `name` field.
 */
function inDeclarationName(root: SyntaxNode, start: number, end: number): boolean {
  if (start === end) return false;
  const node = root.namedDescendantForIndex(start, end);
  const parent = node?.parent;
  if (!node || !parent) return false;
  const named = parent.childForFieldName('name');
  return named !== null && named.startIndex === node.startIndex && named.endIndex === node.endIndex && node.startIndex === start;
}

/** Nearest-occurrence distance in lines for every word within WINDOW_LINES of the cursor line. */
function nearbyWords(text: string, doc: Snapshot['text'], line: number, at: number): Map<string, number> {
  const out = new Map<string, number>();
  const from = doc.offsetAt({ line: Math.max(0, line - WINDOW_LINES), character: 0 });
  const to = doc.offsetAt({ line: line + WINDOW_LINES + 1, character: 0 });
  const re = new RegExp(wordRegex().global.source, 'gu');
  re.lastIndex = from;
  let l = Math.max(0, line - WINDOW_LINES);
  let scanned = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    // Count newlines between the previous match and this one.
    for (let i = text.indexOf('\n', scanned); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) l++;
    scanned = m.index;
    if (m.index <= at && at <= m.index + m[0].length) continue; // the word at the cursor
    const d = Math.abs(l - line);
    const prev = out.get(m[0]);
    if (prev === undefined || d < prev) out.set(m[0], d);
  }
  return out;
}

function detailOf(c: Candidate, near: Map<string, number>): string | undefined {
  if (c.kind === CompletionItemKind.Keyword) return 'keyword';
  if (c.docCount) return `${c.docCount}× in this file`;
  if (near.has(c.name)) return 'nearby';
  return undefined;
}

/** completionItem/resolve: the definition's line and its doc comment, as markdown. */
export function resolveCompletion(item: CompletionItem, ctx: ResolveContext): CompletionItem {
  const data = item.data as ItemData | undefined;
  if (!data || typeof data.uri !== 'string' || item.documentation) return item;
  let text = ctx.getText(data.uri);
  if (text === undefined && data.uri.startsWith('file:')) {
    try {
      const st = fs.statSync(fileURLToPath(data.uri));
      if (st.size <= 4 * 1024 * 1024) text = fs.readFileSync(fileURLToPath(data.uri), 'utf8');
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) return item;
  const lines = text.split(/\r\n|\r|\n/);
  let lineNo: number;
  if (typeof data.offset === 'number') {
    lineNo = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < data.offset; i = text.indexOf('\n', i + 1)) lineNo++;
    // \r-only line ends (rare): count them too.
    if (!text.includes('\n')) lineNo = text.slice(0, data.offset).split('\r').length - 1;
  } else if (typeof data.line === 'number') lineNo = data.line;
  else return item;
  const defLine = lines[lineNo];
  if (defLine === undefined) return item;
  const doc: string[] = [];
  // Comment lines right above (#, //, /** */ and its * lines).
  const above: string[] = [];
  for (let i = lineNo - 1; i >= 0 && above.length < 20; i--) {
    const t = lines[i]!.trim();
    if (/^(#|\/\/|\/\*|\*)/.test(t) && !t.startsWith('#!')) above.unshift(t.replace(/^(\/\*\*?|\*\/|\*|\/\/\/?|#+)\s?/, '').replace(/\*\/$/, '').trim());
    else break;
  }
  if (above.some((l) => l)) doc.push(above.filter((l, i) => l || i > 0).join('\n').trim());
  // Python-style docstring right below a definition line.
  const next = lines[lineNo + 1]?.trim() ?? '';
  const q = /^[rRuU]?("""|''')/.exec(next);
  if (q && /:\s*(#.*)?$/.test(defLine.trim())) {
    const quote = q[1]!;
    const body: string[] = [];
    let rest = next.slice(q[0].length);
    for (let i = lineNo + 1; i < lines.length && body.length < 20; ) {
      const end = rest.indexOf(quote);
      if (end >= 0) {
        body.push(rest.slice(0, end));
        break;
      }
      body.push(rest);
      i++;
      rest = lines[i]?.trim() ?? '';
    }
    doc.push(body.join('\n').trim());
  }
  const lang = data.languageId || '';
  const value = ['```' + lang, defLine.trim(), '```', ...(doc.length ? ['', doc.join('\n\n')] : [])].join('\n');
  return { ...item, documentation: { kind: MarkupKind.Markdown, value } };
}
