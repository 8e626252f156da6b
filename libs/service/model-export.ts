// A run's trained networks as files (libs/sgan/network-files.ts), from its checkpoints. PostgreSQL keeps
// two per run: its latest, and the one taken at the end of its best test-accuracy epoch (kept once
// that epoch ended as the best so far), so the last and the best epoch can be exported.
import { z } from "zod";
import { getRun, loadBestCheckpoint, loadCheckpoint } from "../db/index.ts";
import { decodeCheckpoint, type CheckpointContents } from "../sgan/checkpoint.ts";
import { MidEpochCheckpointError, MODEL_FILE, NETWORKS, networkFiles, WEIGHTS_FILE, type NetworkFiles } from "../sgan/network-files.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { StateConflictError } from "./state-conflict.ts";

export const MODEL_EPOCHS = ["last", "best"] as const;

export const modelFileParams = z.object({
  epoch: z
    .string()
    .regex(new RegExp(`^(${MODEL_EPOCHS.join("|")}|[1-9][0-9]*)$`), "epoch is last, best or an epoch number (1, 2, ...)")
    .describe("last: the run's latest epoch; best: its best test-accuracy epoch (the summary's bestEpoch); N: epoch N, when it is the last or the best"),
  network: z.enum(NETWORKS).describe("the discriminator (the classifier) or the generator"),
  file: z.enum([MODEL_FILE, WEIGHTS_FILE]).describe("model.json (tfjs weights manifest and the training config) or the weights it names"),
});

export interface ModelFile {
  contentType: string;
  body: Buffer;
  /** The epoch the weights were trained for: the one served, whichever way it was asked. */
  epoch: number;
}

type RunWithSummary = { id: string; summary: unknown };

/** One file of a run's network; null: no such run. Bad path parts: InvalidInputError; no weights to give: StateConflictError. */
export async function runModelFile(ctx: Pick<ServiceContext, "db">, runId: string, path: Record<string, unknown>): Promise<ModelFile | null> {
  const { epoch, network, file } = parseInput(modelFileParams, path, "model path");
  const run = await getRun(ctx.db, runId);
  if (!run) return null;
  const files = networkOf(run.id, await checkpointOf(ctx, run, epoch), network);
  const served = files.modelJson.userDefinedMetadata.epoch;
  return file === MODEL_FILE
    ? { contentType: "application/json", body: Buffer.from(`${JSON.stringify(files.modelJson, null, 2)}\n`), epoch: served }
    : { contentType: "application/octet-stream", body: files.weights, epoch: served };
}

/** The checkpoint that holds the asked epoch: the latest one, or the best epoch's when that is the one asked. */
async function checkpointOf(ctx: Pick<ServiceContext, "db">, run: RunWithSummary, asked: string): Promise<CheckpointContents> {
  const stored = await loadCheckpoint(ctx.db, run.id);
  if (!stored) throw new StateConflictError(`run ${run.id} has no checkpoint yet: it has not finished an epoch`);
  const latest = decodeCheckpoint(stored);
  if (asked === "last") return latest;
  const wanted = asked === "best" ? bestEpochOf(run.summary) : Number(asked);
  if (latest.epochsDone === wanted && latest.partialEpoch === null) return latest;
  const best = await loadBestCheckpoint(ctx.db, run.id);
  if (best?.epoch === wanted) return decodeCheckpoint(best.data);
  throw new StateConflictError(`run ${run.id} has no weights of ${asked === "best" ? `its best epoch, ${wanted}` : `epoch ${wanted}`}: ${keptEpochs(latest, best?.epoch)}`);
}

/** What can be exported instead, for a 409. */
function keptEpochs(latest: CheckpointContents, bestEpoch: number | undefined): string {
  const kept = [
    ...(latest.partialEpoch === null ? [`${latest.epochsDone} (last)`] : []),
    ...(bestEpoch !== undefined && (bestEpoch !== latest.epochsDone || latest.partialEpoch !== null) ? [`${bestEpoch} (best when checkpointed)`] : []),
  ];
  if (kept.length === 0) return "its only checkpoint was taken inside an epoch; export it once that epoch is done";
  // A run checkpointed before best checkpoints were kept has only its last.
  return `the weights kept are those of epoch ${kept.join(" and ")}`;
}

function networkOf(runId: string, contents: CheckpointContents, network: (typeof NETWORKS)[number]): NetworkFiles {
  try {
    return networkFiles(contents, network);
  } catch (error) {
    if (error instanceof MidEpochCheckpointError) throw new StateConflictError(`run ${runId}: ${error.message}`);
    throw error;
  }
}

function bestEpochOf(summary: unknown): number {
  const best = (summary as { bestEpoch?: unknown } | null)?.bestEpoch;
  if (typeof best !== "number") throw new StateConflictError("the run has no best epoch yet: it has no epoch with a test accuracy");
  return best;
}
