// Tiny argument parsing shared by cst-cli commands: flags (--name, --name=value,
// --name value) and positionals. Unknown flags are an error with one clear line.
export class UsageError extends Error {}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/** `spec` maps each accepted flag to whether it takes a value. */
export function parseArgs(argv: string[], spec: Record<string, boolean>): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!(name in spec)) throw new UsageError(`unknown option --${name}`);
    if (spec[name]) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    }
  }
  return { flags, positionals };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
