// Small helpers shared by benchmark modules: distributions, formatting and
// a description of the machine. No dependencies beyond node.
import * as os from 'node:os';

export interface Distribution {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
}

/** Nearest-rank percentile (p in 0..100) of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function distribution(samples: readonly number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? NaN, min: s[0] ?? NaN };
}

export function median(samples: readonly number[]): number {
  return distribution(samples).p50;
}

/** Milliseconds with a precision that suits the magnitude: 0.123, 4.56, 78.9, 1234. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v < 1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

export function ratio(v: number): string {
  return Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}×` : '—';
}

export function int(v: number): string {
  return v.toLocaleString('en-US');
}

/** A markdown table; cells are written as given (escape `|` yourself). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** CPU model, core count, memory, OS, node version and load average: the context a figure needs. */
export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown cpu';
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${model}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, load average ${load}`;
}

/** Let pending I/O and timers run (between phases of a benchmark). */
export function settle(msDelay = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, msDelay));
}
