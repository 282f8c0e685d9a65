// The VS Code client's pure parts against real answers of a spawned server:
// the status bar model (statusModel.ts), the statistics page (statsPage.ts)
// and the settings mapping (settings.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, repoRoot, startServer, type TestServer } from '../helpers/lsp.js';
import type { CstStats, Health } from '../../server/src/protocol.js';
import { TIERS } from '../../server/src/protocol.js';
import { applyClientSettings, defaultSettings } from '../../server/src/config.js';
import { formatBytes, formatMb, formatMs, indexingProgress, level, statusText, statusView, tooltipMarkdown, type ServerState } from '../../client-vscode/src/statusModel.js';
import { statsPageBody, statsPageHtml, tierChartSvg } from '../../client-vscode/src/statsPage.js';
import { CLIENT_SETTING_KEYS, SERVER_SETTING_KEYS, serverSettings } from '../../client-vscode/src/settings.js';

const MB = 1024 * 1024;
const corpus = ['server/src/server.ts', 'server/src/cache/tiers.ts', 'server/src/config.ts'].map((p) => path.join(repoRoot, p));

async function answers(server: TestServer): Promise<{ stats: CstStats; health: Health }> {
  const [stats, health] = await Promise.all([server.request<CstStats>('$/cstStats', {}), server.request<Health>('$/health', {})]);
  return { stats, health };
}

describe('status bar model on real $/cstStats and $/health', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ initializationOptions: { cst: { memoryMb: 100 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('shows hit ratio and used/budget, and the figures follow opened documents', async () => {
    const before = await answers(server);
    const first = statusText({ kind: 'running', ...before });
    expect(first).toBe(`CST 100% · 0/100 MB`);
    for (const file of corpus) {
      const uri = fileUri(file);
      server.open(uri, 'typescript', fs.readFileSync(file, 'utf8'));
      await server.request('textDocument/documentSymbol', { textDocument: { uri } });
    }
    const after = await answers(server);
    const text = statusText({ kind: 'running', ...after });
    const m = /^CST (\d+)% · ([\d.]+)\/100 MB$/.exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![1])).toBe(Math.floor(after.stats.hitRatio * 100));
    expect(Number(m![2])).toBeCloseTo(after.stats.usedBytes / MB, after.stats.usedBytes >= 10 * MB ? 0 : 1);
    expect(after.stats.usedBytes).toBeGreaterThan(0);
    expect(text).not.toBe(first);
    expect(level({ kind: 'running', ...after })).toBe('normal');
  });

  it('tooltip: per-tier table, parse latency p50/p99, RSS and WASM heap, from the same answer', async () => {
    const { stats, health } = await answers(server);
    const md = tooltipMarkdown({ kind: 'running', stats, health });
    for (const t of TIERS) {
      const s = stats.tiers[t];
      expect(md).toContain(`| ${t}${t === 'frozen' ? ' (disk)' : ''} | ${s.entries} | ${formatBytes(s.bytes)} | ${s.hits} | ${s.misses} |`);
    }
    expect(stats.tiers.hot.entries).toBe(3);
    expect(md).toContain(`p50 ${formatMs(stats.parses.latencyMs.p50)} · p99 ${formatMs(stats.parses.latencyMs.p99)}`);
    expect(stats.process.wasmHeapBytes).toBeGreaterThan(0);
    expect(md).toContain(`RSS ${formatBytes(stats.process.rssBytes)} · WASM heap ${formatBytes(stats.process.wasmHeapBytes)}`);
    expect(md).toContain(`**CST Language Server** ${health.version} — healthy`);
    expect(md).toContain('command:cst.restartServer');
  });

  it('statistics page: chart bars scaled to the tiers, every figure, the two buttons', async () => {
    const { stats, health } = await answers(server);
    const body = statsPageBody({ kind: 'running', stats, health });
    const svg = tierChartSvg(stats);
    expect(body).toContain(svg);
    const widths = Object.fromEntries([...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)"[^>]*data-tier="(\w+)"/g)].map((m) => [m[2], Number(m[1])]));
    expect(Object.keys(widths).sort()).toEqual(['cold', 'frozen', 'hot', 'used', 'warm']);
    // The budget (100 MB) is the largest figure: bars are bytes / budget of the bar length.
    const barMax = 460 - 100 - 90;
    expect(widths.hot).toBe(Math.max(1, Math.round((stats.tiers.hot.bytes / stats.budgetBytes) * barMax)));
    expect(widths.warm).toBe(0);
    expect(body).toContain('data-command="cst.clearCache"');
    expect(body).toContain('data-command="cst.restartServer"');
    expect(body).toContain(`${stats.parses.full}`);
    expect(body).toContain(formatBytes(stats.process.rssBytes));
    const html = statsPageHtml(body, { nonce: 'abc123', cspSource: 'vscode-resource:' });
    expect(html).toContain("script-src 'nonce-abc123'");
    expect(html).toContain('<script nonce="abc123">');
  });
});

describe('warning and error states', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A budget smaller than one open document's text: memory above 80% of the budget, health degraded.
    server = await startServer({ initializationOptions: { cst: { memoryMb: 0.05 } } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('memory above 80% of the budget turns the item to the warning colour', async () => {
    const uri = fileUri(corpus[0]!);
    server.open(uri, 'typescript', fs.readFileSync(corpus[0]!, 'utf8'));
    await server.request('textDocument/documentSymbol', { textDocument: { uri } });
    const { stats, health } = await answers(server);
    expect(stats.usedBytes / stats.budgetBytes).toBeGreaterThan(0.8);
    expect(health.status).toBe('degraded');
    const view = statusView({ kind: 'running', stats, health });
    expect(view.level).toBe('warning');
    expect(view.text).toMatch(/^\$\(warning\) CST \d+% · [\d.]+\/0\.05 MB$/);
    expect(view.tooltip).toContain('degraded');
  });

  it('a server that is down: error colour and a tooltip that says so and offers a restart', () => {
    const state: ServerState = { kind: 'stopped', reason: 'The server process stopped (exit code 1).' };
    const view = statusView(state);
    expect(view.level).toBe('error');
    expect(view.text).toBe('$(error) CST: server down');
    expect(view.tooltip).toContain('not running');
    expect(view.tooltip).toContain('exit code 1');
    expect(view.tooltip).toContain('[Restart server](command:cst.restartServer)');
    expect(statsPageBody(state)).toContain('data-level="error"');
  });

  it('stale figures (a statistics request failed) warn without hiding the last figures', async () => {
    const { stats } = await answers(server);
    const view = statusView({ kind: 'running', stats, error: 'no answer within 10 s' });
    expect(view.level).toBe('warning');
    expect(view.tooltip).toContain('no answer within 10 s');
  });

  it('formats MB compactly', () => {
    expect([formatMb(0), formatMb(0.004 * MB), formatMb(0.42 * MB), formatMb(4.25 * MB), formatMb(42.4 * MB), formatMb(100 * MB)]).toEqual(['0', '0.01', '0.42', '4.3', '42', '100']);
  });
});

describe('indexing progress in the status bar', () => {
  let server: TestServer;
  let ws: string;
  beforeAll(async () => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'cst-status-ws-'));
    const body = fs.readFileSync(path.join(repoRoot, 'server/src/config.ts'), 'utf8');
    for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(ws, `file${i}.ts`), `${body}\nexport const marker${i} = ${i};\n`);
    server = await startServer({ workspaceFolders: [{ uri: fileUri(ws), name: 'ws' }], env: { CST_MAX_WORKERS: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('shows indexing N/M from $/health while the workspace is indexed, and not after', async () => {
    const seen: string[] = [];
    let finished: Health | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { stats, health } = await answers(server);
      const progress = indexingProgress(health);
      if (progress) {
        const text = statusText({ kind: 'running', stats, health });
        // Before the walk has counted the files the server says 0/0.
        if (progress.total === 0) expect(text).toMatch(/^\$\(sync~spin\) CST .* · indexing…$/);
        else {
          expect(text).toMatch(new RegExp(`^\\$\\(sync~spin\\) CST \\d+% · [\\d.]+/100 MB · indexing ${progress.done}/150$`));
          seen.push(text);
        }
      } else if (seen.length && stats.documents.indexed === 150) {
        finished = health;
        expect(statusText({ kind: 'running', stats, health })).not.toContain('indexing');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(finished).toBeDefined();
  });
});

describe('settings mapping', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'client-vscode/package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default: unknown; enum?: unknown[] }> } };
  };
  const properties = manifest.contributes.configuration.properties;

  it('every contributed setting is either sent to the server or used by the client', () => {
    const contributed = Object.keys(properties).map((k) => k.replace(/^cst\./, ''));
    expect(contributed.sort()).toEqual([...SERVER_SETTING_KEYS, ...CLIENT_SETTING_KEYS].sort());
  });

  it('the server accepts every key the client sends, and the contributed defaults are its defaults', () => {
    const defaults = defaultSettings();
    const fromDefaults = applyClientSettings(defaults, { cst: serverSettings((k) => properties[`cst.${k}`]!.default) });
    expect(fromDefaults.problems).toEqual([]);
    expect(fromDefaults.changed).toEqual([]);
    const changedValues: Record<string, unknown> = {
      memoryMb: 64, cacheDir: '/tmp/cst-elsewhere', diskMb: 10, logLevel: 'debug', maxWorkers: 3, maxFileSizeMb: 1, parseTimeoutMs: 500,
      'diagnostics.enable': false, 'diagnostics.maxPerFile': 5, 'index.enable': false, 'index.exclude': ['**/gen/**'], 'index.include': ['src/**'],
      'index.maxFiles': 10, 'index.maxFileSizeMb': 0.5,
    };
    const changed = applyClientSettings(defaults, { cst: serverSettings((k) => changedValues[k]) });
    expect(changed.problems).toEqual([]);
    expect(changed.changed.sort()).toEqual([...SERVER_SETTING_KEYS].sort());
  });

  it('initializationOptions and didChangeConfiguration reach a real server', async () => {
    const values: Record<string, unknown> = { memoryMb: 64, cacheDir: '', maxWorkers: null };
    const server = await startServer({ initializationOptions: serverSettings((k) => values[k] ?? properties[`cst.${k}`]!.default) });
    try {
      expect((await server.request<CstStats>('$/cstStats', {})).budgetBytes).toBe(64 * MB);
      values.memoryMb = 32;
      await server.conn.sendNotification('workspace/didChangeConfiguration', { settings: { cst: serverSettings((k) => values[k] ?? properties[`cst.${k}`]!.default) } });
      expect((await server.request<CstStats>('$/cstStats', {})).budgetBytes).toBe(32 * MB);
      expect(server.messages).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
