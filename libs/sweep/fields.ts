import type { z } from "zod";
import { trainingConfigSchema, type TrainingConfig } from "../sgan/config.ts";

/** The seed's hyperparameters: every configuration key includes them. */
const SEED_FIELDS = ["batchSize", "lr", "b1", "b2", "latentDim", "variant", "spectralNorm", "labeled"] as const;

/**
 * The recipe's techniques (docs/sweeps.md "Recipe fields"). A configuration key leaves out those at
 * their default, so the keys of sweeps stored before they existed, and of configurations that do not
 * use them, stay what they were.
 */
export const RECIPE_FIELDS = [
  "architecture", "classHead", "generatorLoss", "lrSchedule", "lrDecay", "lrStepEpochs", "lrMinFactor", "warmupEpochs",
  "lrD", "lrG", "b1D", "b1G", "dStepsPerG", "labelSmoothing", "instanceNoise", "evalEma",
] as const;

/** Training fields a sweep may vary from run to run. */
export const SWEEPABLE_FIELDS = [...SEED_FIELDS, ...RECIPE_FIELDS] as const;

/** Training fields a sweep sets once for all its runs, so that its runs stay comparable. */
export const PER_SWEEP_FIELDS = ["epochs", "dataset", "imgSize", "limit"] as const;

export type SweepableField = (typeof SWEEPABLE_FIELDS)[number];
export type PerSweepField = (typeof PER_SWEEP_FIELDS)[number];

/** One point of the search space: the sweepable values of a run. */
export type Configuration = Pick<TrainingConfig, SweepableField>;

export function isSweepable(key: string): key is SweepableField {
  return (SWEEPABLE_FIELDS as readonly string[]).includes(key);
}

export function isPerSweep(key: string): key is PerSweepField {
  return (PER_SWEEP_FIELDS as readonly string[]).includes(key);
}

/** The training schema's rule for one field, so that sweeps check values against the same limits as runs. */
export function fieldSchema(field: SweepableField): z.ZodType {
  return trainingConfigSchema.shape[field];
}

/** A run's sweepable values; the per-network learning rates and betas only where they are set. */
export function configurationOf(params: TrainingConfig): Configuration {
  return Object.fromEntries(SWEEPABLE_FIELDS.filter((field) => params[field] !== undefined).map((field) => [field, params[field]])) as Configuration;
}

const RECIPE_DEFAULTS: Partial<Configuration> = trainingConfigSchema.pick(Object.fromEntries(RECIPE_FIELDS.map((field) => [field, true])) as Record<(typeof RECIPE_FIELDS)[number], true>).parse({});

/** The values that tell this configuration apart: the seed's fields and the recipe fields off their default. */
export function keyedValues(configuration: Configuration): Partial<Configuration> {
  return Object.fromEntries(
    Object.entries(configuration).filter(([field, value]) => value !== undefined && !(field in RECIPE_DEFAULTS && RECIPE_DEFAULTS[field as keyof Configuration] === value)),
  );
}
