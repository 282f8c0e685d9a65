// Worker thread: full parse of a text into a cache entry payload (compact CST
// + derived index, encoded and compressed). Runs the same code as the main
// thread, so a payload is identical whoever produced it.
import { parentPort, workerData } from 'node:worker_threads';
import * as os from 'node:os';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GrammarRegistry } from '../syntax/grammars.js';
import { ParserPool } from '../syntax/parser.js';
import { BuildStopped, buildWorkspaceIndex, compress, contentKey, encodeEntry, warmFromTree } from '../cache/entry.js';
import { packSymbols } from '../features/symbolPack.js';
import { shapeDigest } from '../syntax/shapeDigest.js';
import { createLogger } from '../log.js';
import type { ParseTask, ParseTaskResult } from './workers.js';

createLogger({ level: process.env.CST_LOG_LEVEL, file: process.env.CST_LOG_FILE, name: 'cst-worker' });
// A background-only worker runs at a lower priority: Linux nice values are per thread (elsewhere
// setPriority would lower the whole process, main thread included, so it is left alone).
const nice = (workerData as { nice?: number } | undefined)?.nice ?? 0;
if (nice && process.platform === 'linux') {
  try {
    os.setPriority(nice);
  } catch {
    // not permitted here: same priority as the main thread
  }
}
const registry = GrammarRegistry.fromDisk();
const parsers = new ParserPool();
/** The pool writes here the id of a task to give up (WorkerPool.run's signal). */
const cancel = (workerData as { cancel?: Int32Array } | undefined)?.cancel;

async function handle(task: ParseTask): Promise<ParseTaskResult> {
  const spec = registry.spec(task.language);
  if (!spec) return { id: task.id, ok: false, error: `unknown language ${task.language}` };
  const grammar = await registry.load(spec.id);
  if (!grammar) {
    const s = registry.state(spec.id);
    return { id: task.id, ok: false, error: s.state === 'failed' ? s.error : 'grammar not loaded' };
  }
  const key = contentKey(grammar.identity, task.text, task.kind);
  const stop = cancel ? () => Atomics.load(cancel, 0) === task.id : undefined;
  const cancelled: ParseTaskResult = { id: task.id, ok: false, key, cancelled: true, error: 'cancelled' };
  const outcome = parsers.parse(grammar, task.text, null, task.timeoutMs, false, stop);
  if (outcome.cancelled) return cancelled;
  if (!outcome.tree) return { id: task.id, ok: false, key, timedOut: outcome.timedOut, error: outcome.error ?? (outcome.timedOut ? 'parse timed out' : 'no tree'), parseMs: outcome.ms };
  try {
    const doc = TextDocument.create(task.uri ?? 'untitled:worker', spec.id, 0, task.text);
    const nodeCount = outcome.tree.rootNode.descendantCount;
    if (stop?.()) return cancelled;
    const entry = task.kind === 'index' ? { compact: null, index: buildWorkspaceIndex(outcome.tree, grammar, doc, registry) } : warmFromTree(outcome.tree, grammar, doc, registry, undefined, stop);
    if (stop?.()) return cancelled;
    // Packed once: for the payload, and for the reply (flat arrays clone much faster than a symbol tree).
    const symbols = packSymbols(entry.index.symbols);
    const payload = compress(encodeEntry(spec.id, key, entry, symbols));
    const facts = task.facts === false ? {} : { symbols, completion: entry.index.completion };
    const digest = task.digest ? { digest: shapeDigest(outcome.tree) } : {};
    return { id: task.id, ok: true, key, payload, ...facts, ...digest, nodeCount, parseMs: outcome.ms };
  } catch (err) {
    if (err instanceof BuildStopped) return cancelled;
    throw err;
  } finally {
    outcome.tree.delete();
  }
}

/**
 * The payload's memory is transferred, not copied, when the Buffer owns all of
 * it. A small Buffer lives in Node's shared pool: Node >= 21 refuses to
 * transfer that (DataCloneError, every task failed on Node 22/24) and Node 20
 * would detach the whole pool; such a payload goes as a copy of its own.
 */
function send(result: ParseTaskResult): void {
  const p = result.payload;
  if (!p) return parentPort!.postMessage(result);
  const owned = p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : new Uint8Array(p);
  parentPort!.postMessage({ ...result, payload: owned }, [owned.buffer as ArrayBuffer]);
}

parentPort!.on('message', (task: ParseTask) => {
  handle(task).then(
    send,
    (err: unknown) => parentPort!.postMessage({ id: task.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ParseTaskResult),
  );
});
