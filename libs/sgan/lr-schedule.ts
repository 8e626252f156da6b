import type { TrainingConfig } from "./config.ts";

export type ScheduleSettings = Pick<TrainingConfig, "lrSchedule" | "lrDecay" | "lrStepEpochs" | "lrMinFactor" | "warmupEpochs" | "epochs">;

/** Batches of linear warm-up: warmupEpochs of them, at least one when warm-up is asked for. */
export function warmupBatches(batchesPerEpoch: number, settings: ScheduleSettings): number {
  return settings.warmupEpochs > 0 ? Math.max(1, Math.round(settings.warmupEpochs * batchesPerEpoch)) : 0;
}

/**
 * The learning rate of the optimiser step taken after `step` earlier ones (the batches trained so
 * far in the run), for a network whose peak rate is `peak`. A pure function of its arguments, so a
 * resumed run continues the schedule exactly. docs/sweeps.md "Recipe fields" gives the formulas.
 */
export function scheduledLearningRate(peak: number, step: number, batchesPerEpoch: number, settings: ScheduleSettings): number {
  const warmup = warmupBatches(batchesPerEpoch, settings);
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const epochsAfterWarmup = (step - warmup) / batchesPerEpoch;
  switch (settings.lrSchedule) {
    case "constant":
      return peak;
    case "step":
      return peak * settings.lrDecay ** Math.floor(epochsAfterWarmup / settings.lrStepEpochs);
    case "exponential":
      return peak * settings.lrDecay ** epochsAfterWarmup;
    case "cosine": {
      const horizon = (settings.epochs * batchesPerEpoch - warmup) / batchesPerEpoch;
      const done = horizon > 0 ? Math.min(1, epochsAfterWarmup / horizon) : 1;
      const floor = peak * settings.lrMinFactor;
      return floor + ((peak - floor) * (1 + Math.cos(Math.PI * done))) / 2;
    }
  }
}
