// The statistics view (a webview): full `$/cstStats` and `$/health`, a chart
// of tier sizes (inline SVG), and "Clear cache" / "Restart server" buttons.
// No `vscode` import: the HTML is built here and unit-tested.
import { TIERS, type CstStats, type Tier } from '../../server/src/protocol.js';
import { formatBytes, formatCount, formatMs, formatPercent, indexingLabel, indexingProgress, level, memoryRatio, type ServerState } from './statusModel.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TIER_COLOURS: Record<Tier, string> = { hot: '#e5534b', warm: '#d4a72c', cold: '#4a9eda', frozen: '#8a63d2' };

/**
 * Horizontal bars, one per tier, scaled to the largest of the tiers and the
 * memory budget; a dashed line marks the budget (hot + warm + cold must stay
 * under it; frozen is on disk).
 */
export function tierChartSvg(stats: CstStats, width = 460): string {
  const rowHeight = 22;
  const labelWidth = 100;
  const valueWidth = 90;
  const barMax = width - labelWidth - valueWidth;
  const scale = Math.max(stats.budgetBytes, ...TIERS.map((t) => stats.tiers[t].bytes), 1);
  const height = TIERS.length * rowHeight + 28;
  const parts: string[] = [];
  TIERS.forEach((t, i) => {
    const y = i * rowHeight + 4;
    const w = Math.max(stats.tiers[t].bytes > 0 ? 1 : 0, Math.round((stats.tiers[t].bytes / scale) * barMax));
    parts.push(
      `<text x="0" y="${y + 14}" class="label">${t}${t === 'frozen' ? ' (disk)' : ''}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${rowHeight - 6}" fill="${TIER_COLOURS[t]}" data-tier="${t}"><title>${t}: ${formatBytes(stats.tiers[t].bytes)}, ${formatCount(stats.tiers[t].entries)} entries</title></rect>`,
      `<text x="${labelWidth + w + 6}" y="${y + 14}" class="value">${formatBytes(stats.tiers[t].bytes)}</text>`,
    );
  });
  // Memory in use (hot + warm + cold) against the budget.
  const y = TIERS.length * rowHeight + 6;
  const usedW = Math.round((Math.min(stats.usedBytes, scale) / scale) * barMax);
  const budgetX = labelWidth + Math.round((stats.budgetBytes / scale) * barMax);
  parts.push(
    `<text x="0" y="${y + 14}" class="label">in memory</text>`,
    `<rect x="${labelWidth}" y="${y}" width="${usedW}" height="${rowHeight - 6}" fill="${memoryRatio(stats) > 0.8 ? '#d4a72c' : '#3fb950'}" data-tier="used"><title>in memory: ${formatBytes(stats.usedBytes)} of ${formatBytes(stats.budgetBytes)}</title></rect>`,
    `<line x1="${budgetX}" x2="${budgetX}" y1="0" y2="${height}" stroke="currentColor" stroke-dasharray="4 3" data-budget="${stats.budgetBytes}"><title>budget ${formatBytes(stats.budgetBytes)}</title></line>`,
  );
  return `<svg class="chart" role="img" aria-label="Cache tier sizes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function table(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h, i) => `<th${i ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${i ? ' class="num"' : ''}>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function pairs(rows: [string, string | number][]): string {
  return `<table class="pairs"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`).join('')}</tbody></table>`;
}

/** The page body (replaced on every refresh). */
export function statsPageBody(state: ServerState, updatedAt: Date = new Date()): string {
  const buttons = `<div class="actions"><button data-command="cst.clearCache">Clear cache</button> <button data-command="cst.restartServer">Restart server</button> <button data-command="cst.showOutput" class="secondary">Server log</button></div>`;
  if (state.kind === 'stopped') {
    return `<h1>CST Language Server</h1><p class="status error" data-level="error">The server is not running: ${escapeHtml(state.reason)}</p>${buttons}`;
  }
  if (state.kind === 'starting' || !state.stats) {
    return `<h1>CST Language Server</h1><p class="status" data-level="normal">Starting…</p>${buttons}`;
  }
  const { stats, health } = state;
  const lvl = level(state);
  const indexing = indexingProgress(health);
  const statusLine = health ? `${health.status}${health.status === 'healthy' ? '' : `: ${health.message}`}` : 'no health answer yet';
  const out: string[] = [];
  out.push(`<h1>CST Language Server${health ? ` ${escapeHtml(health.version)}` : ''}</h1>`);
  out.push(`<p class="status ${lvl}" data-level="${lvl}">${escapeHtml(statusLine)}${state.error ? ` — statistics are stale: ${escapeHtml(state.error)}` : ''}</p>`);
  out.push(buttons);
  out.push(
    `<p class="summary">Hit ratio <b>${formatPercent(stats.hitRatio)}</b> of ${formatCount(stats.lookups)} lookups · memory <b>${formatBytes(stats.usedBytes)}</b> of ${formatBytes(stats.budgetBytes)} (${formatPercent(memoryRatio(stats))})${indexing ? ` · ${indexingLabel(indexing)}` : ''}</p>`,
  );
  out.push('<h2>Tiers</h2>', tierChartSvg(stats));
  out.push(table(['tier', 'entries', 'bytes', 'hits', 'misses'], TIERS.map((t) => [t, formatCount(stats.tiers[t].entries), formatBytes(stats.tiers[t].bytes), formatCount(stats.tiers[t].hits), formatCount(stats.tiers[t].misses)])));
  out.push(
    '<h2>Cache</h2>',
    pairs([
      ['promotions', formatCount(stats.promotions)],
      ['demotions', formatCount(stats.demotions)],
      ['evictions', formatCount(stats.evictions)],
      ['confirmations (idle full parses)', `${formatCount(stats.confirmations.confirmed)} confirmed, ${formatCount(stats.confirmations.mismatches)} mismatches, ${formatCount(stats.confirmations.pending)} pending, ${formatCount(stats.confirmations.givenUp ?? 0)} given up by an edit`],
    ]),
  );
  const lat = stats.parses.latencyMs;
  out.push(
    '<h2>Parses</h2>',
    pairs([
      ['full', formatCount(stats.parses.full)],
      ['incremental', formatCount(stats.parses.incremental)],
      ['in workers (indexing)', formatCount(stats.parses.background)],
      ['failed / timed out', `${formatCount(stats.parses.failed)} / ${formatCount(stats.parses.timedOut)}`],
      ['latency p50 / p95 / p99 / max', `${formatMs(lat.p50)} / ${formatMs(lat.p95)} / ${formatMs(lat.p99)} / ${formatMs(lat.max)}`],
    ]),
  );
  out.push(
    '<h2>Process</h2>',
    pairs([
      ['RSS', formatBytes(stats.process.rssBytes)],
      ['WASM heap', formatBytes(stats.process.wasmHeapBytes)],
      ['JS heap used', formatBytes(stats.process.heapUsedBytes)],
      ['live trees', formatCount(stats.process.liveTrees)],
      // Older servers do not send it.
      ['parse worker threads', stats.process.workerThreads === undefined ? '—' : formatCount(stats.process.workerThreads)],
      ['documents open / indexed', `${formatCount(stats.documents.open)} / ${formatCount(stats.documents.indexed)}`],
      ['uptime', health ? `${formatCount(health.uptimeSeconds)} s` : '—'],
    ]),
  );
  const f = stats.frozen;
  out.push(
    '<h2>On-disk store</h2>',
    pairs([
      ['records', formatCount(f.records)],
      ['segments', formatCount(f.segments)],
      ['segment loads', formatCount(f.segmentLoads)],
      ['writes / write errors', `${formatCount(f.writes)} / ${formatCount(f.writeErrors)}`],
      ['corrupt records skipped', formatCount(f.corruptRecords)],
      ['state', f.degraded ? `memory-only: ${f.degraded}` : 'ok'],
    ]),
  );
  if (health) out.push('<h2>Health checks</h2>', pairs(Object.entries(health.checks) as [string, string][]));
  out.push(`<p class="updated">Updated ${escapeHtml(updatedAt.toLocaleTimeString('en-GB'))}</p>`);
  return out.join('\n');
}

/**
 * The whole document. Scripts run only with `nonce`; the page posts
 * `{ command }` for its buttons and replaces its body on `{ type: 'update', body }`.
 */
export function statsPageHtml(body: string, options: { nonce: string; cspSource: string }): string {
  const { nonce, cspSource } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>CST Statistics</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.4em; }
  table { border-collapse: collapse; margin: 4px 0; } th, td { padding: 2px 10px 2px 0; text-align: left; }
  .num { text-align: right; } table.pairs th { font-weight: normal; color: var(--vscode-descriptionForeground); }
  .status.warning { color: var(--vscode-editorWarning-foreground); } .status.error { color: var(--vscode-errorForeground); }
  .chart .label, .chart .value { fill: var(--vscode-foreground); font-size: 12px; }
  .chart line { color: var(--vscode-foreground); }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; }
  button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
  button:hover { background: var(--vscode-button-hoverBackground); }
  .updated { color: var(--vscode-descriptionForeground); margin-top: 2em; }
</style>
</head>
<body>
<main id="stats">${body}</main>
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-command]');
    if (button) vscode.postMessage({ command: button.dataset.command });
  });
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'update') document.getElementById('stats').innerHTML = event.data.body;
  });
</script>
</body>
</html>`;
}
