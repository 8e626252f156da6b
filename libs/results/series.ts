import { summarize } from "../sgan/summary.ts";

/** Database rows come in any order; every figure is defined over epochs in ascending order. */
export function inEpochOrder<T extends { epoch: number }>(points: readonly T[]): T[] {
  return [...points].sort((a, b) => a.epoch - b.epoch);
}

/** Mean and population std of the last min(k, n) values; n must be at least 1. */
export function lastKStats(values: readonly number[], k: number): { mean: number; std: number } {
  const { mean, std } = summarize(values.slice(-k));
  return { mean, std };
}

export function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : summarize(values).mean;
}

export function stdOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : summarize(values).std;
}

export function assertWindow(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of epochs >= 1, got ${k}`);
}
