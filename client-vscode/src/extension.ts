// Minimal VS Code client: starts the bundled cst-server over node-ipc for every
// language in grammars/languages.json. The status bar and statistics view come
// with the client issue.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

function serverModule(context: vscode.ExtensionContext): string {
  const bundled = context.asAbsolutePath(path.join('server', 'main.js'));
  if (fs.existsSync(bundled)) return bundled;
  return context.asAbsolutePath(path.join('..', 'server', 'dist', 'main.js'));
}

function languageIds(context: vscode.ExtensionContext): string[] {
  for (const candidate of [path.join('grammars', 'languages.json'), path.join('..', 'grammars', 'languages.json')]) {
    const file = context.asAbsolutePath(candidate);
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { languages: { languageIds: string[] }[] };
      return manifest.languages.flatMap((l) => l.languageIds);
    }
  }
  return [];
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = serverModule(context);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: languageIds(context).map((language) => ({ language })),
    outputChannelName: 'CST Language Server',
  };
  client = new LanguageClient('cst', 'CST Language Server', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('cst.restartServer', async () => {
      await client?.restart();
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
