import type { z } from "zod";
import { trainingConfigSchema, type TrainingConfig } from "../sgan/config.ts";

/** Training fields a sweep may vary from run to run. */
export const SWEEPABLE_FIELDS = ["batchSize", "lr", "b1", "b2", "latentDim", "variant", "spectralNorm", "labeled"] as const;

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

export function configurationOf(params: TrainingConfig): Configuration {
  return Object.fromEntries(SWEEPABLE_FIELDS.map((field) => [field, params[field]])) as Configuration;
}
