import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DataSplit } from "../data/index.ts";
import type { Logger } from "../log/index.ts";
import { CheckpointError, decodeCheckpoint } from "./checkpoint.ts";
import { configForEpoch, MID_RUN_CHANGEABLE, type TrainingConfig } from "./config.ts";
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
  const stored = saved ? decodeCheckpoint(saved) : null;
  // A checkpoint taken under one schedule entry may resume under the next.
  if (stored) assertResumable(stored.config, config, hooks.midRunChanges || config.schedule ? MID_RUN_CHANGEABLE : []);
  let trainer = saved && stored ? SganTrainer.restore(saved, data, configForEpoch(config, stored.epochsDone + 1)) : SganTrainer.create(configForEpoch(config, 1), data);
  if (saved) hooks.log?.info({ epochsDone: trainer.epochsDone }, "resuming from checkpoint");
  try {
    while (trainer.epochsDone < config.epochs) {
      trainer = await scheduled(trainer, data, configForEpoch(config, trainer.epochsDone + 1));
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

/** The trainer for the next epoch: the same one, or at a schedule entry one restored from its state under the entry's values. */
async function scheduled(trainer: SganTrainer, data: DataSplit, wanted: TrainingConfig): Promise<SganTrainer> {
  if (MID_RUN_CHANGEABLE.every((field) => trainer.config[field] === wanted[field])) return trainer;
  const next = SganTrainer.restore(await trainer.checkpoint(), data, wanted);
  trainer.dispose();
  return next;
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
