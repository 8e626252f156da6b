import { z } from "zod";
import type { TpeOptions } from "./tpe-sampler.ts";

/** The most trials one sweep may ask for (its runs stay within MAX_RUNS_LIMIT through maxRuns). */
export const MAX_TRIALS = 1000;
export const DEFAULT_TRIALS = 30;
/** Trials in flight unless parallelism says otherwise (or fewer when trials are fewer): two workers' worth. */
export const DEFAULT_PARALLELISM = 2;

/** `tpe:` in a sweep config: Optuna's TPESampler defaults, except the constant liar, on by default since a study always runs trials in parallel. */
export const tpeOptionsSchema = z.strictObject({
  startupTrials: z.number().int().min(0).max(MAX_TRIALS).default(10),
  candidates: z.number().int().min(1).max(1000).default(24),
  constantLiar: z.boolean().default(true),
}) satisfies z.ZodType<TpeOptions>;

export const trialsSchema = z.number().int().min(1).max(MAX_TRIALS).optional();
export const parallelismSchema = z.number().int().min(1).max(MAX_TRIALS).optional();

/** The budget of an adaptive (tpe) sweep: configurations in all, and how many are in flight at once. */
export interface AdaptiveBudget {
  trials: number;
  parallelism: number;
  tpe: TpeOptions;
}

interface BudgetFields {
  strategy: string;
  trials?: number;
  parallelism?: number;
  tpe?: TpeOptions;
}

const ADAPTIVE_ONLY = ["trials", "parallelism", "tpe"] as const;

/** A refusal at a top-level budget field, in the shape zod's superRefine takes. */
export interface BudgetIssue {
  path: [string];
  message: string;
}

/** Budget fields belong to tpe (random takes samples, grid runs every combination), and no more trials can be in flight than there are. */
export function budgetIssues(config: BudgetFields): BudgetIssue[] {
  if (config.strategy !== "tpe") {
    return ADAPTIVE_ONLY.filter((field) => config[field] !== undefined).map((field) => ({
      path: [field],
      message: `${field} applies to strategy tpe only (random draws samples configurations, grid runs every combination): remove ${field} or set strategy: tpe`,
    }));
  }
  const trials = config.trials ?? DEFAULT_TRIALS;
  if (config.parallelism === undefined || config.parallelism <= trials) return [];
  return [
    {
      path: ["parallelism"],
      message: `${config.parallelism} trials in flight but only ${trials} trials in all: lower parallelism to at most ${trials} or raise trials`,
    },
  ];
}

/** A tpe config with its budget's defaults filled in, so that the stored config says what ran; other strategies are left as they are. */
export function withBudgetDefaults<T extends BudgetFields>(config: T): T {
  if (config.strategy !== "tpe") return config;
  const trials = config.trials ?? DEFAULT_TRIALS;
  return { ...config, trials, parallelism: config.parallelism ?? Math.min(DEFAULT_PARALLELISM, trials), tpe: config.tpe ?? tpeOptionsSchema.parse({}) };
}

/** The budget of a parsed tpe config (parseSweepConfig fills it in). */
export function adaptiveBudget(config: BudgetFields): AdaptiveBudget {
  const { trials, parallelism, tpe } = withBudgetDefaults({ ...config, strategy: "tpe" });
  return { trials: trials!, parallelism: parallelism!, tpe: tpe! };
}
