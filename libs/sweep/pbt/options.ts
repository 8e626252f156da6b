import { z } from "zod";
import { isFiniteDistribution, toDistribution } from "../distributions.ts";
import { isPerSweep, isSweepable, SWEEPABLE_FIELDS, type SweepableField } from "../fields.ts";
import type { ParameterSpec } from "../parameter-schema.ts";
import { FROZEN_MID_RUN, PERTURBABLE_FIELDS } from "./perturbable.ts";

/** More members than this would each train too few epochs on two workers to be worth a decision. */
export const MAX_POPULATION = 100;

/** `pbt:` in a sweep config: Ray Tune's PopulationBasedTraining settings, under this project's names. */
export const pbtOptionsSchema = z.strictObject({
  /** Runs in flight: the first population, drawn at submit. */
  population: z.number().int().min(2).max(MAX_POPULATION),
  /** Epochs between a run's decisions: it is decided after epochs interval, 2·interval, ... (not after its last). */
  interval: z.number().int().min(1).max(1000),
  quantile: z.number().gt(0).max(0.5).default(0.25),
  resampleProbability: z.number().min(0).max(1).default(0.25),
  perturbationFactors: z.array(z.number().positive().max(100)).min(1).max(10).default([1.2, 0.8]),
  /** The parameters to perturb; every perturbable parameter with a range when left out (filled in at parse). */
  perturb: z.array(z.string().min(1).max(100)).min(1).max(SWEEPABLE_FIELDS.length).optional(),
});

export type PbtOptions = z.output<typeof pbtOptionsSchema> & { perturb: SweepableField[] };

interface PbtFields {
  strategy: string;
  repeats: number;
  fixed: { epochs: number };
  parameters: Partial<Record<SweepableField, ParameterSpec>>;
  pruner: { kind: string };
  pbt?: z.output<typeof pbtOptionsSchema>;
}

/** A refusal at a path, in the shape zod's superRefine takes. */
export interface PbtIssue {
  path: Array<string | number>;
  message: string;
}

/** Whether the parameter can take more than one value in this sweep, so that a perturbation can move it. */
function hasRange(spec: ParameterSpec | undefined): boolean {
  if (spec === undefined) return false;
  const distribution = toDistribution(spec);
  return !isFiniteDistribution(distribution) || distribution.size > 1;
}

/** What pbt perturbs when `perturb` is left out: every parameter with a range that can change mid-run. */
export function defaultPerturbed(parameters: PbtFields["parameters"]): SweepableField[] {
  return PERTURBABLE_FIELDS.filter((field) => hasRange(parameters[field]));
}

/** The config's refusals for strategy pbt, and for pbt settings on another strategy. */
export function pbtIssues(config: PbtFields): PbtIssue[] {
  if (config.strategy !== "pbt") {
    return config.pbt === undefined ? [] : [{ path: ["pbt"], message: "pbt applies to strategy pbt only: remove pbt or set strategy: pbt" }];
  }
  if (config.pbt === undefined) {
    return [{ path: ["pbt"], message: "strategy pbt needs pbt: { population, interval } (runs in flight, and epochs between decisions)" }];
  }
  return [...budgetIssues(config, config.pbt), ...perturbIssues(config.parameters, config.pbt.perturb)];
}

function budgetIssues(config: PbtFields, pbt: z.output<typeof pbtOptionsSchema>): PbtIssue[] {
  const issues: PbtIssue[] = [];
  if (pbt.interval >= config.fixed.epochs) {
    issues.push({
      path: ["pbt", "interval"],
      message: `interval ${pbt.interval} is not below fixed.epochs ${config.fixed.epochs}, so no run would be decided before its last epoch: lower interval or raise fixed.epochs`,
    });
  }
  if (config.repeats > 1) {
    issues.push({
      path: ["repeats"],
      message: "a pbt member is one run whose values change as it trains, so there is no configuration to repeat: set repeats 1 and raise pbt.population",
    });
  }
  if (config.pruner.kind !== "none" && config.pruner.kind !== "stuck") {
    issues.push({
      path: ["pruner", "kind"],
      message: `pbt replaces its worst runs with copies of its best instead of stopping them: use kind none, or stuck (a stuck run is replaced first), not ${config.pruner.kind}`,
    });
  }
  return issues;
}

function perturbIssues(parameters: PbtFields["parameters"], perturb: readonly string[] | undefined): PbtIssue[] {
  if (perturb === undefined) {
    if (defaultPerturbed(parameters).length > 0) return [];
    return [
      {
        path: ["parameters"],
        message: `pbt needs a parameter it can perturb mid-run: give one of ${PERTURBABLE_FIELDS.join(", ")} a range (uniform, loguniform, int, log2int or a choice of 2 or more)`,
      },
    ];
  }
  return perturb.flatMap((field, index) => {
    const reason = unperturbable(field, parameters);
    return reason === null ? [] : [{ path: ["pbt", "perturb", index], message: reason }];
  });
}

/** Why `field` cannot be perturbed in this sweep, or null when it can. */
function unperturbable(field: string, parameters: PbtFields["parameters"]): string | null {
  if (isPerSweep(field)) return `${field} is the same for every run of a sweep (it belongs under fixed), so there is nothing to perturb`;
  if (!isSweepable(field)) return `unknown field; perturbable: ${PERTURBABLE_FIELDS.join(", ")}`;
  const frozen = FROZEN_MID_RUN[field];
  if (frozen !== null) {
    return `${field} cannot change mid-run: ${frozen}. It may still be searched under parameters: each run keeps the value it was drawn with, and a run that copies another takes that run's value with its weights`;
  }
  if (!hasRange(parameters[field])) {
    return `${field} has no range under parameters to perturb within: give it one (e.g. loguniform: [low, high]) or leave it out of perturb`;
  }
  return null;
}

/** A pbt config with `perturb` filled in, so that the stored config says what is perturbed; other strategies are left as they are. */
export function withPbtDefaults<T extends Omit<PbtFields, "repeats" | "fixed" | "pruner">>(config: T): T {
  if (config.strategy !== "pbt" || config.pbt === undefined || config.pbt.perturb !== undefined) return config;
  return { ...config, pbt: { ...config.pbt, perturb: defaultPerturbed(config.parameters) } };
}

/** The pbt settings of a pbt config, `perturb` resolved (parseSweepConfig has checked its fields). */
export function pbtOptionsOf(config: Pick<PbtFields, "parameters" | "pbt">): PbtOptions {
  if (config.pbt === undefined) throw new Error("not a pbt config: it has no pbt settings");
  return { ...config.pbt, perturb: (config.pbt.perturb as SweepableField[] | undefined) ?? defaultPerturbed(config.parameters) };
}
