// A run's trained networks as files (libs/sgan/network-files.ts), from its checkpoint. PostgreSQL keeps
// one checkpoint per run, its latest: the best epoch can be exported when it is the last one.
import { z } from "zod";
import { getRun, loadCheckpoint } from "../db/index.ts";
import { decodeCheckpoint } from "../sgan/checkpoint.ts";
import { MidEpochCheckpointError, MODEL_FILE, NETWORKS, networkFiles, WEIGHTS_FILE, type NetworkFiles } from "../sgan/network-files.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { StateConflictError } from "./state-conflict.ts";

export const MODEL_EPOCHS = ["last", "best"] as const;

export const modelFileParams = z.object({
  epoch: z.enum(MODEL_EPOCHS).describe("last: the run's latest checkpoint; best: its best test-accuracy epoch, when that is the one checkpointed"),
  network: z.enum(NETWORKS).describe("the discriminator (the classifier) or the generator"),
  file: z.enum([MODEL_FILE, WEIGHTS_FILE]).describe("model.json (tfjs weights manifest and the training config) or the weights it names"),
});

export interface ModelFile {
  contentType: string;
  body: Buffer;
}

/** One file of a run's network; null: no such run. Bad path parts: InvalidInputError; no weights to give: StateConflictError. */
export async function runModelFile(ctx: Pick<ServiceContext, "db">, runId: string, path: Record<string, unknown>): Promise<ModelFile | null> {
  const { epoch, network, file } = parseInput(modelFileParams, path, "model path");
  const run = await getRun(ctx.db, runId);
  if (!run) return null;
  const files = await networkOf(ctx, run.id, network, epoch === "best" ? bestEpochOf(run.summary) : null);
  return file === MODEL_FILE
    ? { contentType: "application/json", body: Buffer.from(`${JSON.stringify(files.modelJson, null, 2)}\n`) }
    : { contentType: "application/octet-stream", body: files.weights };
}

async function networkOf(ctx: Pick<ServiceContext, "db">, runId: string, network: (typeof NETWORKS)[number], bestEpoch: number | null): Promise<NetworkFiles> {
  const checkpoint = await loadCheckpoint(ctx.db, runId);
  if (!checkpoint) throw new StateConflictError(`run ${runId} has no checkpoint yet: it has not finished an epoch`);
  const contents = decodeCheckpoint(checkpoint);
  if (bestEpoch !== null && bestEpoch !== contents.epochsDone) {
    throw new StateConflictError(
      `run ${runId}'s best epoch is ${bestEpoch}, but only its latest checkpoint (epoch ${contents.epochsDone}) is kept: export epoch last, or train with the best epoch last`,
    );
  }
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
