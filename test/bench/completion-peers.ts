// The semantic peers of the completion benchmark (test/bench/completion.ts):
// typescript-language-server (TypeScript, JavaScript) and pyright (Python),
// installed and started with the helpers of outline-agreement.ts.
//
// One peer process per corpus, rooted at the corpus root (rootUri and the
// workspace folder), so that it resolves the project's imports itself. A
// held-out file is opened at its real path (a copy elsewhere would cut its
// relative imports) with the original text; each sample is then the same pair
// of incremental didChanges our server gets (delete the identifier after its
// first 2 characters, later put it back) around one textDocument/completion.
//
// Every request has a timeout; a timed-out request is cancelled
// ($/cancelRequest through the cancellation token) and the sample counts as a
// miss. The first completion in each file is a warm-up, not scored, with a
// longer timeout: it pays for loading the project (tsserver) or checking the
// file (pyright), which an editor pays once when the file opens, and pyright's
// first answer lacks its auto-import candidates. A peer that has exited, or a
// corpus whose peer time budget is spent, is not asked again (the remaining
// samples are reported as not run, apart from timeouts).
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node.js';
import type { CompletionItem, CompletionList, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';
import { installPeers, peerVersion, startPeer, type Peer } from './outline-agreement.js';

export type PeerKind = 'typescript' | 'pyright';

/** What a client like VS Code declares for completion (snippets, label details, resolve). */
const COMPLETION_CAPABILITIES = {
  completion: {
    dynamicRegistration: false,
    contextSupport: true,
    completionItem: {
      snippetSupport: true,
      commitCharactersSupport: true,
      documentationFormat: ['markdown', 'plaintext'],
      deprecatedSupport: true,
      preselectSupport: true,
      labelDetailsSupport: true,
      resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
    },
    completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'data'] },
  },
  synchronization: { dynamicRegistration: false, didSave: true },
};

export type PeerAnswer =
  | { kind: 'items'; items: CompletionItem[]; incomplete: boolean; ms: number }
  | { kind: 'timeout' | 'error' | 'skipped' };

export function peerLabel(kind: PeerKind, dir: string): string {
  return kind === 'typescript' ? `typescript-language-server ${peerVersion(dir, 'typescript-language-server')} (typescript ${peerVersion(dir, 'typescript')})` : `pyright ${peerVersion(dir, 'pyright')}`;
}

export class PeerSession {
  timeouts = 0;
  errors = 0;
  skipped = 0;
  incomplete = 0;
  warmups = 0;
  readonly times: number[] = [];
  private version = 0;
  private readonly deadline: number;

  private constructor(
    private readonly peer: Peer,
    readonly label: string,
    private readonly requestMs: number,
    private readonly warmupMs: number,
    budgetMs: number,
  ) {
    this.deadline = Date.now() + budgetMs;
  }

  static async start(kind: PeerKind, root: string, options: { requestMs: number; warmupMs: number; budgetMs: number; log: (m: string) => void }): Promise<PeerSession> {
    const dir = await installPeers(options.log);
    // useSyntaxServer 'never': with the default 'auto', typescript-language-server
    // answers from tsserver's syntax-only server while the project loads (no
    // lib.es2015+, no imports: Object.assign is `any`), and the warm-up would
    // return before the semantic project is ready.
    const peer = await startPeer(kind, dir, root, { textDocument: COMPLETION_CAPABILITIES, tsserver: { useSyntaxServer: 'never' } });
    return new PeerSession(peer, peerLabel(kind, dir), options.requestMs, options.warmupMs, options.budgetMs);
  }

  /** Still worth asking: alive and within the corpus budget. */
  get usable(): boolean {
    return this.peer.proc.exitCode === null && Date.now() < this.deadline;
  }

  async open(uri: string, languageId: string, text: string): Promise<void> {
    if (this.peer.proc.exitCode !== null) return;
    this.version = 1;
    await this.peer.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: this.version, text } });
  }

  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    if (this.peer.proc.exitCode !== null) return;
    await this.peer.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++this.version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    if (this.peer.proc.exitCode !== null) return;
    await this.peer.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Unscored request that lets the peer load the project and check the file. */
  async warmup(uri: string, position: { line: number; character: number }): Promise<void> {
    if (!this.usable) return;
    const a = await this.request(uri, position, this.warmupMs);
    if (a.kind === 'items') this.warmups++;
  }

  /** A scored completion request (invoked, as when the user asks or a word is typed). */
  async complete(uri: string, position: { line: number; character: number }): Promise<PeerAnswer> {
    if (!this.usable) {
      this.skipped++;
      return { kind: 'skipped' };
    }
    const a = await this.request(uri, position, this.requestMs);
    if (a.kind === 'timeout') this.timeouts++;
    else if (a.kind === 'error') this.errors++;
    else if (a.kind === 'items') {
      this.times.push(a.ms);
      if (a.incomplete) this.incomplete++;
    }
    return a;
  }

  private async request(uri: string, position: { line: number; character: number }, limitMs: number): Promise<PeerAnswer> {
    const source = new CancellationTokenSource();
    let timer: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    try {
      const answer = await Promise.race([
        this.peer.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 1 } }, source.token) as Promise<CompletionList | CompletionItem[] | null>,
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), limitMs);
        }),
      ]);
      if (answer === 'timeout') {
        source.cancel();
        return { kind: 'timeout' };
      }
      const ms = performance.now() - t0;
      if (!answer) return { kind: 'items', items: [], incomplete: false, ms };
      if (Array.isArray(answer)) return { kind: 'items', items: answer, incomplete: false, ms };
      return { kind: 'items', items: withDefaults(answer), incomplete: answer.isIncomplete, ms };
    } catch {
      return { kind: 'error' };
    } finally {
      clearTimeout(timer);
      source.dispose();
    }
  }

  async stop(): Promise<void> {
    await this.peer.stop();
  }
}

/** Apply CompletionList.itemDefaults (editRange, insertTextFormat) to the items, as a client does. */
function withDefaults(list: CompletionList): CompletionItem[] {
  const d = list.itemDefaults;
  if (!d || (!d.editRange && d.insertTextFormat === undefined)) return list.items;
  return list.items.map((item) => {
    const out: CompletionItem = { ...item };
    if (d.insertTextFormat !== undefined && out.insertTextFormat === undefined) out.insertTextFormat = d.insertTextFormat;
    if (d.editRange && !out.textEdit) {
      const newText = out.textEditText ?? out.insertText ?? out.label;
      out.textEdit = 'insert' in d.editRange ? { newText, insert: d.editRange.insert, replace: d.editRange.replace } : { newText, range: d.editRange };
    }
    return out;
  });
}
