// VS Code settings (`cst.*`) -> the server's configuration object (see
// server/src/config.ts): sent as initializationOptions and, on change, through
// workspace/didChangeConfiguration. No `vscode` import: unit-tested.

/** Settings the server reads, as dotted keys under `cst.` (the server's client keys). */
export const SERVER_SETTING_KEYS = [
  'memoryMb',
  'cacheDir',
  'diskMb',
  'logLevel',
  'maxWorkers',
  'maxFileSizeMb',
  'parseTimeoutMs',
  'diagnostics.enable',
  'diagnostics.maxPerFile',
  'index.enable',
  'index.exclude',
  'index.include',
  'index.maxFiles',
  'index.maxFileSizeMb',
] as const;

/** Settings of the client alone (never sent). */
export const CLIENT_SETTING_KEYS = ['statusBar.refreshSeconds', 'trace.server'] as const;

/** The server reads these once, at start: a change asks for a restart. */
export const RESTART_SETTING_KEYS: readonly string[] = ['cacheDir', 'diskMb', 'maxWorkers'];

/**
 * The nested object the server accepts (`{ memoryMb, diagnostics: { enable } ... }`),
 * from a getter of dotted keys. Unset values (null, undefined, '') are left out:
 * the server then keeps its default (or its CST_* environment variable).
 */
export function serverSettings(get: (key: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERVER_SETTING_KEYS) {
    const value = get(key);
    if (value === undefined || value === null || value === '') continue;
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** Keys among `changed` whose new value needs a server restart. */
export function needsRestart(changed: readonly string[]): string[] {
  return changed.filter((k) => RESTART_SETTING_KEYS.includes(k));
}
