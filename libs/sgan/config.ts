import { z } from "zod";

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
    dataset: z.string().min(1).default("mnist"),
    limit: z.number().int().min(16).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;

/** Thrown for settings a person has to change; the message names each field, its value and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid training config:\n  - ${issues.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export function formatZodIssues(error: z.ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join(".") || "(root)";
    const value = valueAt(input, issue.path);
    const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
    return `${path}: ${issue.message}${shown}`;
  });
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

export function parseTrainingConfig(input: unknown): TrainingConfig {
  const result = trainingConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(formatZodIssues(result.error, input));
  return result.data;
}
