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
    // The client went away (stdin closed, socket or channel closed): exit, 0 only after shutdown (as `exit`).
    onInputClosed: () => {
      log.info('input closed: exiting');
      if (!server?.shutdownRequested()) process.exit(1);
      // A shutdown still flushing (the client closed its end right after asking) finishes first, within 5 s.
      setTimeout(() => process.exit(0), 5000).unref();
      void server.shutdown().finally(() => process.exit(0));
    },
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

// SIGTERM and SIGINT do what shutdown + exit do: flush, delete trees, exit 0.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'signal: shutting down');
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void server!.shutdown().finally(() => process.exit(0));
  });
}
log.info({ version: SERVER_VERSION, node: process.version, argv }, 'cst-server started');
