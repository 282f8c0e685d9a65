// A pool of worker threads doing full parses (parseWorker.ts). Tasks queue by
// priority: documents the user opens jump ahead of background indexing.
import { Worker } from 'node:worker_threads';
import * as os from 'node:os';
import { logger } from '../log.js';
import type { DerivedIndex, EntryKind } from '../cache/entry.js';
import type { PackedSymbols } from '../features/symbolPack.js';

export interface ParseTask {
  id: number;
  language: string;
  text: string;
  /** full: compact CST + index; index: the derived index only (see cache/entry.ts). */
  kind: EntryKind;
  uri?: string;
  timeoutMs: number;
  /** Send the symbols and completion facts along with the payload (default true): the receiving thread pays to deserialize them. */
  facts?: boolean;
  /** Send the tree's shape digest (syntax/shapeDigest.ts): a confirmation compares the live tree with it. */
  digest?: boolean;
}

export interface ParseTaskResult {
  id: number;
  ok: boolean;
  key?: string;
  /** Compressed entry payload (cache/entry.ts), when ok. */
  payload?: Buffer;
  /** The document symbols of the derived index, packed (so the caller need not decode the payload). */
  symbols?: PackedSymbols;
  /** The completion facts of the derived index (workspace identifier and member tables). */
  completion?: DerivedIndex['completion'];
  nodeCount?: number;
  /** The full parse's shape digest, when the task asked for it. */
  digest?: string;
  parseMs?: number;
  timedOut?: boolean;
  /** Stopped because the caller aborted it (run's `signal`). */
  cancelled?: boolean;
  error?: string;
}

export const Priority = { interactive: 0, confirm: 1, background: 2 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

interface Pending {
  task: ParseTask;
  priority: Priority;
  resolve: (r: ParseTaskResult) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  /** Shared with the worker: the id of a task to stop (it checks during the parse and between stages). */
  cancel: Int32Array;
  /** A low-priority worker: background tasks only. */
  background: boolean;
  /** Set while the worker has nothing to do: it ends when this fires (see the pool's idleMs). */
  idle?: NodeJS.Timeout;
}

/**
 * Nice value of workers that must yield to the thread users wait on (Linux
 * nice values are per thread: the main thread keeps its own). At 10 a worker
 * gets about a tenth of a core that a keystroke also wants, and all of an idle
 * one, so background throughput is unchanged when the editor is quiet.
 */
export const BACKGROUND_NICE = 10;

export function defaultWorkerCount(): number {
  const fromEnv = Number(process.env.CST_MAX_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores - 1);
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queues: Pending[][] = [[], [], []];
  private nextId = 1;
  private closed = false;

  /**
   * `size` workers take any task; `backgroundExtra` more, at a lower OS
   * priority, take only background (indexing) tasks: indexing uses a core the
   * main thread is not using, and yields it the moment a keystroke needs it.
   */
  constructor(
    private readonly size = defaultWorkerCount(),
    private readonly backgroundExtra = 0,
    /**
     * Nice value of the `size` workers. The language server passes
     * BACKGROUND_NICE: none of its worker tasks (indexing, idle confirmation)
     * is something a user waits on, and on two cores a confirmation parse that
     * starts as the user starts typing took a core from the keystrokes. The
     * CLI, with no editor to yield to, keeps 0.
     */
    private readonly nice = 0,
    /**
     * A worker with nothing to do for this long ends, giving back its memory
     * (about 25 MB of RSS: an isolate and a WASM instance with its grammars);
     * the next task starts one again (about 0.3 s of CPU, off the main
     * thread). Read each time a worker becomes idle, so a setting change
     * applies from then on. Infinity (the CLI): workers live as long as the pool.
     */
    private readonly idleMs: () => number = () => Infinity,
  ) {}

  /** Worker threads alive now (they start on demand and end when idle). */
  get live(): number {
    return this.slots.length;
  }

  get queued(): number {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  get workers(): number {
    return this.size;
  }

  /** Workers that background tasks can use. */
  get backgroundWorkers(): number {
    return this.size + this.backgroundExtra;
  }

  /**
   * `signal`: abort to give the task up. Queued, it leaves the queue; running,
   * the worker stops at its next check (tree-sitter's progress callback during
   * the parse, then between stages). Either way the result is {ok: false, cancelled: true}.
   */
  run(language: string, text: string, options: { uri?: string; timeoutMs: number; priority?: Priority; kind?: EntryKind; facts?: boolean; digest?: boolean; signal?: AbortSignal }): Promise<ParseTaskResult> {
    if (this.closed) return Promise.resolve({ id: 0, ok: false, error: 'worker pool closed' });
    const cancelled = (id: number): ParseTaskResult => ({ id, ok: false, cancelled: true, error: 'cancelled' });
    if (options.signal?.aborted) return Promise.resolve(cancelled(0));
    return new Promise((resolve) => {
      const task: ParseTask = { id: this.nextId++, language, text, kind: options.kind ?? 'full', uri: options.uri, timeoutMs: options.timeoutMs, facts: options.facts, digest: options.digest };
      const priority = options.priority ?? Priority.background;
      const pending: Pending = { task, priority, resolve };
      options.signal?.addEventListener(
        'abort',
        () => {
          const queue = this.queues[priority]!;
          const at = queue.indexOf(pending);
          if (at >= 0) {
            queue.splice(at, 1);
            resolve(cancelled(task.id));
            return;
          }
          const slot = this.slots.find((s) => s.busy === pending);
          if (slot) Atomics.store(slot.cancel, 0, task.id);
        },
        { once: true },
      );
      this.queues[priority]!.push(pending);
      this.pump();
    });
  }

  /** Drop queued background work (cancelled indexing); running tasks finish. */
  clearQueue(priority: Priority = Priority.background): void {
    for (const p of this.queues[priority]!.splice(0)) p.resolve({ id: p.task.id, ok: false, error: 'cancelled' });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queues) for (const p of q.splice(0)) p.resolve({ id: p.task.id, ok: false, error: 'worker pool closed' });
    // Tasks still running end with the pool (a low-priority worker may not get the CPU to finish first).
    for (const slot of this.slots) {
      const running = slot.busy;
      slot.busy = null;
      running?.resolve({ id: running.task.id, ok: false, error: 'worker pool closed' });
    }
    for (const slot of this.slots) clearTimeout(slot.idle);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  /** The slot has nothing to do: end its worker after idleMs unless a task comes first (pump clears the timer). */
  private idleFrom(slot: Slot): void {
    const ms = this.idleMs();
    if (!Number.isFinite(ms) || this.closed) return;
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => {
      slot.idle = undefined;
      const at = this.slots.indexOf(slot);
      if (slot.busy || at < 0 || this.closed) return;
      this.slots.splice(at, 1);
      void slot.worker.terminate();
      logger().debug({ idleMs: ms, live: this.slots.length }, 'idle parse worker ended');
    }, ms);
    slot.idle.unref();
  }

  private next(background: boolean): Pending | undefined {
    if (background) return this.queues[Priority.background]!.shift();
    for (const q of this.queues) if (q.length) return q.shift();
    return undefined;
  }

  private spawn(background: boolean): Slot {
    // Workers stay referenced while the pool lives (the CLI awaits them); close() terminates them.
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL('./parseWorker.js', import.meta.url), { workerData: { nice: background ? Math.max(BACKGROUND_NICE, this.nice) : this.nice, cancel } });
    const slot: Slot = { worker, busy: null, background, cancel };
    worker.on('message', (result: ParseTaskResult) => {
      const done = slot.busy;
      slot.busy = null;
      if (result.payload && !Buffer.isBuffer(result.payload)) {
        const p = result.payload as unknown as Uint8Array;
        result.payload = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      }
      done?.resolve(result);
      this.pump();
      if (!slot.busy) this.idleFrom(slot);
    });
    worker.on('error', (err) => {
      logger().error({ err }, 'parse worker failed; replacing it');
      const done = slot.busy;
      slot.busy = null;
      done?.resolve({ id: done.task.id, ok: false, error: `worker error: ${err.message}` });
      clearTimeout(slot.idle);
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    if (this.closed) return;
    for (;;) {
      const foreground = this.queues[Priority.interactive]!.length + this.queues[Priority.confirm]!.length;
      const background = this.queues[Priority.background]!.length;
      // A free worker that can take queued work; else a new one within the limits.
      let slot = this.slots.find((s) => !s.busy && (s.background ? background > 0 : foreground + background > 0));
      if (!slot) {
        const normal = this.slots.filter((s) => !s.background).length;
        if (foreground + background > 0 && normal < this.size) slot = this.spawn(false);
        else if (background > 0 && this.slots.length - normal < this.backgroundExtra) slot = this.spawn(true);
      }
      if (!slot) return;
      const job = this.next(slot.background);
      if (!job) return;
      clearTimeout(slot.idle);
      slot.idle = undefined;
      slot.busy = job;
      slot.worker.postMessage(job.task);
    }
  }
}
