// Small statistics helpers. Percentiles use the nearest-rank method: p99 of 50 samples is the
// largest one, which is what a user at the tail would have seen.

export interface Spread {
  min: number;
  max: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spreadOf(values: readonly number[]): Spread {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Rounds for JSON: two decimals, more below 1 (store reads take well under a microsecond). */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const digits = Math.abs(value) < 0.01 ? 6 : Math.abs(value) < 1 ? 4 : 2;
  return Number(value.toFixed(digits));
}

export function roundSpread(spread: Spread): Spread {
  return { min: round(spread.min), max: round(spread.max) };
}

/** Progress goes to stderr so stdout carries only the table. */
export function progress(message: string): void {
  const seconds = (performance.now() / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}
