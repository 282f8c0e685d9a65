// The VS Code client: starts the bundled cst-server over node-ipc for every
// language in grammars/languages.json, maps `cst.*` settings to the server's
// configuration, and shows the cache in the status bar (statusBar.ts) and a
// statistics view (statsPanel.ts). Layout of the extension folder:
// scripts/bundle.mjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CacheStatus } from './statusBar.js';
import { StatsPanel } from './statsPanel.js';
import { RESTART_SETTING_KEYS, serverSettings } from './settings.js';

/** The flag cst-server's interpreter line gives node (see server/src/main.ts): a small young generation keeps RSS down. */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=2'];

let client: LanguageClient | undefined;

interface Layout {
  serverModule: string;
  cliModule: string;
  grammarsDir: string;
}

function layout(context: vscode.ExtensionContext): Layout {
  const found = {
    serverModule: context.asAbsolutePath(path.join('server', 'main.js')),
    cliModule: context.asAbsolutePath(path.join('server', 'cli.js')),
    grammarsDir: context.asAbsolutePath('grammars'),
  };
  if (!fs.existsSync(found.serverModule)) {
    throw new Error(`the bundled server is missing (${found.serverModule}); build the extension with \`npm run build\` and run it from client-vscode/dist`);
  }
  return found;
}

function languageIds(grammarsDir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(grammarsDir, 'languages.json'), 'utf8')) as { languages: { languageIds: string[] }[] };
  return [...new Set(manifest.languages.flatMap((l) => l.languageIds))];
}

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('cst');
}

function currentServerSettings(): Record<string, unknown> {
  const config = settings();
  return serverSettings((key) => config.get(key));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('CST Language Server');
  const traceOutput = vscode.window.createOutputChannel('CST Language Server Trace');
  const status = new CacheStatus(() => settings().get<number>('statusBar.refreshSeconds') ?? 3);
  const panel = new StatsPanel(status);
  context.subscriptions.push(output, traceOutput, status, { dispose: () => panel.dispose() });

  let files: Layout;
  try {
    files = layout(context);
  } catch (err) {
    status.failed(message(err));
    output.appendLine(`cst: ${message(err)}`);
    throw err;
  }
  const env = { ...process.env, CST_GRAMMARS_DIR: files.grammarsDir };
  const serverOptions: ServerOptions = {
    run: { module: files.serverModule, transport: TransportKind.ipc, options: { env, execArgv: SERVER_NODE_FLAGS } },
    debug: { module: files.serverModule, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_FLAGS, '--inspect=6019'] } },
  };

  // What the server last got: initializationOptions, then each didChangeConfiguration (sent only when it differs).
  let lastSent = '';
  const clientOptions: LanguageClientOptions = {
    documentSelector: languageIds(files.grammarsDir).flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    outputChannel: output,
    traceOutputChannel: traceOutput,
    initializationOptions: () => {
      const cst = currentServerSettings();
      lastSent = JSON.stringify({ cst });
      return cst;
    },
    synchronize: { configurationSection: 'cst' },
    middleware: {
      workspace: {
        // The server's keys only, unset values left out (as in initializationOptions).
        didChangeConfiguration: async () => {
          const payload = { cst: currentServerSettings() };
          const json = JSON.stringify(payload);
          if (json === lastSent || !client) return;
          lastSent = json;
          await client.sendNotification(DidChangeConfigurationNotification.type, { settings: payload });
        },
      },
    },
  };

  client = new LanguageClient('cst', 'CST Language Server', serverOptions, clientOptions);
  status.attach(client);

  async function restart(reason: string): Promise<void> {
    if (!client) return;
    status.expectStop(reason);
    try {
      if (client.isRunning()) await client.stop();
      await client.start();
    } catch (err) {
      status.failed(`The server could not be started: ${message(err)}`);
      void vscode.window.showErrorMessage(`CST: the server could not be started: ${message(err)}`);
    }
  }

  async function clearCache(): Promise<void> {
    if (!client) return;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'CST: clearing the cache…' }, async () => {
      // The server flushes its store on shutdown; the store is cleared while no server of this window uses it.
      status.expectStop('Clearing the cache…');
      if (client!.isRunning()) await client!.stop();
      const cacheDir = settings().get<string>('cacheDir');
      const result = await runCli(files.cliModule, ['clear', '--all', ...(cacheDir ? ['--cache-dir', cacheDir] : [])], env);
      output.appendLine(`cst-cli clear --all: exit ${result.code}\n${result.stdout}${result.stderr}`);
      try {
        await client!.start();
      } catch (err) {
        status.failed(`The server could not be started: ${message(err)}`);
      }
      // cst-cli says what it did on its first line and the bytes before and after on the second.
      const said = (result.code === 0 ? result.stdout : result.stderr).trim().split('\n').filter(Boolean).join('; ');
      if (result.code === 0) void vscode.window.showInformationMessage(`CST: ${said}. The server restarted with an empty cache.`);
      else if (/no cache directory/.test(result.stderr)) void vscode.window.showInformationMessage('CST: nothing to clear (no cache directory yet). The server restarted with an empty cache.');
      else void vscode.window.showErrorMessage(`CST: clearing the cache failed: ${said || `cst-cli exited with ${result.code}`}`);
    });
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('cst.restartServer', () => restart('Restarting…')),
    vscode.commands.registerCommand('cst.clearCache', () => clearCache()),
    vscode.commands.registerCommand('cst.showStats', () => panel.show()),
    vscode.commands.registerCommand('cst.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('cst.statusBar.refreshSeconds')) status.schedule();
      const needRestart = RESTART_SETTING_KEYS.filter((k) => e.affectsConfiguration(`cst.${k}`));
      if (needRestart.length) {
        void vscode.window
          .showInformationMessage(`CST: ${needRestart.map((k) => `cst.${k}`).join(', ')} take${needRestart.length === 1 ? 's' : ''} effect when the server restarts.`, 'Restart now')
          .then((choice) => (choice ? restart('Restarting for new settings…') : undefined));
      }
    }),
  );

  try {
    await client.start();
  } catch (err) {
    status.failed(`The server could not be started: ${message(err)}`);
    void vscode.window.showErrorMessage(`CST: the server could not be started: ${message(err)}`);
  }
}

/** Run the bundled cst-cli with the same Node as the server (VS Code's own, as Node). */
function runCli(module: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // In VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it Node (as vscode-languageclient does for the server).
    const child = spawn(process.execPath, [module, ...args], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolve({ code: null, stdout, stderr: stderr + err.message }));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
