// Request traffic between the transport and vscode-jsonrpc, in one place:
//
// - Backpressure. Messages are queued by vscode-jsonrpc and dispatched one per
//   event-loop turn. When a client floods the server, a request about a
//   document (completion, documentSymbol, formatting, ...) can still be queued
//   when a later didChange of that document has already arrived: its answer
//   would describe a version the client has left. Such a request is answered at
//   once with ContentModified (-32801, LSP 3.17: "the content of a document got
//   modified outside normal conditions ... the server should return this error
//   code for requests in execution") and never runs. One that is running when
//   the change arrives has its cancellation token cancelled, and a result it
//   still produces is replaced by ContentModified.
// - $/cancelRequest for a request still in the queue is answered at once with
//   RequestCancelled (-32800) and the request never runs (vscode-jsonrpc's
//   connectionStrategy.cancelUndispatched); a running one sees its token
//   cancelled (handlers check it between steps).
// - Request latency per method, from arrival to the written answer (queueing
//   included: what the editor waits), and error codes, for metrics.
//
// Arrival order is observed on the reader, answers on the writer; nothing here
// knows any handler.
import {
  CancellationSenderStrategy,
  CancellationTokenSource,
  LSPErrorCodes,
  Message,
  type ConnectionOptions,
  type DataCallback,
  type Disposable,
  type MessageReader,
  type MessageWriter,
  type NotificationMessage,
  type RequestMessage,
  type ResponseMessage,
} from 'vscode-languageserver/node';

/** Requests whose answer depends on one document's current text: dropped when a later change of it has arrived. */
export const VERSIONED_REQUESTS: ReadonlySet<string> = new Set([
  'textDocument/completion',
  'textDocument/documentSymbol',
  'textDocument/foldingRange',
  'textDocument/selectionRange',
  'textDocument/documentHighlight',
  'textDocument/formatting',
  'textDocument/rangeFormatting',
  'textDocument/onTypeFormatting',
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/codeAction',
  'textDocument/codeLens',
  'textDocument/documentLink',
  'textDocument/semanticTokens/full',
  'textDocument/semanticTokens/full/delta',
  'textDocument/semanticTokens/range',
  'textDocument/inlayHint',
  '$/cstQuery',
]);

const TEXT_CHANGES = new Set(['textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose']);

export interface RequestOutcome {
  method: string;
  /** Arrival to answer written, in ms. */
  ms: number;
  /** JSON-RPC error code of the answer, when it is an error. */
  code?: number;
  /** Answered by this module without (or instead of) the handler's result. */
  dropped?: 'content-modified' | 'cancelled';
}

interface Pending {
  method: string;
  /** The document a versioned request is about. */
  uri: string | undefined;
  arrived: number;
  source?: CancellationTokenSource;
  /** A later text change of its document arrived. */
  superseded: boolean;
  /** The client sent $/cancelRequest for it. */
  clientCancelled: boolean;
}

function uriOf(method: string, params: unknown): string | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const p = params as { textDocument?: { uri?: unknown }; uri?: unknown };
  const uri = method === '$/cstQuery' ? p.uri : p.textDocument?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

export class Traffic {
  private readonly pending = new Map<string | number, Pending>();
  private readonly listeners: ((o: RequestOutcome) => void)[] = [];
  private out: MessageWriter | undefined;
  readonly counts = { received: 0, answered: 0, contentModified: 0, cancelledBeforeRun: 0 };

  /** performance.now() when the last message of any kind arrived (0: none yet). */
  lastArrival = 0;

  /** Requests received and not answered yet (queued or running). */
  get inFlight(): number {
    return this.pending.size;
  }

  onOutcome(listener: (o: RequestOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** Observe every message as it arrives (before vscode-jsonrpc queues it). */
  reader(inner: MessageReader): MessageReader {
    return {
      onError: inner.onError,
      onClose: inner.onClose,
      onPartialMessage: inner.onPartialMessage,
      listen: (callback: DataCallback): Disposable =>
        inner.listen((message) => {
          try {
            this.arrived(message);
          } finally {
            callback(message);
          }
        }),
      dispose: () => inner.dispose(),
    };
  }

  /** Observe every answer as it is written; a superseded request's result becomes ContentModified. */
  writer(inner: MessageWriter): MessageWriter {
    const out: MessageWriter = {
      onError: inner.onError,
      onClose: inner.onClose,
      write: (message: Message) => inner.write(this.answering(message)),
      end: () => inner.end(),
      dispose: () => inner.dispose(),
    };
    this.out = out;
    return out;
  }

  /** Options for createConnection: cancellation of queued requests and the stale-request check at dispatch. */
  options(): ConnectionOptions {
    return {
      cancellationStrategy: {
        receiver: {
          kind: 'id',
          createCancellationTokenSource: (id: string | number) => {
            const source = new CancellationTokenSource();
            const p = this.pending.get(id);
            if (p) {
              p.source = source;
              if (p.superseded) source.cancel();
            }
            return source;
          },
        },
        sender: CancellationSenderStrategy.Message,
      },
      connectionStrategy: {
        cancelUndispatched: (message: Message) => {
          const request = message as RequestMessage;
          this.counts.cancelledBeforeRun++;
          return { jsonrpc: '2.0', id: request.id, error: { code: LSPErrorCodes.RequestCancelled, message: 'request cancelled before it ran' } } as ResponseMessage;
        },
      },
      messageStrategy: {
        handleMessage: (message: Message, next: (message: Message) => void) => {
          if (Message.isRequest(message)) {
            const p = this.pending.get(message.id!);
            if (p?.superseded) {
              // Stale before it ran: answer cheaply, never run the handler.
              void this.out?.write({ jsonrpc: '2.0', id: message.id, error: { code: LSPErrorCodes.ContentModified, message: 'the document changed before the request ran' } } as ResponseMessage).catch(() => undefined);
              return;
            }
          }
          next(message);
        },
      },
    };
  }

  private arrived(message: Message): void {
    this.lastArrival = performance.now();
    if (Message.isRequest(message)) {
      this.counts.received++;
      if (message.id === null) return;
      const uri = VERSIONED_REQUESTS.has(message.method) ? uriOf(message.method, message.params) : undefined;
      this.pending.set(message.id, { method: message.method, uri, arrived: performance.now(), superseded: false, clientCancelled: false });
      return;
    }
    if (!Message.isNotification(message)) return;
    if (message.method === '$/cancelRequest') {
      const id = (message.params as { id?: string | number } | undefined)?.id;
      const p = id !== undefined ? this.pending.get(id) : undefined;
      if (p) p.clientCancelled = true;
      return;
    }
    if (!TEXT_CHANGES.has(message.method)) return;
    const uri = uriOf(message.method, (message as NotificationMessage).params);
    if (!uri) return;
    // Every request about this document received so far now refers to a version the client has left.
    for (const p of this.pending.values()) {
      if (p.uri !== uri || p.superseded) continue;
      p.superseded = true;
      p.source?.cancel();
    }
  }

  private answering(message: Message): Message {
    if (!Message.isResponse(message) || message.id === null) return message;
    const p = this.pending.get(message.id);
    if (!p) return message;
    this.pending.delete(message.id);
    this.counts.answered++;
    let answer = message;
    let dropped: RequestOutcome['dropped'];
    if (p.superseded && !p.clientCancelled) {
      // Superseded: whatever it produced (a result, or RequestCancelled from the token we cancelled) is stale.
      if (answer.error?.code !== LSPErrorCodes.ContentModified) {
        answer = { jsonrpc: message.jsonrpc, id: message.id, error: { code: LSPErrorCodes.ContentModified, message: 'the document changed while the request ran' } };
      }
      dropped = 'content-modified';
      this.counts.contentModified++;
    } else if (answer.error?.code === LSPErrorCodes.RequestCancelled) {
      dropped = 'cancelled';
    }
    const outcome: RequestOutcome = { method: p.method, ms: performance.now() - p.arrived, ...(answer.error ? { code: answer.error.code } : {}), ...(dropped ? { dropped } : {}) };
    for (const l of this.listeners) {
      try {
        l(outcome);
      } catch {
        // metrics never break an answer
      }
    }
    return answer;
  }
}
