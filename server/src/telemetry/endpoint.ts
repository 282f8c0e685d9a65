// The optional HTTP endpoint (CST_METRICS_PORT, CST_METRICS_HOST): main-thread
// side. The HTTP server runs in a worker thread (httpWorker.ts); this side only
// answers its messages, each with work the server does anyway (a metrics
// render, the $/health object, the readiness verdict) or nothing (a ping).
// The worker is unref'd: it never keeps the process alive, and a failure to
// bind is a warning, never a crash.
import { Worker } from 'node:worker_threads';
import { logger } from '../log.js';
import type { Health } from '../protocol.js';
import type { ServerMetrics } from './metrics.js';
import type { MainMessage, WorkerConfig, WorkerMessage } from './httpWorker.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export interface EndpointSources {
  metrics: ServerMetrics;
  health: () => Health;
  readiness: () => Readiness;
}

export interface EndpointConfig {
  port: number;
  host: string;
}

/** CST_METRICS_PORT / CST_METRICS_HOST: undefined when off (unset or empty); a problem string when invalid. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): EndpointConfig | { problem: string } | undefined {
  const raw = env.CST_METRICS_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) return { problem: `invalid CST_METRICS_PORT=${JSON.stringify(raw)}: a port number 0-65535 (0 picks a free port); the metrics endpoint is off` };
  const host = env.CST_METRICS_HOST?.trim() || '127.0.0.1';
  return { port, host };
}

export class MetricsEndpoint {
  private readonly worker: Worker;
  /** Resolves with the URL once listening, or undefined when the endpoint could not start. */
  readonly listening: Promise<string | undefined>;

  constructor(config: EndpointConfig, private readonly sources: EndpointSources) {
    const log = logger();
    this.worker = new Worker(new URL('./httpWorker.js', import.meta.url), { workerData: config satisfies WorkerConfig });
    this.worker.unref();
    this.listening = new Promise((resolve) => {
      this.worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'listening') {
          log.info({ url: m.url }, `metrics endpoint listening on ${m.url} (/metrics, /health, /ready, /alive)`);
          resolve(m.url);
        } else if (m.type === 'failed') {
          log.warn({ host: config.host, port: config.port, error: m.error }, 'metrics endpoint could not start; continuing without it');
          resolve(undefined);
          void this.worker.terminate();
        } else if (m.type === 'want') {
          void this.answer(m.id, m.what);
        }
      });
      this.worker.on('error', (err) => {
        log.warn({ err }, 'metrics endpoint failed; continuing without it');
        resolve(undefined);
      });
      this.worker.on('exit', () => resolve(undefined));
    });
  }

  private async answer(id: number, what: 'metrics' | 'health' | 'ready' | 'ping'): Promise<void> {
    let reply: Omit<Extract<MainMessage, { type: 'answer' }>, 'type' | 'id'>;
    const json = 'application/json; charset=utf-8';
    try {
      switch (what) {
        case 'ping':
          reply = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'alive\n' };
          break;
        case 'metrics':
          reply = { status: 200, contentType: this.sources.metrics.contentType, body: await this.sources.metrics.render() };
          break;
        case 'health': {
          const h = this.sources.health();
          reply = { status: h.status === 'unhealthy' ? 503 : 200, contentType: json, body: JSON.stringify(h) + '\n' };
          break;
        }
        case 'ready': {
          const r = this.sources.readiness();
          reply = { status: r.ready ? 200 : 503, contentType: json, body: JSON.stringify(r) + '\n' };
          break;
        }
      }
    } catch (err) {
      logger().warn({ err, what }, 'metrics endpoint: answer failed');
      reply = { status: 500, contentType: 'text/plain; charset=utf-8', body: `${(err as Error).message}\n` };
    }
    this.worker.postMessage({ type: 'answer', id, ...reply } satisfies MainMessage);
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies MainMessage);
    await Promise.race([new Promise((r) => this.worker.once('exit', r)), new Promise((r) => setTimeout(r, 500).unref())]);
    await this.worker.terminate();
  }
}
