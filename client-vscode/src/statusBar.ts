// The status bar item: asks the server for `$/cstStats` and `$/health` every
// few seconds while the window has focus (never while it has not), soon after
// a document opens or closes, and when the server's state changes. What it
// shows comes from statusModel.ts.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { CstStatsRequest, HealthRequest, type CstStats, type Health } from '../../server/src/protocol.js';
import { statusView, type ServerState } from './statusModel.js';

/** A statistics request that takes longer marks the figures stale (the server may be busy). */
const REQUEST_TIMEOUT_MS = 10_000;

export class CacheStatus implements vscode.Disposable {
  private state: ServerState = { kind: 'starting' };
  private readonly item: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<ServerState>();
  /** Fires with every new state (the statistics view follows it). */
  readonly onDidChange = this.changed.event;
  private client: LanguageClient | undefined;
  private clientListener: vscode.Disposable | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private inFlight = false;
  private readonly disposables: vscode.Disposable[] = [];
  /** Why the next stop happens, when we asked for it (restart, clear cache). */
  private stopReason: string | undefined;

  constructor(private readonly refreshSeconds: () => number) {
    this.item = vscode.window.createStatusBarItem('cst.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'CST Cache';
    this.item.command = 'cst.showStats';
    this.render();
    this.item.show();
    this.disposables.push(
      this.item,
      this.changed,
      vscode.window.onDidChangeWindowState(() => this.schedule()),
      vscode.workspace.onDidOpenTextDocument(() => this.refreshSoon()),
      vscode.workspace.onDidCloseTextDocument(() => this.refreshSoon()),
    );
  }

  get current(): ServerState {
    return this.state;
  }

  /** Follow a (new) client: its state changes and its answers. */
  attach(client: LanguageClient): void {
    this.clientListener?.dispose();
    this.client = client;
    this.clientListener = client.onDidChangeState((e) => {
      if (e.newState === State.Starting) this.set({ kind: 'starting' });
      else if (e.newState === State.Running) {
        this.stopReason = undefined;
        this.set({ kind: 'running' });
        void this.refresh();
      } else if (e.newState === State.Stopped) {
        this.set({ kind: 'stopped', reason: this.stopReason ?? 'The server process stopped. The CST Language Server log may say why.' });
      }
    });
    this.schedule();
  }

  /** The next stop is one we asked for; say why. */
  expectStop(reason: string): void {
    this.stopReason = reason;
  }

  /** The server could not be started or restarted. */
  failed(reason: string): void {
    this.set({ kind: 'stopped', reason });
  }

  /** Ask the server now (no-op when it is not running or a request is under way). */
  async refresh(): Promise<void> {
    const client = this.client;
    if (!client || client.state !== State.Running || this.inFlight) return;
    this.inFlight = true;
    const cancel = new vscode.CancellationTokenSource();
    const timeout = setTimeout(() => cancel.cancel(), REQUEST_TIMEOUT_MS);
    try {
      const [stats, health] = await Promise.all([
        client.sendRequest<CstStats>(CstStatsRequest, {}, cancel.token),
        client.sendRequest<Health>(HealthRequest, {}, cancel.token),
      ]);
      if (client === this.client && client.state === State.Running) this.set({ kind: 'running', stats, health });
    } catch (err) {
      if (client === this.client && client.state === State.Running && this.state.kind === 'running') {
        const message = cancel.token.isCancellationRequested ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : err instanceof Error ? err.message : String(err);
        this.set({ ...this.state, error: message });
      }
    } finally {
      clearTimeout(timeout);
      cancel.dispose();
      this.inFlight = false;
    }
  }

  /** Refresh shortly (coalesces bursts of opened documents). */
  refreshSoon(delayMs = 750): void {
    if (this.soon || !vscode.window.state.focused) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, delayMs);
  }

  /** Poll while the window has focus; stop polling when it loses it. */
  schedule(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!vscode.window.state.focused) return;
    void this.refresh();
    this.timer = setInterval(() => {
      if (vscode.window.state.focused) void this.refresh();
    }, Math.max(1, this.refreshSeconds()) * 1000);
  }

  private set(state: ServerState): void {
    this.state = state;
    this.render();
    this.changed.fire(state);
  }

  private render(): void {
    const view = statusView(this.state);
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: ['cst.showStats', 'cst.clearCache', 'cst.restartServer', 'cst.showOutput'] };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibility };
    this.item.backgroundColor =
      view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : view.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.color = view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorForeground') : view.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningForeground') : undefined;
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.clientListener?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
