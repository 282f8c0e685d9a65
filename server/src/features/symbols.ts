// textDocument/documentSymbol from grammars/<language>/symbols.scm.
//
// All language knowledge lives in the query files; this module knows only the
// capture convention below, so adding a language is a .scm file and a
// manifest entry ("queries": {"symbols": "symbols.scm"}).
//
// Capture convention (one query pattern = one kind of symbol):
//
//   @symbol.<kind>   the declaration node. Its range is the symbol's range and
//                    <kind> is an LSP SymbolKind name in snake_case: file,
//                    module, namespace, package, class, method, property,
//                    field, constructor, enum, interface, function, variable,
//                    constant, string, number, boolean, array, object, key,
//                    null, enum_member, struct, event, operator,
//                    type_parameter.
//   @name            the name node; its range is the selectionRange. With
//                    several @name nodes the name is the source text from the
//                    first to the last (e.g. `Display for Foo`).
//   @name.<part>     a further piece of the name, used by a name template.
//   @detail          the detail (a signature or a type): source text from the
//                    first to the last @detail node, e.g. `(a: T): U`.
//   @detail.<part>   a further piece of the detail, used by a detail template.
//   @_anything       helper captures for predicates (#eq? @_attr "id"); ignored.
//
//   (#set! name "impl {name.trait} for {name}")
//                    a name template: {capture} is replaced by that capture's
//                    text ({name} = the @name text, {index} = the position of
//                    the declaration node among its parent's named children,
//                    for array items). Without a template the name is {name}.
//   (#set! detail "{detail.params} -> {detail.result}")   the same for detail.
//   (#strip! @name.callee "\\s+")  remove what the regex matches from that
//                    capture's text (as in tree-sitter's tags.scm).
//   @local.scope     (in a pattern of its own) a node whose contents are local
//                    to a function: a function, method or lambda body.
//   (#is-not? local) the symbol is a binding that belongs in the outline only
//                    outside function bodies (a variable, a constant, an
//                    object-literal member): it is dropped, with everything
//                    inside it, when a @local.scope node contains it. Nested
//                    functions and classes do not carry it and stay.
//   (#set! hoist "class")  the symbol's parent is the nearest enclosing symbol
//                    of that kind, not the innermost one (Python's `self.x = 1`
//                    in a method is an attribute of the class); dropped when
//                    there is none. A hoisted symbol has no children.
//   (#set! unique)   a binding, not a declaration: dropped when an earlier
//                    symbol under the same parent has the same name (Python
//                    binds a name once per scope; `self.x` assigned in three
//                    methods is one attribute).
//
// Text is whitespace-collapsed (names and details are one line). A
// declaration that several patterns capture (the same @name node, or the same
// @symbol node when there is no @name) becomes one symbol, from the pattern
// that comes first in the file, so a file can put specific patterns before a
// general fallback. Symbols whose name is empty (error recovery) are dropped.
// When the name nodes lie outside the declaration node (a callback named
// after its callee) the declaration selects itself: its range is not widened.
// Trailing whitespace inside a declaration node is not part of its range.
// Limits (OutlineLimits): symbols deeper than 128 levels, and past the first
// 20,000, are left out.
//
// Nesting comes from containment: a symbol's children are the symbols whose
// ranges its range contains (ranges of distinct tree nodes are nested or
// disjoint, so a sort and a stack build the tree without recursion). Symbols
// with equal ranges are siblings.
//
// Positions come from the TextDocument (doc.positionAt of UTF-16 node
// indices), never from tree-sitter rows, which differ from LSP lines when a
// file contains a lone \r.
//
// The outline is a pure function of (tree, text, grammar, query): `outline`
// returns flat, offset-based entries that a cache can keep in a warm entry's
// derived index and turn into DocumentSymbol[] later with `toDocumentSymbols`
// without a tree.
import type { Node, Query, QueryCapture, QueryMatch, Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { SymbolKind, type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import { logger } from '../log.js';
import { boundedMatches } from '../syntax/queries.js';

/** One symbol of the outline, by UTF-16 offsets into the text; `parent` is an index into the same array (-1: top level). */
export interface OutlineEntry {
  name: string;
  detail?: string;
  kind: SymbolKind;
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  parent: number;
}

export interface OutlineLimits {
  /** Symbols nested deeper than this are left out (with their subtree). */
  maxDepth?: number;
  /** At most this many symbols, the first ones in document order. */
  maxSymbols?: number;
}

export const DEFAULT_OUTLINE_LIMITS: Required<OutlineLimits> = { maxDepth: 128, maxSymbols: 20_000 };
const MAX_NAME = 200;
const MAX_DETAIL = 160;

const KINDS: Record<string, SymbolKind> = {
  file: SymbolKind.File,
  module: SymbolKind.Module,
  namespace: SymbolKind.Namespace,
  package: SymbolKind.Package,
  class: SymbolKind.Class,
  method: SymbolKind.Method,
  property: SymbolKind.Property,
  field: SymbolKind.Field,
  constructor: SymbolKind.Constructor,
  enum: SymbolKind.Enum,
  interface: SymbolKind.Interface,
  function: SymbolKind.Function,
  variable: SymbolKind.Variable,
  constant: SymbolKind.Constant,
  string: SymbolKind.String,
  number: SymbolKind.Number,
  boolean: SymbolKind.Boolean,
  array: SymbolKind.Array,
  object: SymbolKind.Object,
  key: SymbolKind.Key,
  null: SymbolKind.Null,
  enum_member: SymbolKind.EnumMember,
  struct: SymbolKind.Struct,
  event: SymbolKind.Event,
  operator: SymbolKind.Operator,
  type_parameter: SymbolKind.TypeParameter,
};

const IGNORE = { role: 'ignore' } as const;
const SCOPE = { role: 'scope' } as const;
type Role = { role: 'symbol'; kind: SymbolKind } | { role: 'name' | 'detail'; part: string } | { role: 'ignore' } | { role: 'scope' };

interface Plan {
  roles: Map<string, Role>;
  /** Per pattern: capture name -> regexes of its (#strip! @capture "regex") directives. */
  strips: (Map<string, RegExp[]> | undefined)[];
}

/** Per compiled query, worked out once (unknown kinds and bad regexes are logged once). */
const plans = new WeakMap<Query, Plan>();

function planFor(query: Query, language: string): Plan {
  let plan = plans.get(query);
  if (plan) return plan;
  const roles = new Map(query.captureNames.map((capture): [string, Role] => [capture, roleOf(capture, language)]));
  const strips: (Map<string, RegExp[]> | undefined)[] = [];
  for (let i = 0; i < query.patternCount(); i++) {
    for (const predicate of query.predicatesForPattern(i)) {
      if (predicate.operator !== 'strip!') continue;
      const [capture, regex] = predicate.operands;
      if (capture?.type !== 'capture' || regex?.type !== 'string') continue;
      try {
        const map = (strips[i] ??= new Map());
        const list = map.get(capture.name) ?? [];
        list.push(new RegExp(regex.value, 'g'));
        map.set(capture.name, list);
      } catch (err) {
        logger().warn({ language, regex: regex.value, error: String(err) }, 'symbols.scm: bad #strip! regex; ignored');
      }
    }
  }
  plan = { roles, strips };
  plans.set(query, plan);
  return plan;
}

function roleOf(capture: string, language: string): Role {
  if (capture.startsWith('symbol.')) {
    const kind = KINDS[capture.slice('symbol.'.length)];
    if (kind !== undefined) return { role: 'symbol', kind };
    logger().warn({ language, capture }, 'symbols.scm: unknown symbol kind; capture ignored');
    return IGNORE;
  }
  if (capture === 'local.scope') return SCOPE;
  if (capture === 'name' || capture.startsWith('name.')) return { role: 'name', part: capture };
  if (capture === 'detail' || capture.startsWith('detail.')) return { role: 'detail', part: capture };
  return IGNORE;
}

interface Candidate {
  node: Node;
  kind: SymbolKind;
  pattern: number;
  start: number;
  end: number;
  name: string;
  detail: string;
  selectionStart: number;
  selectionEnd: number;
  local: boolean;
  /** Same key = same declaration: the @name span, else the declaration node. */
  key: string;
  hoist: SymbolKind | undefined;
  unique: boolean;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Source text from the first to the last node, less what (#strip! ...) removes. */
function spanText(text: string, nodes: Node[] | undefined, strip: RegExp[] | undefined): string {
  if (!nodes || nodes.length === 0) return '';
  let start = Infinity;
  let end = -Infinity;
  for (const n of nodes) {
    if (n.startIndex < start) start = n.startIndex;
    if (n.endIndex > end) end = n.endIndex;
  }
  let t = text.slice(start, end);
  for (const re of strip ?? []) t = t.replace(re, '');
  return t;
}

function fillTemplate(template: string, parts: Map<string, Node[]>, text: string, strips: Map<string, RegExp[]> | undefined, index: () => number): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (_m, key: string) => (key === 'index' ? String(index()) : spanText(text, parts.get(key), strips?.get(key))));
}

/** Index of `node` among its parent's named, non-extra children (cached per parent: linear for long arrays). */
function siblingIndex(node: Node, cache: Map<number, Map<number, number>>): number {
  const parent = node.parent;
  if (!parent) return 0;
  let indices = cache.get(parent.id);
  if (!indices) {
    indices = new Map();
    let i = 0;
    for (let c = parent.firstNamedChild; c; c = c.nextNamedSibling) {
      if (c.isExtra) continue;
      indices.set(c.id, i++);
    }
    cache.set(parent.id, indices);
  }
  return indices.get(node.id) ?? 0;
}

function candidateOf(match: QueryMatch, plan: Plan, text: string, indexCache: Map<number, Map<number, number>>): Candidate | undefined {
  let symbolNode: Node | undefined;
  let kind: SymbolKind | undefined;
  const names = new Map<string, Node[]>();
  const details = new Map<string, Node[]>();
  for (const capture of match.captures as QueryCapture[]) {
    const role = plan.roles.get(capture.name) ?? IGNORE;
    if (role.role === 'symbol') {
      if (!symbolNode) {
        symbolNode = capture.node;
        kind = role.kind;
      }
    } else if (role.role === 'name' || role.role === 'detail') {
      const into = role.role === 'name' ? names : details;
      const list = into.get(role.part);
      if (list) list.push(capture.node);
      else into.set(role.part, [capture.node]);
    }
  }
  if (!symbolNode || kind === undefined) return undefined;
  const props = match.setProperties ?? {};
  const node = symbolNode;
  const index = () => siblingIndex(node, indexCache);
  const parts = new Map<string, Node[]>([...names, ...details]);
  const strips = plan.strips[match.patternIndex];
  const nameTemplate = props.name;
  const name = oneLine(nameTemplate != null ? fillTemplate(nameTemplate, parts, text, strips, index) : spanText(text, names.get('name'), strips?.get('name')), MAX_NAME);
  if (!name) return undefined;
  const detailTemplate = props.detail;
  const detail = oneLine(detailTemplate != null ? fillTemplate(detailTemplate, parts, text, strips, index) : spanText(text, details.get('detail'), strips?.get('detail')), MAX_DETAIL);

  // selectionRange: the @name span, else every name part, else the declaration itself.
  // (The whitespace trim below may move `end`.)
  const selectionNodes = names.get('name') ?? [...names.values()].flat();
  const start = node.startIndex;
  let end = node.endIndex;
  let selectionStart = start;
  let selectionEnd = end;
  if (selectionNodes.length > 0) {
    const s = Math.min(...selectionNodes.map((n) => n.startIndex));
    const e = Math.max(...selectionNodes.map((n) => n.endIndex));
    // Name pieces outside the declaration (a callback's callee) do not widen
    // its range, which would swallow neighbours; it selects itself instead.
    if (s >= start && e <= end) {
      selectionStart = s;
      selectionEnd = e;
    }
  }
  // Some nodes end with the newline or blanks after them (#define, void HTML elements).
  while (end > Math.max(start, selectionEnd) && isSpace(text.charCodeAt(end - 1))) end--;
  const local = match.refutedProperties ? 'local' in match.refutedProperties : false;
  const primary = names.get('name');
  const key = primary ? `${Math.min(...primary.map((n) => n.startIndex))}:${Math.max(...primary.map((n) => n.endIndex))}` : `n${node.id}`;
  const hoist = props.hoist != null ? KINDS[props.hoist] : undefined;
  const unique = props.unique !== undefined;
  return { node, kind, pattern: match.patternIndex, start, end, name, detail, selectionStart, selectionEnd, local, key, hoist, unique };
}

/**
 * The outline of a tree as flat entries in document order (pre-order), each
 * with its parent's index. Empty when the language has no symbols query.
 */
export function outline(tree: Tree, grammar: LoadedGrammar, text: string, registry: GrammarRegistry, limits: OutlineLimits = {}): OutlineEntry[] {
  const query = registry.query(grammar, 'symbols');
  if (!query) return [];
  const maxDepth = limits.maxDepth ?? DEFAULT_OUTLINE_LIMITS.maxDepth;
  const maxSymbols = limits.maxSymbols ?? DEFAULT_OUTLINE_LIMITS.maxSymbols;
  const plan = planFor(query, grammar.spec.id);

  // One candidate per declaration (name node, else declaration node): the pattern earliest in the file wins.
  const byNode = new Map<string, Candidate>();
  const indexCache = new Map<number, Map<number, number>>();
  const scopes: { start: number; end: number }[] = [];
  for (const match of boundedMatches(query, tree.rootNode)) {
    for (const capture of match.captures) {
      if (plan.roles.get(capture.name) === SCOPE) scopes.push({ start: capture.node.startIndex, end: capture.node.endIndex });
    }
    const c = candidateOf(match, plan, text, indexCache);
    if (!c) continue;
    const seen = byNode.get(c.key);
    if (!seen || c.pattern < seen.pattern) byNode.set(c.key, c);
  }
  const candidates = [...byNode.values()].sort((a, b) => a.start - b.start || b.end - a.end || a.pattern - b.pattern);

  scopes.sort((a, b) => a.start - b.start || b.end - a.end);

  const out: OutlineEntry[] = [];
  const stack: { index: number; start: number; end: number; kind: SymbolKind }[] = [];
  // parent index + name of every symbol, for (#set! unique).
  const seenNames = new Set<string>();
  // Function bodies around the current candidate (nested or disjoint, like the tree).
  const scopeStack: { start: number; end: number }[] = [];
  let nextScope = 0;
  let skipUntil = -1;
  for (const c of candidates) {
    if (out.length >= maxSymbols) break;
    if (c.start < skipUntil) continue; // inside a dropped subtree
    // Pop what does not contain c. Equal ranges are siblings, not parent and
    // child (`var a, b int`: two symbols over one declaration).
    while (stack.length > 0 && (c.end > stack[stack.length - 1]!.end || (c.start === stack[stack.length - 1]!.start && c.end === stack[stack.length - 1]!.end))) stack.pop();
    while (nextScope < scopes.length && scopes[nextScope]!.start <= c.start) scopeStack.push(scopes[nextScope++]!);
    while (scopeStack.length > 0 && !(scopeStack[scopeStack.length - 1]!.end >= c.end)) scopeStack.pop();
    let depth = stack.length;
    if (c.hoist !== undefined) {
      // Attach to the nearest enclosing symbol of that kind (Python's self.x to its class).
      depth = -1;
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i]!.kind === c.hoist) {
          depth = i + 1;
          break;
        }
      }
    }
    const parent = depth > 0 ? stack[depth - 1]!.index : -1;
    // Hoisted bindings (self.x) give way to declarations of the class, not
    // the other way round: a later `def x` is still listed.
    const nameKey = `${parent}\u0000${c.name}`;
    const hoistKey = `${parent}\u0001${c.name}`;
    const taken = c.unique && (seenNames.has(nameKey) || (c.hoist !== undefined && seenNames.has(hoistKey)));
    const drop = (c.local && c.hoist === undefined && scopeStack.length > 0) || depth < 0 || depth >= maxDepth || taken;
    if (drop) {
      skipUntil = Math.max(skipUntil, c.end);
      continue;
    }
    seenNames.add(c.hoist !== undefined ? hoistKey : nameKey);
    const entry: OutlineEntry = { name: c.name, kind: c.kind, start: c.start, end: c.end, selectionStart: c.selectionStart, selectionEnd: c.selectionEnd, parent };
    if (c.detail) entry.detail = c.detail;
    out.push(entry);
    // A hoisted symbol is a leaf: whatever it contains stays with the enclosing symbol.
    if (c.hoist === undefined) stack.push({ index: out.length - 1, start: c.start, end: c.end, kind: c.kind });
  }
  return out;
}

/** Turn flat entries into the LSP tree (positions from the TextDocument: UTF-16, lone-\r safe). */
export function toDocumentSymbols(entries: readonly OutlineEntry[], doc: TextDocument): DocumentSymbol[] {
  const roots: DocumentSymbol[] = [];
  const built: DocumentSymbol[] = [];
  for (const e of entries) {
    const symbol: DocumentSymbol = {
      name: e.name,
      kind: e.kind,
      range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) },
      selectionRange: { start: doc.positionAt(e.selectionStart), end: doc.positionAt(e.selectionEnd) },
      children: [],
    };
    if (e.detail) symbol.detail = e.detail;
    built.push(symbol);
    if (e.parent >= 0) built[e.parent]!.children!.push(symbol);
    else roots.push(symbol);
  }
  return roots;
}

export function documentSymbols(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry, limits?: OutlineLimits): DocumentSymbol[] {
  return toDocumentSymbols(outline(tree, grammar, doc.getText(), registry, limits), doc);
}

/** Flatten for clients without hierarchicalDocumentSymbolSupport (containerName carries the parent). Pre-order, no recursion. */
export function toSymbolInformation(symbols: DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const work: { symbol: DocumentSymbol; container: string | undefined }[] = [];
  for (let i = symbols.length - 1; i >= 0; i--) work.push({ symbol: symbols[i]!, container });
  while (work.length > 0) {
    const { symbol: s, container: c } = work.pop()!;
    out.push({ name: s.name, kind: s.kind, location: { uri, range: s.range }, ...(c ? { containerName: c } : {}) });
    const children = s.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) work.push({ symbol: children[i]!, container: s.name });
  }
  return out;
}
