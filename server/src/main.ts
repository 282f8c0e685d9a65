#!/usr/bin/env -S node --max-semi-space-size=2
// cst-server: LSP over --stdio (default), --socket=PORT (connects to
// 127.0.0.1:PORT, the VS Code convention) or --node-ipc.
//
// The interpreter line caps V8's young generation: the server allocates in
// short bursts (one message at a time), and V8's default lets the reserved
// heap grow by ~40 MB of RSS under open/close churn with no more memory in use
// (measured: RSS 115 MB vs 75 MB after 2,000 open/close cycles of a 2,000-line
// file). Clients that start the server with `node main.js` themselves should
// pass the same flag.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createLogger } from './log.js';
import { startServer, SERVER_VERSION } from './server.js';
import { FrameGuard } from './transport/frameGuard.js';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  process.stderr.write(`cst-server ${SERVER_VERSION}\n`);
  process.exit(0);
}
if (argv.includes('--help') || argv.includes('-h')) {
  process.stderr.write('usage: cst-server [--stdio | --socket=PORT | --node-ipc]\nEnvironment: CST_LOG_LEVEL, CST_LOG_FILE, CST_MEMORY_MB, CST_CACHE_DIR, CST_MAX_FILE_MB, CST_PARSE_TIMEOUT_MS, CST_DIAGNOSTICS\n');
  process.exit(0);
}
if (!argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
  process.argv.push('--stdio');
}

const log = createLogger({ level: process.env.CST_LOG_LEVEL, file: process.env.CST_LOG_FILE });
process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception (server keeps running)'));
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection (server keeps running)'));

// Over stdio, only well-formed frames reach vscode-jsonrpc (transport/frameGuard.ts).
const stdio = argv.includes('--stdio') || process.argv.includes('--stdio');
const input = stdio ? new FrameGuard((problem) => log.warn({ problem }, 'malformed input frame dropped')) : undefined;
const connection = input ? createConnection(ProposedFeatures.all, process.stdin.pipe(input, { end: false }), process.stdout) : createConnection(ProposedFeatures.all);
const server = startServer(connection);
connection.listen();

// SIGTERM, SIGINT, SIGHUP and stdin closing do what shutdown does (flush,
// delete trees) before the process ends, within 5 s. Emacs quitting sends
// SIGHUP to the servers eglot started and closes their stdin at once (eglot
// 1.9 does not shut them down first). After a signal the process exits 0;
// after stdin closed, vscode-languageserver's input ends and it exits (1, or 0
// after a shutdown request). The first of them decides.
let stopping = false;
function stop(finish: () => void, fields: Record<string, unknown>, msg: string): void {
  log.info(fields, msg);
  if (stopping) return;
  stopping = true;
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    finish();
  };
  setTimeout(end, 5000).unref();
  void server.shutdown().finally(end);
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => stop(() => process.exit(0), { signal }, 'signal: shutting down'));
}
if (input) {
  let closed = false;
  const onClose = () => {
    if (closed) return;
    closed = true;
    stop(() => input.end(), {}, 'stdin closed: shutting down');
  };
  process.stdin.once('end', onClose);
  process.stdin.once('close', onClose);
}
log.info({ version: SERVER_VERSION, node: process.version, argv }, 'cst-server started');
