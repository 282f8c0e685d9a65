// The statistics view: one webview panel that follows the status bar's state
// and runs the commands of its buttons.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { CacheStatus } from './statusBar.js';
import { statsPageBody, statsPageHtml } from './statsPage.js';

const COMMANDS = new Set(['cst.clearCache', 'cst.restartServer', 'cst.showOutput']);

export class StatsPanel {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly status: CacheStatus) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      void this.status.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel('cst.stats', 'CST Statistics', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    this.panel = panel;
    const nonce = crypto.randomBytes(16).toString('base64');
    panel.webview.html = statsPageHtml(statsPageBody(this.status.current), { nonce, cspSource: panel.webview.cspSource });
    const subscriptions = [
      this.status.onDidChange((state) => void panel.webview.postMessage({ type: 'update', body: statsPageBody(state) })),
      panel.webview.onDidReceiveMessage((message: { command?: string }) => {
        if (message?.command && COMMANDS.has(message.command)) void vscode.commands.executeCommand(message.command);
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      this.panel = undefined;
    });
    void this.status.refresh();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
