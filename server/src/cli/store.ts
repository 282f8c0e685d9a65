// Cache-directory commands (stats, verify, clear, cleanup, defrag) come with
// the tiered cache. Each entry: { usage, run(argv) }.
export const commands: Record<string, { usage: string; run: (argv: string[]) => Promise<number> }> = {};
