// Regular expressions written outside the server run inside it: the #match?
// predicates of a $/cstQuery (or `cst-cli query`), and the section globs of a
// workspace's .editorconfig (the editorconfig package turns them into
// RegExps). V8 runs them by backtracking, where one bad pattern can spend
// minutes on a short string: measured on Node 20, /^(a+)+$/ on 28 a's and a b
// took 25 s; the server's event loop, and so every keystroke, waits that long.
//
// Importing this module (main.ts imports it first; the CLI through
// cstQuery.ts) sets two V8 flags for the whole process, workers included:
//   - a pattern that backtracks too much continues in V8's linear-time engine
//     (the same 25 s became 10 ms);
//   - the `l` flag, so that a pattern can be asked up front whether that
//     engine can run it (runsInLinearTime). It cannot run backreferences,
//     lookaround or very large counted repetitions; those keep backtracking,
//     and a query that uses one is refused (features/cstQuery.ts). Tree-sitter's
//     own regex engine (Rust's regex crate) has none of them either, so no
//     query written for tree-sitter is refused for this.
// Flags set after start-up apply to patterns compiled from then on.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--enable-experimental-regexp-engine');

/**
 * Whether `source` (a pattern valid for `new RegExp(source)`) runs in linear
 * time: it compiles for V8's linear-time engine, so excessive backtracking
 * falls back to it. False for a pattern JavaScript rejects altogether.
 */
export function runsInLinearTime(source: string): boolean {
  try {
    new RegExp(source, 'l');
    return true;
  } catch {
    return false;
  }
}
