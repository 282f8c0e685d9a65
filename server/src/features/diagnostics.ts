// Syntax diagnostics from ERROR and MISSING nodes. Walks only into subtrees
// that contain an error, so an error-free tree costs one check.
import type { Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { walkCursor } from '../syntax/walk.js';

const SNIPPET = 40;

function snippet(text: string): string {
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? '';
  const trimmed = firstLine.trim();
  return trimmed.length > SNIPPET ? `${trimmed.slice(0, SNIPPET)}…` : trimmed;
}

export function syntaxDiagnostics(tree: Tree, doc: TextDocument, max: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (max <= 0 || !tree.rootNode.hasError) return out;
  const text = doc.getText();
  walkCursor(tree, (c) => {
    if (out.length >= max) return false;
    if (c.nodeIsMissing) {
      const at = doc.positionAt(c.startIndex);
      const what = c.nodeIsNamed ? c.nodeType : `"${c.nodeType}"`;
      out.push({ range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: 'cst', message: `Missing ${what}` });
      return false;
    }
    if (c.nodeType === 'ERROR') {
      const start = c.startIndex;
      const lineEnd = doc.offsetAt({ line: doc.positionAt(start).line, character: Number.MAX_SAFE_INTEGER });
      const end = Math.max(start, Math.min(c.endIndex, lineEnd));
      const found = snippet(text.slice(start, c.endIndex));
      out.push({
        range: { start: doc.positionAt(start), end: doc.positionAt(end) },
        severity: DiagnosticSeverity.Error,
        source: 'cst',
        message: found ? `Syntax error: unexpected "${found}"` : 'Syntax error',
      });
      return false;
    }
    return c.currentNode.hasError;
  });
  return out;
}
