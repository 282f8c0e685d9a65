// Logging: pino to stderr (fd 2) or to CST_LOG_FILE. Never stdout: in stdio
// mode stdout carries protocol frames only.
import { pino, type Logger, type Level } from 'pino';

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
  const destination = options.file
    ? pino.destination({ dest: options.file, mkdir: true, sync: true })
    : pino.destination({ dest: 2, sync: true });
  root = pino({ name: options.name ?? 'cst-server', level, base: { pid: process.pid } }, destination);
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
