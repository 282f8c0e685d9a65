// What the status bar item shows, from `$/cstStats` and `$/health` answers.
// No `vscode` import: unit-tested against real answers of a spawned server.
import { TIERS, type CstStats, type Health } from '../../server/src/protocol.js';

export type ServerState =
  | { kind: 'starting' }
  | { kind: 'running'; stats?: CstStats; health?: Health; /** The last statistics request failed. */ error?: string }
  | { kind: 'stopped'; reason: string };

export type Level = 'normal' | 'warning' | 'error';

export interface StatusView {
  /** Status bar text (may hold `$(codicon)` references). */
  text: string;
  level: Level;
  /** Markdown for the tooltip (command links need a trusted MarkdownString). */
  tooltip: string;
  /** For screen readers. */
  accessibility: string;
}

/** Above this share of the budget the item turns to the warning colour (the server's health check uses the same bound). */
export const MEMORY_WARNING_RATIO = 0.8;

const MB = 1024 * 1024;

/** A number of MB, short: 42, 4.2, 0.42. */
export function formatMb(bytes: number): string {
  const mb = bytes / MB;
  if (mb >= 10 || mb === 0) return String(Math.round(mb));
  if (mb >= 1) return trim(mb.toFixed(1));
  return trim(mb.toFixed(2)) === '0' ? '0.01' : trim(mb.toFixed(2));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Bytes with a unit: 512 B, 3.4 KB, 12.5 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${(bytes / (1024 * MB)).toFixed(2)} GB`;
}

/** A ratio as a whole percentage, rounded down: 100% only when nothing was missed. */
export function formatPercent(ratio: number): string {
  return `${Math.floor(Math.max(0, ratio) * 100 + 1e-9)}%`;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${trim(ms.toFixed(ms >= 10 ? 1 : 2))} ms`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function memoryRatio(stats: CstStats): number {
  return stats.budgetBytes > 0 ? stats.usedBytes / stats.budgetBytes : 0;
}

export interface IndexingProgress {
  done: number;
  total: number;
}

/** Workspace indexing under way, from `$/health` (its index check reads `ok (indexing DONE/TOTAL)`). */
export function indexingProgress(health: Health | undefined): IndexingProgress | undefined {
  const m = health ? /indexing (\d+)\/(\d+)/.exec(health.checks.index) : null;
  return m ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

export function level(state: ServerState): Level {
  if (state.kind === 'stopped') return 'error';
  if (state.kind !== 'running') return 'normal';
  if (state.health?.status === 'unhealthy') return 'error';
  if (state.error) return 'warning';
  if (state.health && state.health.status !== 'healthy') return 'warning';
  if (state.stats && memoryRatio(state.stats) > MEMORY_WARNING_RATIO) return 'warning';
  return 'normal';
}

/** The status bar text: `CST 97% · 42/100 MB` (hit ratio · used/budget), with indexing progress while it runs. */
export function statusText(state: ServerState): string {
  if (state.kind === 'stopped') return '$(error) CST: server down';
  if (state.kind === 'starting' || !state.stats) return '$(loading~spin) CST';
  const { stats } = state;
  const lvl = level(state);
  const icon = lvl === 'error' ? '$(error) ' : lvl === 'warning' ? '$(warning) ' : '';
  let text = `${icon}CST ${formatPercent(stats.hitRatio)} · ${formatMb(stats.usedBytes)}/${formatMb(stats.budgetBytes)} MB`;
  const indexing = indexingProgress(state.health);
  if (indexing) text = `$(sync~spin) ${text} · ${indexingLabel(indexing)}`;
  return text;
}

/** `indexing 120/800`, or `indexing…` while the walk has not counted the files yet. */
export function indexingLabel(progress: IndexingProgress): string {
  return progress.total > 0 ? `indexing ${progress.done}/${progress.total}` : 'indexing…';
}

const LINKS = '[Statistics](command:cst.showStats) · [Clear cache](command:cst.clearCache) · [Restart server](command:cst.restartServer) · [Log](command:cst.showOutput)';

/** Markdown table of the tiers: entries, bytes, hits, misses. */
export function tierTable(stats: CstStats): string {
  const rows = TIERS.map((t) => {
    const s = stats.tiers[t];
    return `| ${t}${t === 'frozen' ? ' (disk)' : ''} | ${formatCount(s.entries)} | ${formatBytes(s.bytes)} | ${formatCount(s.hits)} | ${formatCount(s.misses)} |`;
  });
  return ['| tier | entries | bytes | hits | misses |', '|:--|--:|--:|--:|--:|', ...rows].join('\n');
}

export function tooltipMarkdown(state: ServerState): string {
  if (state.kind === 'stopped') {
    return [`**CST Language Server is not running.**`, '', escapeMarkdown(state.reason), '', 'Symbols, completion and formatting are off until it runs again.', '', '[Restart server](command:cst.restartServer) · [Log](command:cst.showOutput)'].join('\n');
  }
  if (state.kind === 'starting' || !state.stats) return ['**CST Language Server** is starting…', '', '[Log](command:cst.showOutput)'].join('\n');
  const { stats, health } = state;
  const lines: string[] = [];
  const version = health ? ` ${health.version}` : '';
  const status = health ? ` — ${health.status}${health.status === 'healthy' ? '' : `: ${escapeMarkdown(health.message)}`}` : '';
  lines.push(`**CST Language Server**${version}${status}`, '');
  if (state.error) lines.push(`$(warning) Statistics are stale: ${escapeMarkdown(state.error)}`, '');
  const ratio = memoryRatio(stats);
  lines.push(
    `Memory: ${formatBytes(stats.usedBytes)} of ${formatBytes(stats.budgetBytes)} budget (${formatPercent(ratio)})${ratio > MEMORY_WARNING_RATIO ? ' $(warning)' : ''} · hit ratio ${formatPercent(stats.hitRatio)} of ${formatCount(stats.lookups)} lookups`,
    '',
    tierTable(stats),
    '',
    `Parse latency: p50 ${formatMs(stats.parses.latencyMs.p50)} · p99 ${formatMs(stats.parses.latencyMs.p99)} (${formatCount(stats.parses.full)} full, ${formatCount(stats.parses.incremental)} incremental, ${formatCount(stats.parses.background)} in workers)`,
    '',
    `Process: RSS ${formatBytes(stats.process.rssBytes)} · WASM heap ${formatBytes(stats.process.wasmHeapBytes)} · JS heap ${formatBytes(stats.process.heapUsedBytes)}`,
    '',
  );
  const indexing = indexingProgress(health);
  lines.push(`Documents: ${formatCount(stats.documents.open)} open · ${formatCount(stats.documents.indexed)} indexed${indexing ? ` · ${indexingLabel(indexing)}` : ''}`, '');
  lines.push(LINKS);
  return lines.join('\n');
}

export function statusView(state: ServerState): StatusView {
  const text = statusText(state);
  let accessibility: string;
  if (state.kind === 'stopped') accessibility = `CST language server is down: ${state.reason}`;
  else if (state.kind === 'starting' || !state.stats) accessibility = 'CST language server is starting';
  else accessibility = `CST cache: hit ratio ${formatPercent(state.stats.hitRatio)}, ${formatMb(state.stats.usedBytes)} of ${formatMb(state.stats.budgetBytes)} MB used`;
  return { text, level: level(state), tooltip: tooltipMarkdown(state), accessibility };
}

/** Markdown special characters in text that comes from elsewhere (messages, paths). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}
