// The wire contract of every custom request and notification. The VS Code
// client and the tests import these types; keep them free of server internals.

/** Test and debugging aid: the server's current tree for a document, flattened. */
export const DebugTreeRequest = '$/cstDebugTree';
export interface DebugTreeParams {
  uri: string;
  /** Include the full node list (otherwise only its digest). */
  nodes?: boolean;
  /** Include the document text as the server holds it. */
  text?: boolean;
  /** Include the S-expression. */
  sexp?: boolean;
  /** Compute the digest over all nodes (default true; false makes the request O(1)). */
  digest?: boolean;
}
export interface DebugTreeResult {
  uri: string;
  version: number;
  languageId: string;
  /** The language resolved from the manifest, or null when unknown. */
  language: string | null;
  hasTree: boolean;
  /** Why the document has no tree (unknown language, too large, timed out, binary...). */
  noTreeReason?: string;
  textLength: number;
  /** Server-side time spent applying the last didChange (text update, tree edit and reparse), in ms. */
  lastUpdateMs: number;
  /** Kind of the last parse of this document. */
  lastParse: 'full' | 'incremental' | 'none';
  nodeCount: number;
  /** sha256 of the node list ('' when digest: false) (see serializeNodes): one line per node, "type start end startRow:startCol endRow:endCol". */
  digest: string;
  nodes?: string[];
  text?: string;
  sexp?: string;
}
