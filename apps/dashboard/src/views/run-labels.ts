// How a run is named and described in tooltips, tables and progress cells.
import { paramValue, shortId } from "../format.ts";
import type { RunProgressSnapshot, RunRow } from "../../../../libs/results/contract.ts";

export function runLabel(run: Pick<RunRow, "id" | "index" | "status">): string {
  return `run #${run.index} (${shortId(run.id)}), ${run.status}`;
}

/** Tooltip lines: the hyperparameters (the ones that vary, when given), repeat and seed. */
export function runDetails(run: Pick<RunRow, "hyperparameters" | "repeat" | "seed">, keys: readonly string[]): string[] {
  const shown = keys.length > 0 ? keys : Object.keys(run.hyperparameters);
  const hyper = run.hyperparameters as unknown as Record<string, unknown>;
  return [...shown.map((key) => `${key} = ${paramValue(key, hyper[key])}`), `repeat ${run.repeat}, seed ${run.seed}`];
}

/** Epochs of training done as a fraction, from live progress when there is some (epochs are 1-based). */
export function runFraction(run: Pick<RunRow, "epochsDone">, epochs: number, progress: RunProgressSnapshot | undefined): number {
  if (!(epochs > 0)) return 0;
  if (progress && progress.batches > 0) return Math.min(1, (progress.epoch - 1 + progress.batch / progress.batches) / epochs);
  return Math.min(1, run.epochsDone / epochs);
}

export function progressText(run: Pick<RunRow, "epochsDone" | "status">, epochs: number, progress: RunProgressSnapshot | undefined): string {
  if (progress && run.status === "running") return `epoch ${progress.epoch}/${progress.epochs ?? epochs} · batch ${progress.batch}/${progress.batches}`;
  return `${run.epochsDone}/${epochs} epochs`;
}
