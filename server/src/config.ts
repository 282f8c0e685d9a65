// Configuration: defaults < environment (CST_*) < initializationOptions <
// workspace/didChangeConfiguration. Every value is validated; an invalid value
// is reported and ignored, never fatal. A partial update (eglot sends
// `{settings: {}}` right after opening) changes only what it names.
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './log.js';

export interface Settings {
  logLevel: LogLevel;
  /** Documents larger than this (UTF-16 code units ~ bytes of ASCII) are served without a tree. */
  maxFileBytes: number;
  /** A single parse (full or incremental) is cancelled after this long. */
  parseTimeoutMs: number;
  diagnostics: { enabled: boolean; maxPerFile: number; debounceMs: number };
  /** Budget for hot + warm + cold accounted bytes. */
  memoryMb: number;
  cacheDir: string;
  /** Bound of the on-disk store. */
  diskMb: number;
  /** Size of one segment file of the on-disk store. */
  segmentSize: number;
  /** Worker threads for full parses (indexing, confirmation). */
  maxWorkers: number;
  /** More worker threads, at a lower OS priority (Linux), for background indexing only. */
  backgroundWorkers: number;
  /** A worker thread with nothing to do for this long ends (it starts again on demand). */
  workerIdleMs: number;
  index: {
    enabled: boolean;
    maxFiles: number;
    maxFileBytes: number;
    include: string[];
    exclude: string[];
  };
  /** Cap of workspace/symbol results. */
  workspaceSymbolLimit: number;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'cst-language-server');
}

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    logLevel: 'info',
    maxFileBytes: 8 * 1024 * 1024,
    parseTimeoutMs: 3000,
    diagnostics: { enabled: true, maxPerFile: 100, debounceMs: 200 },
    memoryMb: 100,
    cacheDir: defaultCacheDir(env),
    diskMb: 1024,
    segmentSize: 262144,
    maxWorkers: Math.max(1, (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length) - 1),
    backgroundWorkers: 1,
    workerIdleMs: 60_000,
    index: { enabled: true, maxFiles: 50_000, maxFileBytes: 2 * 1024 * 1024, include: [], exclude: [] },
    workspaceSymbolLimit: 500,
  };
}

const mb = z.coerce.number().positive().max(1024 * 1024);
/** Glob lists: an array, or a comma-separated string (environment). */
const globs = z.union([z.array(z.string().min(1)), z.string()]).transform((v) => (typeof v === 'string' ? v.split(',').map((g) => g.trim()).filter(Boolean) : v));
const bool = z.union([z.boolean(), z.enum(['true', 'false', 'on', 'off', '1', '0', 'yes', 'no'])]).transform((v) =>
  typeof v === 'boolean' ? v : ['true', 'on', '1', 'yes'].includes(v),
);

/** One row per setting: its client key (dotted), its environment variable, its schema and how it lands in Settings. */
const FIELDS: { key: string; env?: string; schema: z.ZodType; apply: (s: Settings, v: never) => void }[] = [
  { key: 'logLevel', env: 'CST_LOG_LEVEL', schema: z.enum(LOG_LEVELS), apply: (s, v: LogLevel) => (s.logLevel = v) },
  { key: 'maxFileSizeMb', env: 'CST_MAX_FILE_MB', schema: mb, apply: (s, v: number) => (s.maxFileBytes = Math.round(v * 1024 * 1024)) },
  { key: 'parseTimeoutMs', env: 'CST_PARSE_TIMEOUT_MS', schema: z.coerce.number().int().min(1).max(600_000), apply: (s, v: number) => (s.parseTimeoutMs = v) },
  { key: 'diagnostics.enable', env: 'CST_DIAGNOSTICS', schema: bool, apply: (s, v: boolean) => (s.diagnostics.enabled = v) },
  { key: 'diagnostics.maxPerFile', env: 'CST_DIAGNOSTICS_MAX', schema: z.coerce.number().int().min(0).max(100_000), apply: (s, v: number) => (s.diagnostics.maxPerFile = v) },
  { key: 'diagnostics.debounceMs', env: 'CST_DIAGNOSTICS_DEBOUNCE_MS', schema: z.coerce.number().int().min(0).max(60_000), apply: (s, v: number) => (s.diagnostics.debounceMs = v) },
  { key: 'memoryMb', env: 'CST_MEMORY_MB', schema: mb, apply: (s, v: number) => (s.memoryMb = v) },
  { key: 'cacheDir', env: 'CST_CACHE_DIR', schema: z.string().min(1), apply: (s, v: string) => (s.cacheDir = path.resolve(v)) },
  { key: 'diskMb', env: 'CST_DISK_MB', schema: mb, apply: (s, v: number) => (s.diskMb = v) },
  { key: 'segmentSize', env: 'CST_SEGMENT_SIZE', schema: z.coerce.number().int().min(4096).max(1 << 30), apply: (s, v: number) => (s.segmentSize = v) },
  { key: 'index.enable', env: 'CST_INDEX', schema: bool, apply: (s, v: boolean) => (s.index.enabled = v) },
  { key: 'index.maxFiles', env: 'CST_INDEX_MAX_FILES', schema: z.coerce.number().int().min(0).max(10_000_000), apply: (s, v: number) => (s.index.maxFiles = v) },
  { key: 'index.maxFileSizeMb', env: 'CST_INDEX_MAX_FILE_MB', schema: mb, apply: (s, v: number) => (s.index.maxFileBytes = Math.round(v * 1024 * 1024)) },
  { key: 'index.include', env: 'CST_INDEX_INCLUDE', schema: globs, apply: (s, v: string[]) => (s.index.include = v) },
  { key: 'index.exclude', env: 'CST_INDEX_EXCLUDE', schema: globs, apply: (s, v: string[]) => (s.index.exclude = v) },
  { key: 'workspaceSymbolLimit', env: 'CST_WORKSPACE_SYMBOL_LIMIT', schema: z.coerce.number().int().min(1).max(100_000), apply: (s, v: number) => (s.workspaceSymbolLimit = v) },
  { key: 'maxWorkers', env: 'CST_MAX_WORKERS', schema: z.coerce.number().int().min(1).max(64), apply: (s, v: number) => (s.maxWorkers = v) },
  { key: 'backgroundWorkers', env: 'CST_BACKGROUND_WORKERS', schema: z.coerce.number().int().min(0).max(64), apply: (s, v: number) => (s.backgroundWorkers = v) },
  { key: 'workerIdleMs', env: 'CST_WORKER_IDLE_MS', schema: z.coerce.number().int().min(100).max(86_400_000), apply: (s, v: number) => (s.workerIdleMs = v) },
];

/** The changed settings with their old and new values (for the log), by dotted key. */
export function describeChanges(before: Settings, after: Settings, keys: readonly string[]): Record<string, { from: unknown; to: unknown }> {
  const a = snapshot(before);
  const b = snapshot(after);
  return Object.fromEntries(keys.map((k) => [k, { from: a[k] === undefined ? undefined : JSON.parse(a[k]!), to: b[k] === undefined ? undefined : JSON.parse(b[k]!) }]));
}

export interface ConfigResult {
  settings: Settings;
  /** Human-readable problems with the input, one per rejected value. */
  problems: string[];
  /** Dotted keys whose value changed. */
  changed: string[];
}

function lookup(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function snapshot(s: Settings): Record<string, string> {
  const view = {
    ...s,
    maxFileSizeMb: s.maxFileBytes / 1048576,
    diagnostics: { ...s.diagnostics, enable: s.diagnostics.enabled },
    index: { ...s.index, enable: s.index.enabled, maxFileSizeMb: s.index.maxFileBytes / 1048576 },
  };
  return Object.fromEntries(FIELDS.map((f) => [f.key, JSON.stringify(lookup(view, f.key))]));
}

function applyFrom(base: Settings, source: 'env' | 'client', get: (f: (typeof FIELDS)[number]) => unknown): ConfigResult {
  const settings: Settings = structuredClone(base);
  const problems: string[] = [];
  for (const field of FIELDS) {
    const raw = get(field);
    if (raw === undefined || raw === null || raw === '') continue;
    const parsed = field.schema.safeParse(raw);
    if (!parsed.success) {
      const name = source === 'env' ? field.env : field.key;
      problems.push(`invalid ${name}=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message ?? 'rejected'}; keeping ${snapshot(settings)[field.key]}`);
      continue;
    }
    field.apply(settings, parsed.data as never);
  }
  const before = snapshot(base);
  const after = snapshot(settings);
  const changed = FIELDS.map((f) => f.key).filter((k) => before[k] !== after[k]);
  return { settings, problems, changed };
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigResult {
  return applyFrom(defaultSettings(env), 'env', (f) => (f.env ? env[f.env] : undefined));
}

/**
 * Overlay client settings (initializationOptions or didChangeConfiguration's
 * `settings`). Accepts `{cst: {...}}` (VS Code's section) or the bare object.
 * Neovim 0.7 sends an empty Lua table as `[]`: treated as empty.
 */
export function applyClientSettings(base: Settings, input: unknown): ConfigResult {
  let section: unknown = input;
  if (section && typeof section === 'object' && !Array.isArray(section) && 'cst' in section) {
    section = (section as { cst: unknown }).cst;
  }
  if (!section || typeof section !== 'object' || Array.isArray(section)) {
    return { settings: structuredClone(base), problems: [], changed: [] };
  }
  return applyFrom(base, 'client', (f) => lookup(section, f.key));
}
