import { z } from "zod";
// The rule alone, not libs/data/index.ts: this schema is read by browser code too (apps/dashboard types).
import { datasetNameProblem } from "../data/dataset-name.ts";
import { inputIssues, InvalidInputError, type InputIssue } from "../validation/index.ts";
import { recipeConflicts } from "./recipe.ts";

/**
 * The training fields a run may change between two epochs, continuing from the same checkpoint (a PBT
 * exploit's perturbed values, or a `schedule` entry): each is read per optimiser step or per batch and
 * none shapes a tensor the checkpoint holds, so the networks, their state and Adam's moments stay
 * valid (libs/sweep's FROZEN_MID_RUN gives the reasons for every other field).
 */
export const MID_RUN_CHANGEABLE = ["lr", "lrD", "lrG", "b1", "b2", "b1D", "b1G", "labelSmoothing", "instanceNoise", "dStepsPerG", "generatorLoss"] as const;

export type MidRunField = (typeof MID_RUN_CHANGEABLE)[number];

const runFields = z
  .object({
    batchSize: z.number().int().min(2).max(4096).default(64),
    lr: z.number().positive().max(1).default(2e-4),
    b1: z.number().min(0).lt(1).default(0.5),
    b2: z.number().min(0).lt(1).default(0.999),
    latentDim: z.number().int().min(1).max(1024).default(100),
    variant: z.enum(["improved", "reference"]).default("improved"),
    spectralNorm: z.boolean().default(false),
    // The recipe: techniques the seed does not use, each off (the seed's behaviour) by default. docs/sweeps.md
    // "Recipe fields" gives each one's formula; libs/sgan/recipe.ts the combinations refused.
    architecture: z.enum(["seed", "improved-gan"]).default("seed"),
    classHead: z.enum(["seed", "fixedFakeLogit"]).default("seed"),
    generatorLoss: z.enum(["standard", "featureMatching"]).default("standard"),
    lrSchedule: z.enum(["constant", "step", "exponential", "cosine"]).default("constant"),
    /** step: the factor applied every lrStepEpochs; exponential: the factor per epoch. */
    lrDecay: z.number().gt(0).max(1).default(0.5),
    lrStepEpochs: z.number().int().min(1).max(1000).default(10),
    /** cosine: the floor, as a fraction of the peak learning rate. */
    lrMinFactor: z.number().min(0).max(1).default(0),
    warmupEpochs: z.number().min(0).max(1000).default(0),
    // The two time-scale update rule: each network's own learning rate and first beta, `lr` and `b1` when unset.
    lrD: z.number().positive().max(1).optional(),
    lrG: z.number().positive().max(1).optional(),
    b1D: z.number().min(0).lt(1).optional(),
    b1G: z.number().min(0).lt(1).optional(),
    dStepsPerG: z.number().int().min(1).max(10).default(1),
    /** One-sided: the discriminator's target for real images is 1 - labelSmoothing. */
    labelSmoothing: z.number().min(0).max(0.5).default(0),
    /** Standard deviation of Gaussian noise added to every image the discriminator sees, annealed linearly to 0 over the run. */
    instanceNoise: z.number().min(0).max(2).default(0),
    /** Decay of the weights' exponential moving average used to evaluate and sample; 0 evaluates the weights themselves. */
    evalEma: z.number().min(0).lt(1).default(0),
    labeled: z.union([z.literal("all"), z.number().int().min(10)]).default("all"),
    epochs: z.number().int().min(1).max(1000).default(5),
    imgSize: z.union([z.literal(28), z.literal(32)]).default(32),
    // mnist or a folder under the data root; the single-run trainer also takes an IDX directory's path here.
    dataset: z.string().min(1).max(4096).default("mnist"),
    limit: z.number().int().min(16).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();

/** From `epoch` on, these values: a PBT run's schedule replayed as one ordinary run (GET /api/sweeps/:id/lineage's `replay`). */
export type ScheduleEntry = { epoch: number } & Partial<Pick<z.output<typeof runFields>, MidRunField>>;

// Each field by its own rule, without its default: an entry sets only what it names.
const withoutDefault = (schema: z.ZodType): z.ZodType => (schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema);
const scheduleEntrySchema = z.strictObject({
  epoch: z.number().int().min(2).max(1000),
  ...Object.fromEntries(MID_RUN_CHANGEABLE.map((field) => [field, withoutDefault(runFields.shape[field]).optional()])),
}) as unknown as z.ZodType<ScheduleEntry>;

/**
 * One training run's settings: the single source of truth for what a run may be configured with.
 * Defaults follow the seed (PyTorch-GAN sgan.py) except `variant`, which defaults to the fixed model.
 * `schedule` (never set by a sweep) changes MID_RUN_CHANGEABLE fields from given epochs on.
 */
export const trainingConfigSchema = runFields.extend({ schedule: z.array(scheduleEntrySchema).min(1).max(1000).optional() }).strict();

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
  const conflicts = [...recipeConflicts((field) => [(result.data as Record<string, unknown>)[field]]), ...scheduleIssues(result.data)];
  if (conflicts.length > 0) throw new ConfigError(conflicts);
  return result.data;
}

/** A schedule's entries start at increasing epochs, each one the run trains. */
function scheduleIssues(config: TrainingConfig): InputIssue[] {
  return (config.schedule ?? []).flatMap((entry, i, entries): InputIssue[] => {
    const path = `schedule.${i}.epoch`;
    if (entry.epoch > config.epochs) return [{ path, message: `epoch ${entry.epoch} is past the run's ${config.epochs} epochs: lower it or raise epochs` }];
    if (i > 0 && entry.epoch <= entries[i - 1].epoch) return [{ path, message: `epoch ${entry.epoch} must come after the previous entry's ${entries[i - 1].epoch}: list the entries in epoch order, one per epoch` }];
    return [];
  });
}

/** The run's config for epoch `epoch`: its schedule's entries up to that epoch applied in order. */
export function configForEpoch(config: TrainingConfig, epoch: number): TrainingConfig {
  const applied = (config.schedule ?? []).filter((entry) => entry.epoch <= epoch).map(({ epoch: _from, ...values }) => values);
  return Object.assign({ ...config }, ...applied);
}
