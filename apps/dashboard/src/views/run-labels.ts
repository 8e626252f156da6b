// How a run is named and described in tooltips, tables and progress cells.
import { shortId } from "../format.ts";
import type { ParameterFormat, RunProgressSnapshot, RunRow } from "../../../../libs/results/contract.ts";

/** "run #12 (3f2a9c1e) lr 1.031e-4 variant reference, pruned": what tells the run apart in its sweep. */
export function runLabel(run: Pick<RunRow, "id" | "index" | "status" | "hyperparameters">, format: ParameterFormat): string {
  const label = format.label(run.hyperparameters);
  return `run #${run.index} (${shortId(run.id)})${label ? ` ${label}` : ""}, ${run.status}`;
}

/** Tooltip lines: the hyperparameters (the ones that vary, all when none does), repeat and seed. */
export function runDetails(run: Pick<RunRow, "hyperparameters" | "repeat" | "seed">, format: ParameterFormat): string[] {
  return [...configurationDetails(run.hyperparameters, format), `repeat ${run.repeat}, seed ${run.seed}`];
}

/** "lr = 1.031e-4" per hyperparameter that varies (every one when none does). */
export function configurationDetails(hyperparameters: object, format: ParameterFormat): string[] {
  const shown = format.varying.length > 0 ? format.varying : Object.keys(hyperparameters);
  return shown.map((key) => `${key} = ${format.value(key, (hyperparameters as Record<string, unknown>)[key])}`);
}

/** Why a run stopped early, for tooltips and the table: "pruned at epoch 3: <reason>". */
export function prunedText(run: Pick<RunRow, "status" | "prunedReason" | "epochsDone">): string | null {
  return run.status === "pruned" ? `pruned at epoch ${run.epochsDone}${run.prunedReason ? `: ${run.prunedReason}` : ""}` : null;
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
