// The HTTP endpoint, in its own worker thread: sockets, HTTP parsing and slow
// or numerous scrapers cost this thread, never the LSP's event loop. What it
// serves comes from the main thread by message (endpoint.ts): one answer per
// kind at a time, shared by every scrape waiting for it and reused for
// CACHE_MS, so a thousand concurrent scrapes cost the main thread one render.
//
//   GET /metrics   Prometheus text format
//   GET /health    the $/health object (503 when unhealthy)
//   GET /ready     200 once initialized and the grammars are available, else 503
//   GET /alive     200 when the main event loop answers a ping within ALIVE_TIMEOUT_MS
import * as http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerConfig {
  host: string;
  port: number;
}

/** Worker -> main. */
export type WorkerMessage =
  | { type: 'listening'; url: string }
  | { type: 'failed'; error: string }
  | { type: 'want'; id: number; what: Want };

/** Main -> worker. */
export type MainMessage = { type: 'answer'; id: number; status: number; contentType: string; body: string } | { type: 'close' };

export type Want = 'metrics' | 'health' | 'ready' | 'ping';

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const MAIN_TIMEOUT_MS = 2000;
const CACHE_MS: Record<Want, number> = { metrics: 1000, health: 1000, ready: 500, ping: 0 };

const config = workerData as WorkerConfig;
const port = parentPort!;
let nextId = 1;
const waiting = new Map<number, (a: Answer) => void>();
const inflight = new Map<Want, Promise<Answer>>();
const cached = new Map<Want, { at: number; answer: Answer }>();

port.on('message', (m: MainMessage) => {
  if (m.type === 'close') {
    server.close();
    server.closeAllConnections();
    port.close();
    return;
  }
  const resolve = waiting.get(m.id);
  waiting.delete(m.id);
  resolve?.({ status: m.status, contentType: m.contentType, body: m.body });
});

/** Ask the main thread once for `what`, however many requests wait for it. */
function ask(what: Want): Promise<Answer> {
  const hit = cached.get(what);
  if (hit && performance.now() - hit.at < CACHE_MS[what]) return Promise.resolve(hit.answer);
  let p = inflight.get(what);
  if (!p) {
    p = new Promise<Answer>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve({ status: 503, contentType: 'text/plain; charset=utf-8', body: `the server's event loop did not answer within ${MAIN_TIMEOUT_MS} ms\n` });
      }, MAIN_TIMEOUT_MS);
      waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      port.postMessage({ type: 'want', id, what } satisfies WorkerMessage);
    }).then((a) => {
      inflight.delete(what);
      if (a.status !== 503 || what !== 'ping') cached.set(what, { at: performance.now(), answer: a });
      return a;
    });
    inflight.set(what, p);
  }
  return p;
}

const ROUTES: Record<string, Want> = { '/metrics': 'metrics', '/health': 'health', '/ready': 'ready', '/alive': 'ping' };

const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
  const route = ROUTES[(req.url ?? '/').split('?')[0]!];
  if (!route) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics, /health, /ready or /alive\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  void ask(route).then((a) => {
    if (res.destroyed) return;
    res.writeHead(a.status, { 'content-type': a.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  });
});
// A scraper that stops reading or never finishes its request is cut off; at most 256 sockets at once (more are refused).
server.maxConnections = 256;
server.setTimeout(10_000, (socket) => socket.destroy());
server.on('clientError', (_err, socket) => socket.destroy());
server.once('error', (err) => port.postMessage({ type: 'failed', error: err.message } satisfies WorkerMessage));
server.listen(config.port, config.host, () => {
  const addr = server.address();
  const where = addr && typeof addr === 'object' ? `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
  port.postMessage({ type: 'listening', url: `http://${where}` } satisfies WorkerMessage);
});
