import { z } from "zod";
// The rule alone, not libs/data/index.ts: this schema is read by browser code too (apps/dashboard types).
import { datasetNameProblem } from "../data/dataset-name.ts";
import { inputIssues, InvalidInputError, type InputIssue } from "../validation/index.ts";

/**
 * One training run's settings: the single source of truth for what a run may be configured with.
 * Defaults follow the seed (PyTorch-GAN sgan.py) except `variant`, which defaults to the fixed model.
 */
export const trainingConfigSchema = z
  .object({
    batchSize: z.number().int().min(2).max(4096).default(64),
    lr: z.number().positive().max(1).default(2e-4),
    b1: z.number().min(0).lt(1).default(0.5),
    b2: z.number().min(0).lt(1).default(0.999),
    latentDim: z.number().int().min(1).max(1024).default(100),
    variant: z.enum(["improved", "reference"]).default("improved"),
    spectralNorm: z.boolean().default(false),
    labeled: z.union([z.literal("all"), z.number().int().min(10)]).default("all"),
    epochs: z.number().int().min(1).max(1000).default(5),
    imgSize: z.union([z.literal(28), z.literal(32)]).default(32),
    // mnist or a folder under the data root; the single-run trainer also takes an IDX directory's path here.
    dataset: z.string().min(1).max(4096).default("mnist"),
    limit: z.number().int().min(16).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();

/**
 * The dataset of a sweep (it arrives over the API): `mnist` or a folder name under the data root,
 * never a path on the worker's host.
 */
export const datasetNameSchema = trainingConfigSchema.shape.dataset.superRefine((name, ctx) => {
  const problem = datasetNameProblem(name);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/** Thrown for settings a person has to change; each issue names the field, its value and what is allowed. */
export class ConfigError extends InvalidInputError {
  constructor(issues: InputIssue[]) {
    super("training config", issues);
    this.name = "ConfigError";
  }
}

export function parseTrainingConfig(input: unknown): TrainingConfig {
  const result = trainingConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(inputIssues(result.error, input));
  return result.data;
}
