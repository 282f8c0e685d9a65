// End-to-end tests in real editors: the README's snippets, a private copy of
// test/e2e/workspace, `cst-server` on PATH as a symlink to the built server,
// the editor run to completion (its driver script writes JSON results), and
// checks on the server process it started.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot, serverMain } from '../helpers/lsp.js';

export const e2eDir = path.join(repoRoot, 'test/e2e');

/**
 * A prerequisite is missing: skip with a visible message, or fail under CI=true.
 */
export function requireOrSkip(ctx: { skip: (note?: string) => never }, missing: string[]): void {
  if (!missing.length) return;
  const message = `missing ${missing.join(', ')} (apt-get install neovim emacs-nox elpa-eglot; .ci/run installs them)`;
  if (process.env.CI === 'true') throw new Error(`prerequisite missing under CI: ${message}`);
  process.stderr.write(`\n[SKIPPED] ${message}\n`);
  ctx.skip(message);
}

/** Names of the commands not found on PATH, and a failed build. */
export function missingTools(...commands: string[]): string[] {
  const missing = commands.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
  if (!fs.existsSync(serverMain)) missing.push(`${serverMain} (npm run build)`);
  return missing;
}

/**
 * The code of the fenced block that follows `<!-- e2e:ID -->` in README.md.
 * The tests run these blocks, so the README shows what was tested.
 */
export function readmeBlock(id: string): string {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- e2e:${id} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
  if (!m) throw new Error(`README.md has no block marked <!-- e2e:${id} -->`);
  return m[1]!;
}

export interface Sandbox {
  root: string;
  /** The editor's working directory: a copy of test/e2e/workspace. */
  workspace: string;
  /** Where the server writes its log (CST_LOG_FILE). */
  serverLog: string;
  /** Environment for the editor (and the server it starts). */
  env: Record<string, string>;
  /** Write a file into the sandbox; returns its path. */
  file: (name: string, content: string) => string;
  cleanup: () => void;
}

export function sandbox(tag: string): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `cst-e2e-${tag}-`));
  const workspace = path.join(root, 'ws');
  fs.cpSync(path.join(e2eDir, 'workspace'), workspace, { recursive: true });
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(serverMain, path.join(bin, 'cst-server'));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const serverLog = path.join(root, 'server.log');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CST_') && !k.startsWith('XDG_')) env[k] = v;
  Object.assign(env, {
    // `cst-server` from the README's snippets, and the node that runs the tests for its #! line.
    PATH: [bin, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    CST_CACHE_DIR: path.join(root, 'cst-cache'),
    CST_LOG_FILE: serverLog,
    CST_LOG_LEVEL: 'info',
  });
  return {
    root,
    workspace,
    serverLog,
    env,
    file: (name, content) => {
      const p = path.join(root, name);
      fs.writeFileSync(p, content);
      return p;
    },
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

export interface EditorRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
}

/** Run an editor in its own process group to the end; on timeout the whole group is killed. */
export function runEditor(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<EditorRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    proc.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output });
    });
  });
}

/** Read the driver's JSON results, with the editor's output when they are missing or report an error. */
export function readResults<T>(file: string, run: EditorRun): T & { steps: string[]; error?: string } {
  const context = `\n--- editor output (tail) ---\n${run.output.slice(-4000)}`;
  if (!fs.existsSync(file)) throw new Error(`the editor wrote no results (exit ${run.code}, signal ${run.signal}, timed out: ${run.timedOut})${context}`);
  const results = JSON.parse(fs.readFileSync(file, 'utf8')) as T & { steps: string[]; error?: string };
  if (results.error || run.timedOut || run.code !== 0) {
    throw new Error(`editor run failed after steps ${JSON.stringify(results.steps)}: ${results.error ?? ''} (exit ${run.code}, timed out: ${run.timedOut})${context}`);
  }
  return results;
}

/** True once the process is gone (or a zombie nobody has reaped yet: it has exited). */
export function exited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** After a failed run: kill the server the driver recorded (results.pid), if it is still there. */
export function killLeftoverServer(resultsFile: string): void {
  try {
    const { pid } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { pid?: number };
    if (pid && !exited(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // no results, or the process is gone
  }
}

export async function waitExited(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return exited(pid);
}

/** The server log's lines (pino JSON) written by one process. */
export function serverLogLines(file: string, pid: number): { level: number; msg: string; [k: string]: unknown }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; pid: number })
    .filter((l) => l.pid === pid);
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(e2eDir, name), 'utf8');
}
