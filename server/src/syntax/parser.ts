// Parsing with a time bound. One web-tree-sitter Parser per language, reused.
// A parse that runs past its deadline is cancelled through the progress
// callback and the parser is reset (a cancelled parser otherwise resumes its
// old work on the next call).
import { Parser, type ParseCallback, type Tree } from 'web-tree-sitter';
import type { LoadedGrammar } from './grammars.js';

export type ParseKind = 'full' | 'incremental';

export interface ParseOutcome {
  tree: Tree | null;
  ms: number;
  kind: ParseKind;
  timedOut: boolean;
  error?: string;
  /** An idle parse that prepares a document for its first edit (no request needed it). */
  prepared?: boolean;
  /** Stopped because its caller no longer wanted it (`stop`), not by the deadline. */
  cancelled?: boolean;
}

export type ParseListener = (outcome: ParseOutcome, language: string) => void;

export class ParserPool {
  private readonly parsers = new Map<string, Parser>();
  private readonly listeners: ParseListener[] = [];

  onParse(listener: ParseListener): void {
    this.listeners.push(listener);
  }

  private parserFor(grammar: LoadedGrammar): Parser {
    let parser = this.parsers.get(grammar.spec.id);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(grammar.language);
      this.parsers.set(grammar.spec.id, parser);
    }
    return parser;
  }

  /**
   * Parse `text` (a string, or a callback returning the text from an index,
   * e.g. DocumentText.input()). With `oldTree` (already edited to match `text`) the parse is
   * incremental. The old tree is not deleted here: its owner decides.
   */
  parse(grammar: LoadedGrammar, text: string | ParseCallback, oldTree: Tree | null, timeoutMs: number, prepared = false, stop?: () => boolean): ParseOutcome {
    const parser = this.parserFor(grammar);
    const kind: ParseKind = oldTree ? 'incremental' : 'full';
    const started = performance.now();
    const deadline = started + timeoutMs;
    let timedOut = false;
    let cancelled = false;
    let outcome: ParseOutcome;
    try {
      const tree = parser.parse(text, oldTree, {
        // web-tree-sitter cancels the parse when this returns true (its .d.ts says void).
        progressCallback: (() => {
          if (performance.now() > deadline) timedOut = true;
          else if (stop?.()) cancelled = true;
          return timedOut || cancelled;
        }) as unknown as () => void,
      });
      if (!tree) parser.reset();
      outcome = { tree, ms: performance.now() - started, kind, timedOut: timedOut && !tree, ...(prepared ? { prepared } : {}), ...(cancelled && !tree ? { cancelled } : {}) };
    } catch (err) {
      parser.reset();
      outcome = { tree: null, ms: performance.now() - started, kind, timedOut: false, error: err instanceof Error ? err.message : String(err) };
    }
    for (const l of this.listeners) l(outcome, grammar.spec.id);
    return outcome;
  }

  dispose(): void {
    for (const p of this.parsers.values()) p.delete();
    this.parsers.clear();
  }
}
