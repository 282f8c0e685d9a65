// Errors that no other counter keeps (uncaught exceptions, failed audit or
// metrics work), by kind, for the metrics endpoint. Everything else
// (parse failures, store write errors, request errors) is counted where it
// happens and read from there.
const counts = new Map<string, number>();

export function countError(kind: string): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

export function errorCounts(): ReadonlyMap<string, number> {
  return counts;
}
