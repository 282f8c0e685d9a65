// textDocument/documentHighlight from grammars/<language>/locals.scm.
//
// The identifier under the cursor and every occurrence of the same name that
// refers to the same binding: the definition found by walking out from the
// occurrence's scope, tree-sitter's locals convention. Name resolution needs a
// query, so it runs once per tree in `highlightIndex` (from a live tree) and
// its result, the occurrences grouped by binding, is kept in the derived
// index (`DerivedIndex.highlights`): warm, cold and frozen answer exactly as
// hot does, and a request is a binary search.
//
// Capture convention of locals.scm:
//
//   @local.scope        a node that opens a scope (a function, a block, a class).
//                       (#set! local.scope-inherits false): names of enclosing
//                       scopes are not visible inside (Ruby's `def`).
//   @local.definition[.kind]
//                       an identifier that binds its name in the innermost
//                       scope around it (kind: Write).
//                       (#set! local.definition-scope "parent"): in the scope
//                       around that one (a function's own name is visible
//                       beside the function, not only in it);
//                       (#set! local.definition-scope "global"): in the
//                       document's scope (a shell variable set in a function).
//   @local.reference.write
//                       an identifier assigned to (`x = 1`, `x += 1`): resolved
//                       like a reference, kind Write.
//   @local.reference[.kind]
//                       an identifier that refers to a binding: resolved
//                       through the enclosing scopes, innermost first (kind
//                       Read). A name bound nowhere (a global, a builtin, an
//                       import the query does not bind) groups with the other
//                       unbound uses of that name in the document.
//   @local.text[.category]
//                       a name with no binding semantics (a property, a field,
//                       a key, a CSS class, an HTML attribute): highlighted with every
//                       occurrence of the same text in the same category (the
//                       capture name), kind Text.
//   @_anything          helper captures for predicates; ignored.
//
// A node captured by several patterns takes the role of the pattern that
// comes first in the file, so specific patterns (definitions, attribute
// names) go before a catch-all `(identifier) @local.reference`.
// Resolution does not depend on order inside a scope (a function may be
// called above its declaration); a scope's bindings are its definitions.
// Occurrences are names (leaves): a capture overlapping an earlier one is
// dropped. Names deeper than MAX_LOCALS_DEPTH are not collected.
import type { Query, Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentHighlightKind, type DocumentHighlight, type Position } from 'vscode-languageserver';
import type { GrammarRegistry, LoadedGrammar } from '../syntax/grammars.js';
import type { Snapshot } from '../cache/tiers.js';
import { boundedCaptures } from '../syntax/queries.js';

/**
 * Occurrences as stored in the derived index: 3 numbers per occurrence, in
 * document order: start offset (UTF-16) minus the previous occurrence's start,
 * length, and group * 4 + DocumentHighlightKind. Occurrences with one group
 * highlight together.
 */
export type HighlightIndex = number[];

/**
 * Names and scopes are collected at most this deep in the tree. A query over
 * deeper nesting is pathological in tree-sitter (its in-progress matches pile
 * up past 65,535: minutes for 100,000 nested blocks); real code is far
 * shallower.
 */
export const MAX_LOCALS_DEPTH = 4096;

/**
 * Wall-clock budget of the locals query. The depth limit above is what keeps
 * the query linear; the budget is a last resort, generous because a cut
 * short (load-dependent) answer would differ between a tree's index built
 * here and the one a worker builds for the disk store.
 */
const QUERY_BUDGET_MS = 2_000;
export const HIGHLIGHT_FIELDS = 3;

type Role = 'scope' | 'definition' | 'write' | 'reference' | 'text' | 'ignore';

function roleOf(capture: string): Role {
  if (capture === 'local.scope') return 'scope';
  if (capture === 'local.definition' || capture.startsWith('local.definition.')) return 'definition';
  if (capture === 'local.reference.write') return 'write';
  if (capture === 'local.reference' || capture.startsWith('local.reference.')) return 'reference';
  if (capture === 'local.text' || capture.startsWith('local.text.')) return 'text';
  return 'ignore';
}

const roleCache = new WeakMap<Query, Map<string, Role>>();

function rolesFor(query: Query): Map<string, Role> {
  let roles = roleCache.get(query);
  if (!roles) {
    roles = new Map(query.captureNames.map((name) => [name, roleOf(name)]));
    roleCache.set(query, roles);
  }
  return roles;
}

function bindOf(value: string | null | undefined): 'inner' | 'parent' | 'global' {
  return value === 'parent' || value === 'global' ? value : 'inner';
}

interface Scope {
  start: number;
  end: number;
  inherits: boolean;
  parent: number;
  bindings: Map<string, number> | undefined;
}

interface Occurrence {
  start: number;
  end: number;
  role: Role;
  pattern: number;
  /** Text category (capture name) of a @local.text occurrence. */
  category: string;
  /** Where a definition binds: its innermost scope, the one around it, or the document's. */
  bind: 'inner' | 'parent' | 'global';
  name: string;
  group: number;
}

/**
 * The highlight groups of a tree, for the derived index. Empty when the
 * language has no locals query. A pure function of (tree, text, query).
 */
export function highlightIndex(tree: Tree, grammar: LoadedGrammar, doc: TextDocument, registry: GrammarRegistry): HighlightIndex {
  const query = registry.query(grammar, 'locals');
  if (!query) return [];
  const text = doc.getText();
  const roles = rolesFor(query);
  const scopeByRange = new Map<string, Scope>();
  const byStart = new Map<number, Occurrence>();
  for (const capture of boundedCaptures(query, tree.rootNode, { maxStartDepth: MAX_LOCALS_DEPTH, timeoutMs: QUERY_BUDGET_MS })) {
    const role = roles.get(capture.name) ?? 'ignore';
    if (role === 'ignore') continue;
    const node = capture.node;
    const start = node.startIndex;
    const end = node.endIndex;
    if (role === 'scope') {
      const key = `${start}:${end}`;
      const inherits = capture.setProperties?.['local.scope-inherits'] !== 'false';
      const seen = scopeByRange.get(key);
      if (seen) seen.inherits &&= inherits;
      else scopeByRange.set(key, { start, end, inherits, parent: -1, bindings: undefined });
      continue;
    }
    if (end <= start) continue; // MISSING identifiers
    const seen = byStart.get(start);
    if (seen && seen.pattern <= capture.patternIndex) continue;
    byStart.set(start, {
      start,
      end,
      role,
      pattern: capture.patternIndex,
      category: capture.name,
      bind: bindOf(capture.setProperties?.['local.definition-scope']),
      name: text.slice(start, end),
      group: -1,
    });
  }
  if (byStart.size === 0) return [];

  // Scopes: the document, then every scope node, outer first; parents by containment.
  const scopes: Scope[] = [{ start: 0, end: text.length, inherits: true, parent: -1, bindings: undefined }];
  scopes.push(...[...scopeByRange.values()].sort((a, b) => a.start - b.start || b.end - a.end));
  const stack: number[] = [0];
  for (let i = 1; i < scopes.length; i++) {
    const s = scopes[i]!;
    while (stack.length > 1 && !(scopes[stack[stack.length - 1]!]!.end >= s.end)) stack.pop();
    s.parent = stack[stack.length - 1]!;
    stack.push(i);
  }

  // The innermost scope of every occurrence. Occurrences are names (leaves);
  // one that overlaps the previous one (a query capturing a whole path) is dropped.
  const occurrences: Occurrence[] = [];
  for (const o of [...byStart.values()].sort((a, b) => a.start - b.start)) {
    const previous = occurrences[occurrences.length - 1];
    if (previous && o.start < previous.end) continue;
    occurrences.push(o);
  }
  const innermost = new Array<number>(occurrences.length);
  stack.length = 1;
  let next = 1;
  for (let k = 0; k < occurrences.length; k++) {
    const o = occurrences[k]!;
    while (next < scopes.length && scopes[next]!.start <= o.start) {
      const s = scopes[next]!;
      while (stack.length > 1 && !(scopes[stack[stack.length - 1]!]!.end >= s.end)) stack.pop();
      stack.push(next++);
    }
    while (stack.length > 1 && scopes[stack[stack.length - 1]!]!.end < o.end) stack.pop();
    innermost[k] = stack[stack.length - 1]!;
  }

  let groups = 0;
  // Definitions first: a scope's bindings do not depend on order.
  for (let k = 0; k < occurrences.length; k++) {
    const o = occurrences[k]!;
    if (o.role !== 'definition') continue;
    let scope = innermost[k]!;
    if (o.bind === 'global') scope = 0;
    else if (o.bind === 'parent' && scopes[scope]!.parent >= 0) scope = scopes[scope]!.parent;
    const s = scopes[scope]!;
    s.bindings ??= new Map();
    let group = s.bindings.get(o.name);
    if (group === undefined) {
      group = groups++;
      s.bindings.set(o.name, group);
    }
    o.group = group;
  }
  const unbound = new Map<string, number>();
  const texts = new Map<string, number>();
  for (let k = 0; k < occurrences.length; k++) {
    const o = occurrences[k]!;
    if (o.role === 'definition') continue;
    if (o.role === 'text') {
      const key = `${o.category}\u0000${o.name}`;
      let group = texts.get(key);
      if (group === undefined) texts.set(key, (group = groups++));
      o.group = group;
      continue;
    }
    let group: number | undefined;
    for (let scope = innermost[k]!; scope >= 0; ) {
      const s = scopes[scope]!;
      group = s.bindings?.get(o.name);
      if (group !== undefined || !s.inherits) break;
      scope = s.parent;
    }
    if (group === undefined) {
      group = unbound.get(o.name);
      if (group === undefined) unbound.set(o.name, (group = groups++));
    }
    o.group = group;
  }

  const out: HighlightIndex = [];
  let previous = 0;
  for (const o of occurrences) {
    const kind = o.role === 'text' ? DocumentHighlightKind.Text : o.role === 'reference' ? DocumentHighlightKind.Read : DocumentHighlightKind.Write;
    out.push(o.start - previous, o.end - o.start, o.group * 4 + kind);
    previous = o.start;
  }
  return out;
}

/** textDocument/documentHighlight from a snapshot (any tier). Empty when the cursor is on no known name. */
export function documentHighlights(snap: Snapshot, position: Position): DocumentHighlight[] {
  // An index written before highlights existed has none (ENTRY_FORMAT_VERSION guards stored entries).
  const data = (snap.index.highlights as HighlightIndex | undefined) ?? [];
  const n = Math.floor(data.length / HIGHLIGHT_FIELDS);
  if (n === 0) return [];
  const line = Number(position?.line);
  const character = Number(position?.character);
  if (!Number.isFinite(line) || !Number.isFinite(character)) return [];
  const p = snap.text.offsetAt({ line: Math.max(0, Math.trunc(line)), character: Math.max(0, Math.trunc(character)) });
  const starts = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += data[i * HIGHLIGHT_FIELDS]!;
    starts[i] = at;
  }
  // The occurrence containing p, else the one ending at p (cursor just after a name).
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= p) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0 || starts[i]! + data[i * HIGHLIGHT_FIELDS + 1]! < p) return [];
  const group = Math.floor(data[i * HIGHLIGHT_FIELDS + 2]! / 4);
  const out: DocumentHighlight[] = [];
  for (let k = 0; k < n; k++) {
    const code = data[k * HIGHLIGHT_FIELDS + 2]!;
    if (Math.floor(code / 4) !== group) continue;
    const start = starts[k]!;
    const kind = (code % 4) as DocumentHighlightKind;
    out.push({ range: { start: snap.text.positionAt(start), end: snap.text.positionAt(start + data[k * HIGHLIGHT_FIELDS + 1]!) }, kind });
  }
  return out;
}
