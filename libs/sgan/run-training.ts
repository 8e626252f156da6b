import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DataSplit } from "../data/index.ts";
import type { Logger } from "../log/index.ts";
import { CheckpointError, decodeCheckpoint } from "./checkpoint.ts";
import type { TrainingConfig } from "./config.ts";
import { SganTrainer, type EpochHooks, type EpochMetrics } from "./trainer.ts";

/** Where a run's latest checkpoint lives; one store per run. */
export interface CheckpointStore {
  load(): Promise<Buffer | null>;
  /** epochEnd: taken right after epoch epochsDone was recorded (onEpoch), not inside the next one. */
  save(checkpoint: Buffer, epochsDone: number, epochEnd: boolean): Promise<void>;
}

/**
 * What the caller wants once an epoch is recorded: train on (nothing), stop after it ("stop"), or
 * stop without checkpointing because onEpoch replaced the store's checkpoint ("replaced": PBT copied
 * another run's into it, which a save would overwrite); the caller trains on from the store.
 */
export type AfterEpoch = void | "stop" | "replaced";

/**
 * The training fields a checkpoint's config may differ in from the run's config when the run
 * continues from it with perturbed values (population-based training): each is read per optimiser
 * step or per batch and none shapes a tensor the checkpoint holds, so the networks, their state and
 * Adam's moments stay valid (libs/sweep's FROZEN_MID_RUN gives the reasons for every other field).
 */
export const MID_RUN_CHANGEABLE = ["lr", "lrD", "lrG", "b1", "b2", "b1D", "b1G", "labelSmoothing", "instanceNoise", "dStepsPerG", "generatorLoss"] as const satisfies readonly (keyof TrainingConfig)[];

export interface TrainingRunHooks extends EpochHooks {
  checkpoints?: CheckpointStore;
  onEpoch?: (metrics: EpochMetrics, samplePng: Buffer) => Promise<AfterEpoch> | AfterEpoch;
  log?: Logger;
  /**
   * The stored checkpoint may have been trained with other values of MID_RUN_CHANGEABLE (PBT: a copy
   * of another run's, or the run's own from before an exploit); the run continues with config's.
   */
  midRunChanges?: boolean;
}

export type TrainingOutcome =
  | { status: "completed"; epochsDone: number }
  | { status: "stopped"; epochsDone: number }
  /** onEpoch replaced the store's checkpoint after epoch epochsDone; nothing was saved over it. */
  | { status: "replaced"; epochsDone: number }
  | { status: "diverged"; epochsDone: number; divergedAt: { epoch: number; batch: number; reason: string } };

/**
 * Trains a run to its configured number of epochs, resuming from the store's checkpoint when there
 * is one and checkpointing after every epoch (a crash costs at most the epoch in progress) and when
 * stopped by the signal (between batches: nothing is lost) or by onEpoch (after that epoch).
 */
export async function runTraining(config: TrainingConfig, data: DataSplit, hooks: TrainingRunHooks = {}): Promise<TrainingOutcome> {
  const saved = await hooks.checkpoints?.load();
  if (saved) assertResumable(decodeCheckpoint(saved).config, config, hooks.midRunChanges ? MID_RUN_CHANGEABLE : []);
  const trainer = saved ? SganTrainer.restore(saved, data, config) : SganTrainer.create(config, data);
  if (saved) hooks.log?.info({ epochsDone: trainer.epochsDone }, "resuming from checkpoint");
  try {
    while (trainer.epochsDone < config.epochs) {
      const outcome = await trainer.trainEpoch(hooks);
      if (outcome.kind === "diverged") {
        hooks.log?.warn({ epoch: outcome.epoch, batch: outcome.batch, reason: outcome.reason }, "run diverged");
        return { status: "diverged", epochsDone: trainer.epochsDone, divergedAt: outcome };
      }
      if (outcome.kind === "stopped") {
        await hooks.checkpoints?.save(await trainer.checkpoint(), trainer.epochsDone, false);
        return { status: "stopped", epochsDone: trainer.epochsDone };
      }
      const after = hooks.onEpoch ? await hooks.onEpoch(outcome.metrics, await trainer.sampleGrid()) : undefined;
      if (after === "replaced") return { status: "replaced", epochsDone: trainer.epochsDone };
      await hooks.checkpoints?.save(await trainer.checkpoint(), trainer.epochsDone, true);
      if (after === "stop" && trainer.epochsDone < config.epochs) return { status: "stopped", epochsDone: trainer.epochsDone };
    }
    return { status: "completed", epochsDone: trainer.epochsDone };
  } finally {
    trainer.dispose();
  }
}

/**
 * A resumed run may be given more epochs, and under PBT other values of the `changeable` fields;
 * anything else changed would silently mix two experiments. Compared field by field in sorted order: a
 * config read back from PostgreSQL (jsonb reorders keys) is the same config.
 */
function assertResumable(stored: TrainingConfig, requested: TrainingConfig, changeable: readonly (keyof TrainingConfig)[]): void {
  const ignored = Object.fromEntries(["epochs", ...changeable].map((field) => [field, undefined]));
  const comparable = (config: TrainingConfig) => JSON.stringify(Object.entries({ ...config, ...ignored }).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (comparable(stored) !== comparable(requested)) {
    throw new CheckpointError(
      `the checkpoint was written for a different config (${JSON.stringify(stored)}); ` +
        "resume with the same settings or start the run in a fresh location",
    );
  }
}

/** Keeps the checkpoint as one file in a directory, replaced atomically so a crash never leaves half a file. */
export function directoryCheckpointStore(directory: string): CheckpointStore {
  const path = join(directory, "checkpoint.bin");
  return {
    async load() {
      try {
        return await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async save(checkpoint) {
      await mkdir(directory, { recursive: true });
      await writeFile(`${path}.tmp`, checkpoint);
      await rename(`${path}.tmp`, path);
    },
  };
}
