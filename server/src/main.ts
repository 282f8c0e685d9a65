#!/usr/bin/env -S node --max-semi-space-size=2
// cst-server: LSP over --stdio (default), --socket=PORT (connects to
// 127.0.0.1:PORT, the VS Code convention), --pipe=NAME or --node-ipc.
//
// The interpreter line caps V8's young generation: the server allocates in
// short bursts (one message at a time), and V8's default lets the reserved
// heap grow by ~40 MB of RSS under open/close churn with no more memory in use
// (measured: RSS 115 MB vs 75 MB after 2,000 open/close cycles of a 2,000-line
// file). Clients that start the server with `node main.js` themselves should
// pass the same flag.
// First: regular expressions from outside (queries, .editorconfig) must not freeze the event loop.
import './regexSafety.js';
import { format } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createLogger } from './log.js';
import { startServer, SERVER_VERSION } from './server.js';
import { openTransport } from './transport/open.js';
import { Traffic } from './transport/traffic.js';
import { countError } from './telemetry/errors.js';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  process.stderr.write(`cst-server ${SERVER_VERSION}\n`);
  process.exit(0);
}
if (argv.includes('--help') || argv.includes('-h')) {
  process.stderr.write(
    'usage: cst-server [--stdio | --socket=PORT | --pipe=NAME | --node-ipc]\n' +
      'Environment: CST_LOG_LEVEL, CST_LOG_FILE, CST_MEMORY_MB, CST_CACHE_DIR, CST_MAX_FILE_MB, CST_PARSE_TIMEOUT_MS, CST_DIAGNOSTICS,\n' +
      '  CST_METRICS_PORT, CST_METRICS_HOST, CST_AUDIT_LOG (see README, "Configuration" and "Operations")\n',
  );
  process.exit(0);
}

const log = createLogger({ level: process.env.CST_LOG_LEVEL, file: process.env.CST_LOG_FILE });
process.on('uncaughtException', (err) => {
  countError('uncaught');
  log.error({ err }, 'uncaught exception (server keeps running)');
});
process.on('unhandledRejection', (err) => {
  countError('uncaught');
  log.error({ err }, 'unhandled rejection (server keeps running)');
});

// The transport is opened here (not by vscode-languageserver) so that traffic.ts sees every message
// as it arrives and every answer as it leaves: backpressure, cancellation, request latency.
const traffic = new Traffic();
let server: ReturnType<typeof startServer> | undefined;
let transport: ReturnType<typeof openTransport>;
try {
  transport = openTransport(argv, {
    onMalformedFrame: (problem) => log.warn({ problem }, 'malformed input frame dropped'),
    // The client went away (stdin closed, socket or channel closed): flush what shutdown flushes, then
    // exit, 0 only after a shutdown request (as `exit`). Emacs quitting closes eglot's pipes right
    // after SIGHUP, without a shutdown request: the flush must not be lost.
    onInputClosed: () => stop(server?.shutdownRequested() ? 0 : 1, {}, 'input closed: shutting down'),
  });
} catch (err) {
  process.stderr.write(`cst-server: ${(err as Error).message}\n`);
  process.exit(2);
}
if (transport.kind === 'stdio') {
  // Only protocol frames on stdout: console output of any library goes to the log.
  for (const level of ['log', 'info', 'debug', 'trace'] as const) console[level] = (...args: unknown[]) => log.info(format(...args));
  console.warn = (...args: unknown[]) => log.warn(format(...args));
  console.error = (...args: unknown[]) => log.error(format(...args));
}
const connection = createConnection(ProposedFeatures.all, traffic.reader(transport.reader), traffic.writer(transport.writer), traffic.options());
server = startServer(connection, { traffic });
connection.listen();

// SIGTERM, SIGINT, SIGHUP and the input closing do what shutdown does (flush,
// delete trees) before the process ends, within 5 s. Emacs quitting sends
// SIGHUP to the servers eglot started and closes their input at once (eglot
// 1.9 does not shut them down first). After a signal the process exits 0;
// after the input closed, 1 (0 after a shutdown request). The first decides.
let stopping = false;
function stop(code: number, fields: Record<string, unknown>, msg: string): void {
  log.info(fields, msg);
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 5000).unref();
  if (!server) process.exit(code);
  void server.shutdown().finally(() => process.exit(code));
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => stop(0, { signal }, 'signal: shutting down'));
}
log.info({ version: SERVER_VERSION, node: process.version, argv }, 'cst-server started');
