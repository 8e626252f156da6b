import { PrunerInputError, shown } from "./curve.ts";
import { CONTINUE, pruneBecause, type EpochStats, type PruneDecision, type Pruner, type PrunerTrial } from "./types.ts";

export const STUCK_METRICS = ["dAcc", "dLoss", "gLoss"] as const;
export type StuckMetric = (typeof STUCK_METRICS)[number];

export interface StuckOptions {
  metric: StuckMetric;
  /** The metric's epoch means may differ from one constant by at most this much. */
  tolerance: number;
  /** How many consecutive epochs, the latest included, must sit at that constant. */
  epochs: number;
  /**
   * Largest within-epoch standard deviation of the metric that still counts as no spread; one epoch of
   * the window must be that quiet. A stuck discriminator flickers: a batch now and then answers
   * otherwise, which lifts an epoch's std to 0.003-0.013 without moving its mean (docs/sweeps.md, stuck).
   */
  maxSpread: number;
  /** Prune when an epoch's gLossMax exceeds its gLossMean by more than this; null turns the check off. */
  gLossSpike: number | null;
}

const COLUMNS: Record<StuckMetric, { mean: keyof EpochStats; std: keyof EpochStats }> = {
  dAcc: { mean: "dAccMean", std: "dAccStd" },
  dLoss: { mean: "dLossMean", std: "dLossStd" },
  gLoss: { mean: "gLossMean", std: "gLossStd" },
};

/**
 * A GAN that stopped learning: its metric has sat at one value, with no spread across the batches of
 * each epoch, for `epochs` epochs (the seed's `reference` variant: d_acc 0.500, std 0, from epoch 2),
 * or its generator loss spiked. Judges the trial alone, from its raw epoch figures.
 */
export class StuckPruner implements Pruner {
  constructor(private readonly options: StuckOptions) {}

  prune(trial: PrunerTrial): PruneDecision {
    if (trial.stats === undefined || trial.stats.length === 0) {
      throw new PrunerInputError(`stuck judges a trial by its epoch stats; trial ${trial.id} has none`);
    }
    const stats = [...trial.stats].sort((a, b) => a.epoch - b.epoch);
    const spike = this.spikeReason(stats[stats.length - 1]);
    if (spike) return pruneBecause(spike);
    const plateau = this.plateauReason(stats);
    return plateau ? pruneBecause(plateau) : CONTINUE;
  }

  private spikeReason(latest: EpochStats): string | undefined {
    const { gLossSpike } = this.options;
    const spike = latest.gLossMax - latest.gLossMean;
    if (gLossSpike === null || !(spike > gLossSpike)) return undefined;
    return (
      `stuck: gLoss spiked to ${shown(latest.gLossMax)} at epoch ${latest.epoch}, ${shown(spike)} above the epoch's ` +
      `mean ${shown(latest.gLossMean)} (gLossSpike ${shown(gLossSpike)})`
    );
  }

  private plateauReason(stats: EpochStats[]): string | undefined {
    const { metric, tolerance, epochs, maxSpread } = this.options;
    const window = stats.slice(-epochs);
    const latest = window[window.length - 1].epoch;
    if (window.length < epochs || window[0].epoch !== latest - epochs + 1) return undefined;
    const means = window.map((row) => row[COLUMNS[metric].mean]);
    const spreads = window.map((row) => row[COLUMNS[metric].std]);
    const low = Math.min(...means);
    const high = Math.max(...means);
    const quietestSpread = Math.min(...spreads);
    if (!(high - low <= 2 * tolerance) || !(quietestSpread <= maxSpread)) return undefined;
    return (
      `stuck: ${metric} stayed within ${shown(tolerance)} of ${shown((low + high) / 2)} for ${epochs} epochs ` +
      `(${window[0].epoch}-${latest}: ${means.map(shown).join(", ")}), the quietest with within-epoch std ${shown(quietestSpread)} (maxSpread ${shown(maxSpread)})`
    );
  }
}
