// Optional audit log (CST_AUDIT_LOG=path): one JSON line per file read from
// disk and per cache-store write or delete, with time, action, resource and
// result. Off unless the variable is set; then every call is one synchronous
// append (O_APPEND, one write per line), so nothing is lost when the process
// exits abruptly and worker threads may append to the same file.
//
// Actions:
//   read          the content of a file was read (workspace files, ignore files,
//                 .editorconfig, grammar files, cache segments)
//   list          a directory was listed (the workspace walk)
//   denied        a read was refused because the path is outside the workspace
//                 folders and the cache directory (or reaches outside through a symlink)
//   store-write   a record was appended to a cache segment (resource: segment#key)
//   store-delete  a tombstone was appended (resource: segment#key)
//   store-remove  a segment file was removed (disk bound, maintenance)
// Results: "ok", or an error code / reason (ENOENT, binary, not-utf8, ...).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { makeDirs } from '../makeDirs.js';

export type AuditAction = 'read' | 'list' | 'denied' | 'store-write' | 'store-delete' | 'store-remove';

let fd: number | undefined;
let state: 'unset' | 'on' | 'off' = 'unset';
let target: string | undefined;

function open(): boolean {
  if (state === 'on') return true;
  if (state === 'off') return false;
  const file = process.env.CST_AUDIT_LOG;
  if (!file) {
    state = 'off';
    return false;
  }
  try {
    target = path.resolve(file);
    makeDirs(path.dirname(target));
    fd = fs.openSync(target, 'a', 0o600);
    state = 'on';
    return true;
  } catch (err) {
    state = 'off';
    // The logger may not exist yet (worker threads, CLI): stderr is never the protocol stream.
    process.stderr.write(`cst: cannot open the audit log ${file}: ${(err as Error).message}; auditing is off\n`);
    return false;
  }
}

/** Whether auditing is on (CST_AUDIT_LOG set and the file opened). */
export function auditEnabled(): boolean {
  return open();
}

/** The audit log's absolute path, when on. */
export function auditPath(): string | undefined {
  return open() ? target : undefined;
}

/** Append one line. Never throws: an audit failure must not break the operation it describes. */
export function audit(action: AuditAction, resource: string, result: string, extra?: Record<string, unknown>): void {
  if (state === 'off' || !open()) return;
  const line = JSON.stringify({ time: new Date().toISOString(), action, resource, result, pid: process.pid, ...(threadId ? { thread: threadId } : {}), ...extra }) + '\n';
  try {
    fs.writeSync(fd!, line);
  } catch {
    // disk full or closed: the operation goes on
  }
}

/** Flush to disk and close (shutdown). Later calls reopen lazily. */
export function closeAudit(): void {
  if (fd === undefined) return;
  try {
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // already closed
  }
  fd = undefined;
  state = 'unset';
}

/** The error code of a failed fs call, for the result field. */
export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'error';
}
