// The transport named on the command line, as vscode-languageserver would
// open it (--stdio, --socket=PORT, --pipe=NAME, --node-ipc), but as a
// MessageReader/MessageWriter pair that main.ts can wrap (transport/traffic.ts)
// before the connection sees them. Over stdio, only well-formed frames reach
// the reader (frameGuard.ts). `onInputClosed` fires once when the client side
// goes away (stdin ends, the socket or IPC channel closes).
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  createServerPipeTransport,
  createServerSocketTransport,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { FrameGuard } from './frameGuard.js';

export type TransportKind = 'stdio' | 'socket' | 'pipe' | 'node-ipc';

export interface Transport {
  kind: TransportKind;
  reader: MessageReader;
  writer: MessageWriter;
}

/** The transport argument: `--stdio` (also the default), `--socket=PORT` / `--socket PORT`, `--pipe=NAME`, `--node-ipc`. */
export function transportFromArgv(argv: readonly string[]): { kind: TransportKind; port?: number; pipe?: string } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--stdio') return { kind: 'stdio' };
    if (arg === '--node-ipc') return { kind: 'node-ipc' };
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[i + 1];
    if (name === '--socket') {
      const port = Number(value);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--socket needs a port number (got ${JSON.stringify(value)})`);
      return { kind: 'socket', port };
    }
    if (name === '--pipe') {
      if (!value) throw new Error('--pipe needs a pipe name');
      return { kind: 'pipe', pipe: value };
    }
  }
  return { kind: 'stdio' };
}

export function openTransport(argv: readonly string[], options: { onMalformedFrame: (problem: string) => void; onInputClosed: () => void }): Transport {
  const spec = transportFromArgv(argv);
  let closed = false;
  const inputClosed = () => {
    if (closed) return;
    closed = true;
    options.onInputClosed();
  };
  let reader: MessageReader;
  let writer: MessageWriter;
  switch (spec.kind) {
    case 'stdio': {
      const input = process.stdin.pipe(new FrameGuard(options.onMalformedFrame));
      input.on('end', inputClosed);
      input.on('close', inputClosed);
      reader = new StreamMessageReader(input);
      writer = new StreamMessageWriter(process.stdout);
      break;
    }
    case 'socket':
      [reader, writer] = createServerSocketTransport(spec.port!);
      break;
    case 'pipe':
      [reader, writer] = createServerPipeTransport(spec.pipe!);
      break;
    case 'node-ipc':
      reader = new IPCMessageReader(process);
      writer = new IPCMessageWriter(process);
      break;
  }
  reader.onClose(inputClosed);
  return { kind: spec.kind, reader, writer };
}
