import type { NewRun, Run, Sweep } from "../db/index.ts";
import { objectiveSchema, type StoredSweepConfig } from "../results/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";
import type { PlannedRun } from "../sweep/index.ts";

/** A run's params column: validated by the sweep schema before it was stored, so trusted here. */
export function storedParams(run: Pick<Run, "params">): TrainingConfig {
  return run.params as unknown as TrainingConfig;
}

/**
 * A sweep's config column, validated by the sweep schema before it was stored. Sweeps stored before
 * configs had an objective get the default one, as if submitted today without one.
 */
export function storedConfig(sweep: Pick<Sweep, "config">): StoredSweepConfig {
  const config = sweep.config as unknown as StoredSweepConfig;
  const { objective } = sweep.config as { objective?: unknown };
  return { ...config, objective: objectiveSchema.parse(objective ?? {}) };
}

/** A planned run as stored: the columns the lists filter and sort by, besides the whole config. */
export function newRun(run: PlannedRun): NewRun {
  const { params } = run;
  return { index: run.index, configKey: run.configKey, repeat: run.repeat, params, batchSize: params.batchSize, lr: params.lr, seed: params.seed, variant: params.variant };
}
