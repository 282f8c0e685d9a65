#!/usr/bin/env node
// cst-cli: operations on files and on the cache directory. Each command is a
// module exporting `usage` and `run(argv): Promise<exitCode>`.
// Exit codes: 0 success, 1 the command ran and found problems (syntax errors,
// corrupt records), 2 usage error or an input that could not be used.
import { createLogger } from '../log.js';
import { UsageError } from './args.js';

interface Command {
  usage: string;
  run: (argv: string[]) => Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  prewarm: () => import('./prewarm.js'),
  parse: () => import('./parse.js'),
  symbols: () => import('./symbols.js'),
  query: () => import('./query.js'),
  grammars: () => import('./grammars.js'),
  'export-metrics': () => import('./exportMetrics.js'),
};

/** Commands provided by other modules register here (store commands, prewarm, ...). */
export function commandNames(): string[] {
  return Object.keys(commands);
}

async function loadOptional(): Promise<void> {
  try {
    const store = (await import('./store.js')) as { commands?: Record<string, Command> };
    for (const [name, cmd] of Object.entries(store.commands ?? {})) commands[name] = async () => cmd;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  // Diagnostics of the CLI itself go to stderr; results go to stdout.
  createLogger({ level: process.env.CST_LOG_LEVEL ?? 'warn', name: 'cst-cli' });
  await loadOptional();
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(`cst-cli: missing COMMAND (${Object.keys(commands).join(', ')}); cst-cli --help shows them all\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const list = await Promise.all(Object.entries(commands).map(async ([, load]) => (await load()).usage));
    process.stdout.write(`usage: cst-cli COMMAND [options]\n\n${list.join('\n\n')}\n\nExit codes: 0 success, 1 problems found, 2 usage or input error.\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`cst-cli: unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    // One line for every bad argument or input; the usage is one --help away.
    if (err instanceof UsageError) {
      process.stderr.write(`cst-cli ${name}: ${err.message} (cst-cli ${name} --help)\n`);
      return 2;
    }
    process.stderr.write(`cst-cli ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cst-cli: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
