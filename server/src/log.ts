// Logging: pino to stderr (fd 2) or to CST_LOG_FILE. Never stdout: in stdio
// mode stdout carries protocol frames only.
import * as path from 'node:path';
import { pino, type Logger, type Level } from 'pino';
import { makeDirs } from './makeDirs.js';

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let root: Logger | undefined;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Create the process-wide logger. Synchronous writes to stderr so that nothing is lost on process.exit. */
export function createLogger(options: { level?: string; file?: string; name?: string } = {}): Logger {
  const level: LogLevel = isLogLevel(options.level) ? options.level : 'info';
  let destination = pino.destination({ dest: 2, sync: true });
  let refused: string | undefined;
  if (options.file) {
    try {
      makeDirs(path.dirname(path.resolve(options.file)));
      destination = pino.destination({ dest: options.file, sync: true });
    } catch (err) {
      // An unusable log file must not keep the server from starting: log to stderr and say why.
      refused = err instanceof Error ? err.message : String(err);
    }
  }
  root = pino({ name: options.name ?? 'cst-server', level, base: { pid: process.pid } }, destination);
  if (refused !== undefined) root.warn({ file: options.file, error: refused }, 'cannot open the log file (CST_LOG_FILE): logging to stderr');
  return root;
}

export function logger(): Logger {
  return root ?? createLogger({ level: process.env.CST_LOG_LEVEL, file: process.env.CST_LOG_FILE });
}

export function setLogLevel(level: string): boolean {
  if (!isLogLevel(level)) return false;
  logger().level = level as Level;
  return true;
}
