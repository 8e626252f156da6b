import { z } from "zod";
import { STUCK_METRICS } from "./stuck.ts";

const count = (min: number) => z.number().int().min(min).max(1000);

export const PRUNER_KINDS = ["none", "median", "asha", "hyperband", "stuck"] as const;
export type PrunerKind = (typeof PRUNER_KINDS)[number];

const prunerSchemas = z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("none") }),
    z.strictObject({
      kind: z.literal("median"),
      startupTrials: count(0).default(5),
      warmupEpochs: count(0).default(0),
      interval: count(1).default(1),
    }),
    z.strictObject({
      kind: z.literal("asha"),
      minEpochs: count(1).default(1),
      reductionFactor: z.number().int().min(2).max(100).default(3),
      minEarlyStoppingRate: z.number().int().min(0).max(20).default(0),
    }),
    z.strictObject({
      kind: z.literal("hyperband"),
      minEpochs: count(1).default(1),
      /** Defaults to fixed.epochs. */
      maxEpochs: count(1).optional(),
      reductionFactor: z.number().int().min(2).max(100).default(3),
    }),
    z.strictObject({
      kind: z.literal("stuck"),
      metric: z.enum(STUCK_METRICS).default("dAcc"),
      tolerance: z.number().min(0).max(1000).default(0.005),
      epochs: count(2).default(2),
      maxSpread: z.number().min(0).max(1000).default(0.002),
      gLossSpike: z.number().positive().max(1000).nullable().default(5),
    }),
  ]);

/**
 * The sweep config's `pruner`: which rule stops losing runs early, and its settings (docs/sweeps.md,
 * Pruners). The kind is checked first so that a misspelt one is answered with the kinds there are.
 */
export const prunerConfigSchema = z
  .looseObject({ kind: z.enum(PRUNER_KINDS) })
  .pipe(prunerSchemas)
  .default({ kind: "none" });

/** The settings each kind takes, for the advice on an unknown key under `pruner`. */
export function prunerSettingsAdvice(): string {
  const settings = prunerSchemas.options.map((option) => {
    const keys = Object.keys(option.shape).filter((key) => key !== "kind");
    return `${option.shape.kind.value}: ${keys.length > 0 ? keys.join(", ") : "no settings"}`;
  });
  return `unknown key; settings by kind: ${settings.join("; ")}`;
}

export type PrunerConfig = z.output<typeof prunerConfigSchema>;
export type PrunerConfigInput = z.input<typeof prunerConfigSchema>;

/** A refusal at a path under `pruner`, in the shape zod's superRefine takes. */
export interface PrunerIssue {
  path: ["pruner", string];
  message: string;
}

/**
 * Settings that, with this many epochs per run, could never stop a run before its last epoch: the
 * user meant something else, so the config is refused with the number to change.
 */
export function prunerEpochIssues(pruner: PrunerConfig, epochs: number): PrunerIssue[] {
  const issue = (field: string, message: string): PrunerIssue[] => [{ path: ["pruner", field], message }];
  const notBelow = (what: string, value: number) =>
    `${what} ${value} is not below fixed.epochs ${epochs}, so no run would be judged before its last epoch: lower it, raise fixed.epochs, or use kind none`;
  switch (pruner.kind) {
    case "none":
      return [];
    case "median":
      return pruner.warmupEpochs >= epochs ? issue("warmupEpochs", notBelow("warmupEpochs", pruner.warmupEpochs)) : [];
    case "asha": {
      const firstRung = pruner.minEpochs * pruner.reductionFactor ** pruner.minEarlyStoppingRate;
      return firstRung >= epochs ? issue("minEpochs", notBelow("the first rung (minEpochs x reductionFactor^minEarlyStoppingRate)", firstRung)) : [];
    }
    case "hyperband": {
      const maxEpochs = pruner.maxEpochs ?? epochs;
      if (maxEpochs > epochs) return issue("maxEpochs", `maxEpochs ${maxEpochs} is above fixed.epochs ${epochs}: runs never train that long; lower it or leave it out (it defaults to fixed.epochs)`);
      if (pruner.minEpochs > maxEpochs) return issue("minEpochs", `minEpochs ${pruner.minEpochs} is above maxEpochs ${maxEpochs}: there would be no bracket; lower minEpochs`);
      return pruner.minEpochs >= epochs ? issue("minEpochs", notBelow("minEpochs", pruner.minEpochs)) : [];
    }
    case "stuck":
      return pruner.epochs >= epochs ? issue("epochs", notBelow("epochs", pruner.epochs)) : [];
  }
}
