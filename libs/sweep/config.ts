import { z } from "zod";
import { datasetNameSchema, trainingConfigSchema } from "../sgan/config.ts";
import { inputIssues, nestingIssue, textIssues } from "../validation/index.ts";
import { SweepConfigError } from "./errors.ts";
import {
  PER_SWEEP_FIELDS,
  SWEEPABLE_FIELDS,
  isPerSweep,
  isSweepable,
  type PerSweepField,
  type SweepableField,
} from "./fields.ts";
import { DISTRIBUTION_KINDS, distributionKind, parameterSchema, type ParameterSpec } from "./parameter-schema.ts";
import { toDistribution } from "./distributions.ts";
import { recipeConflicts, type PossibleValues } from "../sgan/recipe.ts";
import { noteSchema, OBJECTIVE_KEYS, objectiveSchema, tagsSchema } from "../results/index.ts";
import { budgetIssues, parallelismSchema, tpeOptionsSchema, trialsSchema, withBudgetDefaults } from "./tpe/options.ts";
import { prunerConfigSchema, prunerEpochIssues, prunerSettingsAdvice } from "./pruners/schema.ts";
import { pbtIssues, pbtOptionsSchema, withPbtDefaults } from "./pbt/options.ts";

const fixedSchema = trainingConfigSchema
  .pick(Object.fromEntries(PER_SWEEP_FIELDS.map((field) => [field, true])) as Record<PerSweepField, true>)
  .extend({ dataset: datasetNameSchema });

const parametersSchema = z.strictObject(
  Object.fromEntries(SWEEPABLE_FIELDS.map((field) => [field, parameterSchema(field).optional()])) as {
    [F in SweepableField]: z.ZodOptional<ReturnType<typeof parameterSchema>>;
  },
);

/** Hard ceiling on one sweep's runs, whatever maxRuns says: a typo in a grid must not flood the queue. */
export const MAX_RUNS_LIMIT = 1000;

export const sweepConfigSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    strategy: z.enum(["random", "grid", "tpe", "pbt"]).default("random"),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    samples: z.number().int().min(1).max(MAX_RUNS_LIMIT).default(10),
    trials: trialsSchema,
    parallelism: parallelismSchema,
    tpe: tpeOptionsSchema.optional(),
    pbt: pbtOptionsSchema.optional(),
    repeats: z.number().int().min(1).max(20).default(1),
    maxRuns: z.number().int().min(1).max(MAX_RUNS_LIMIT).default(100),
    priority: z.number().int().min(-100).max(100).default(0),
    fixed: fixedSchema.prefault({}),
    parameters: parametersSchema.prefault({}),
    objective: objectiveSchema.prefault({}),
    pruner: prunerConfigSchema,
    // Labels of the sweep, not of its runs' training: no configuration key or plan reads them.
    tags: tagsSchema.optional(),
    note: noteSchema.optional(),
  })
  .superRefine((config, ctx) => {
    for (const issue of budgetIssues(config)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of prunerEpochIssues(config.pruner, config.fixed.epochs)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of pbtIssues(config)) ctx.addIssue({ code: "custom", ...issue });
    for (const { path, message } of recipeConflicts(possibleValues(config), (field) => (isSweepable(field) ? `parameters.${field}` : `fixed.${field}`))) {
      ctx.addIssue({ code: "custom", path: path.split("."), message });
    }
    if (config.strategy !== "grid") return;
    for (const [field, spec] of Object.entries(config.parameters)) {
      if (typeof spec !== "object" || !("uniform" in spec || "loguniform" in spec) || spec.points !== undefined) continue;
      ctx.addIssue({
        code: "custom",
        path: ["parameters", field, "points"],
        message: `the grid strategy needs points on ${distributionKind(spec)} (2..100 evenly spaced values, ends included), or use strategy random`,
      });
    }
  })
  .overwrite((config) => withPbtDefaults(withBudgetDefaults(config)));

const TRAINING_DEFAULTS = trainingConfigSchema.parse({}) as Record<string, unknown>;

/** Every value a field can take in this sweep's runs: its distribution's probes, its fixed value, or its default. */
function possibleValues(config: { fixed: Record<string, unknown>; parameters: Record<string, ParameterSpec | undefined> }): PossibleValues {
  return (field) => {
    const spec = config.parameters[field];
    if (spec !== undefined) return toDistribution(spec).probes();
    return [field in config.fixed && config.fixed[field] !== undefined ? config.fixed[field] : TRAINING_DEFAULTS[field]];
  };
}

export type SweepConfig = z.output<typeof sweepConfigSchema>;
export type SweepConfigInput = z.input<typeof sweepConfigSchema>;

export function parseSweepConfig(input: unknown): SweepConfig {
  const tooDeep = nestingIssue(input);
  if (tooDeep) throw new SweepConfigError([tooDeep]);
  const unstorable = textIssues(input);
  if (unstorable.length > 0) throw new SweepConfigError(unstorable);
  const result = sweepConfigSchema.safeParse(input);
  if (!result.success) throw new SweepConfigError(inputIssues(result.error, input, placeKey));
  return result.data;
}

const SEED_ADVICE = "run seeds derive from the sweep's seed, each configuration and its repeat: set seed at the top level";

/** Tells where a misplaced key belongs, so that `lr` under fixed or `epochs` under parameters is fixed in one edit. */
function placeKey(objectPath: PropertyKey[], key: string): string {
  const where = objectPath.join(".");
  if (where === "" || where === "fixed" || where === "parameters") {
    if (isSweepable(key) && where !== "parameters") {
      return `${key} may differ between runs: put it under parameters (a plain value there fixes it for all runs)`;
    }
    if (isPerSweep(key) && where !== "fixed") return `${key} is the same for every run of a sweep: put it under fixed`;
    if (key === "seed" && where !== "") return SEED_ADVICE;
  }
  if (where === "pruner") return prunerSettingsAdvice();
  const allowed =
    where === "" ? Object.keys(sweepConfigSchema.shape)
    : where === "fixed" ? PER_SWEEP_FIELDS
    : where === "parameters" ? SWEEPABLE_FIELDS
    : where === "objective" ? OBJECTIVE_KEYS
    : where === "tpe" ? Object.keys(tpeOptionsSchema.shape)
    : where === "pbt" ? Object.keys(pbtOptionsSchema.shape)
    : [...DISTRIBUTION_KINDS, "step (with int)", "points (with uniform, loguniform)"];
  return `unknown key; allowed here: ${allowed.join(", ")}`;
}
