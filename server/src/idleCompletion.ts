// Completion work done while the user is not typing, so that keystrokes do not
// pay for it (server.ts calls opened() on didOpen and answered() after each
// completion request):
//   - a newly opened document's completion facts are built once the connection
//     is quiet; the document opened last, restored from the store without a
//     parse, is made hot first (a `prepared` parse);
//   - a build that a completion request deferred (over KEYSTROKE_BUILD_BUDGET)
//     runs when the connection is quiet;
//   - once per language the completion path is rehearsed, so that the first
//     real keystrokes do not run it unoptimized.
import type { DocumentStore } from './cache/documents.js';
import type { TierManager } from './cache/tiers.js';
import type { GrammarRegistry } from './syntax/grammars.js';
import type { WorkspaceIndex } from './workspace/index.js';
import type { Traffic } from './transport/traffic.js';
import { complete } from './features/completion.js';
import { buildCompletionIndex, ChunkCache } from './features/completionBuild.js';
import { logger } from './log.js';

/**
 * A completion request gives new facts to at most this many syntax nodes (a
 * keystroke needs one chunk and its few large ancestors); more, and it answers
 * from the last build's facts while the build waits for quiet
 * (features/completionBuild.ts buildCompletionIndex).
 */
export const KEYSTROKE_BUILD_BUDGET = 24;
/** Quiet time (no message) before idle work starts. */
const QUIET_MS = 150;
/** Stop waiting for quiet after this long (a client that never pauses builds them on the first completion). */
const PREPARE_GIVE_UP_MS = 30_000;
/** Completions rehearsed per language at idle (see rehearse()), and the largest text whose facts it builds. */
const REHEARSALS = 6;
const REHEARSAL_MAX_CHARS = 1 << 20;

export interface IdleCompletionSources {
  documents: DocumentStore;
  /** Created at initialize. */
  tiers: () => TierManager | undefined;
  registry: GrammarRegistry;
  workspace: WorkspaceIndex;
  traffic: Traffic | undefined;
  /** Enforce the memory budget (what every handler does after its work). */
  settle: () => void;
}

export class IdleCompletion {
  /** Documents with a timer waiting for quiet (every deferred keystroke asks again). */
  private readonly preparing = new Set<string>();
  /** Languages whose completion path has been rehearsed. */
  private readonly rehearsed = new Set<string>();
  /** The document the client opened last (what the user is looking at, most likely). */
  private lastOpened: string | undefined;

  constructor(private readonly src: IdleCompletionSources) {}

  /** didOpen. */
  opened(uri: string): void {
    this.lastOpened = uri;
    this.prepareWhenQuiet(uri);
  }

  /** After a completion request: one answered from the last build's facts gets the current ones built when quiet. */
  answered(uri: string): void {
    if (this.src.documents.get(uri)?.indexMemo?.completion.deferred) this.prepareWhenQuiet(uri);
  }

  /** A message arrived within QUIET_MS, or one is being answered: idle work waits. */
  private busy(): boolean {
    const traffic = this.src.traffic;
    return Boolean(traffic && (traffic.inFlight > 0 || performance.now() - traffic.lastArrival < QUIET_MS));
  }

  /**
   * Build a document's completion facts once the connection has been quiet
   * for QUIET_MS (no message arrived, none in flight): the first keystroke
   * then recomputes one chunk instead of the whole file (about 150 ms for
   * 5,000 lines of Python), and no request waits behind the build.
   */
  private prepareWhenQuiet(uri: string, deadline = performance.now() + PREPARE_GIVE_UP_MS, again = false): void {
    if (!again && this.preparing.has(uri)) return;
    this.preparing.add(uri);
    const timer = setTimeout(() => {
      if (this.busy()) {
        if (performance.now() < deadline) this.prepareWhenQuiet(uri, deadline, true);
        else this.preparing.delete(uri);
        return;
      }
      this.preparing.delete(uri);
      const doc = this.src.documents.get(uri);
      const tiers = this.src.tiers();
      if (!doc || !tiers) return;
      // Restored from the store without a parse (warm): the document opened last becomes hot now, so
      // that its first keystroke is not a full parse plus every chunk's facts (about 100 ms for 5,000
      // lines of Python). Others stay warm: reopening a session's documents must not parse them all;
      // and one the budget demoted (it was parsed here before) stays where the budget put it.
      if (doc.tier === 'warm' || doc.tier === 'cold' || doc.tier === 'frozen') {
        if (uri !== this.lastOpened || doc.lastParse !== 'none') return;
        tiers.prepareHot(uri);
      }
      // Only a hot document: a snapshot of any other would decode it just to find nothing to do.
      if (doc.tier !== 'hot') return;
      const snap = tiers.snapshot(uri);
      if (!snap) return;
      let ok = false;
      try {
        void snap.index.completion;
        ok = true;
      } catch (err) {
        logger().debug({ err, uri }, 'completion facts not prepared');
      } finally {
        snap.release();
        this.src.settle();
      }
      if (ok && snap.doc.spec && !this.rehearsed.has(snap.doc.spec.id)) this.rehearse(uri, snap.doc.spec.id, REHEARSALS);
    }, QUIET_MS);
    timer.unref();
  }

  /**
   * Once per language, at idle: answer completions nobody asked for in a
   * prepared document (after its last few member operators, and at the end of
   * its text), REHEARSALS times, one round per event-loop turn, stopping when
   * a message arrives. The completion path's first calls run unoptimized and
   * fill its caches (the grammar's keywords, the workspace's sorted lists),
   * and so does the keystroke's facts build, rehearsed on a private cache (the
   * document's own is left alone).
   */
  private rehearse(uri: string, language: string, left: number, facts = new ChunkCache()): void {
    const { documents, registry, workspace } = this.src;
    if (left <= 0 || this.busy()) return;
    if (documents.get(uri)?.tier !== 'hot') return;
    const snap = this.src.tiers()?.snapshot(uri);
    if (!snap) return;
    try {
      const text = snap.text.getText();
      // The keystroke's build (walk, collect, assemble) on a private cache: built once, then reused.
      const grammar = registry.loaded(language);
      if (snap.tree && grammar && text.length <= REHEARSAL_MAX_CHARS) buildCompletionIndex(snap.tree, grammar, snap.text, registry, facts);
      let end = text.length;
      while (end > 0 && /\s/.test(text[end - 1]!)) end--;
      // Right after the last few `name.member` dots (members; one in a comment or string answers
      // nothing), and at the end of the text (every other source).
      const positions = [end];
      for (let dot = text.lastIndexOf('.'); dot > 0 && positions.length < 4; dot = text.lastIndexOf('.', dot - 1)) {
        if (/\w/.test(text[dot - 1]!) && /[A-Za-z_]/.test(text[dot + 1] ?? '')) positions.push(dot + 1);
      }
      for (const at of positions) {
        complete(snap, snap.text.positionAt(at), { registry, workspace, limit: 100, isCancelled: () => false, keystrokeBudget: KEYSTROKE_BUILD_BUDGET });
      }
      this.rehearsed.add(language);
    } catch (err) {
      logger().debug({ err, uri }, 'completion rehearsal failed');
      return;
    } finally {
      snap.release();
      // A rehearsal may build the document's own facts (accounted bytes): the budget holds after it too.
      this.src.settle();
    }
    setImmediate(() => this.rehearse(uri, language, left - 1, facts));
  }
}
