// A sweep's objective: the figure its runs are judged by. The ranking scores with it, the samplers
// and pruners optimise it (docs/sweeps.md, Objective).
import { z } from "zod";
import type { EpochPoint } from "./run-summary.ts";

export const RANK_METRICS = ["testAccuracy", "dAcc", "dLoss", "gLoss"] as const;
export const RANK_SCOPES = ["last", "lastK", "max"] as const;
export const OBJECTIVE_DIRECTIONS = ["maximize", "minimize"] as const;

export type RankMetric = (typeof RANK_METRICS)[number];
export type RankScope = (typeof RANK_SCOPES)[number];
export type ObjectiveDirection = (typeof OBJECTIVE_DIRECTIONS)[number];

/** The epoch window (lastK, and the std the penalty weighs) and the penalty per std, as both the config and a query bound them. */
export const windowSchema = z.number().int().min(1).max(1000);
export const penaltySchema = z.number().min(0).max(1000);

export interface Objective {
  metric: RankMetric;
  scope: RankScope;
  k: number;
  penalty: number;
  direction: ObjectiveDirection;
}

/**
 * Losses are better lower; accuracies higher. That includes d_acc, as the ranking has always read it,
 * though a discriminator that wins every batch is no goal: a sweep ranking by dAcc says its direction.
 */
export function defaultDirection(metric: RankMetric): ObjectiveDirection {
  return metric === "dLoss" || metric === "gLoss" ? "minimize" : "maximize";
}

/** The sweep config's `objective`; every key has a default, so a sweep stored before objectives existed reads as `{}`. */
export const objectiveSchema = z
  .strictObject({
    metric: z.enum(RANK_METRICS).default("testAccuracy"),
    scope: z.enum(RANK_SCOPES).default("last"),
    k: windowSchema.default(5),
    penalty: penaltySchema.default(0),
    direction: z.enum(OBJECTIVE_DIRECTIONS).optional(),
  })
  .transform((objective): Objective => ({ ...objective, direction: objective.direction ?? defaultDirection(objective.metric) }));

export const OBJECTIVE_KEYS = ["metric", "scope", "k", "penalty", "direction"] as const satisfies ReadonlyArray<keyof Objective>;

export const DEFAULT_OBJECTIVE: Objective = objectiveSchema.parse({});

/** Each metric's value in one epoch row: the per-epoch series the ranking scores and the pruners compare. */
export const EPOCH_METRIC: Record<RankMetric, (point: EpochPoint) => number> = {
  testAccuracy: (point) => point.testAccuracy,
  dAcc: (point) => point.dAccMean,
  dLoss: (point) => point.dLossMean,
  gLoss: (point) => point.gLossMean,
};

/** +1 where higher is better, -1 where lower is. */
export function directionSign(direction: ObjectiveDirection): 1 | -1 {
  return direction === "maximize" ? 1 : -1;
}
