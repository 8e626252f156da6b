// A study's parameter importance: its complete trials (valued by the objective as its sampler is told
// them) and the parameters that vary in its space, each on the axis it is sampled along.
import { parameterImportance, FANOVA_SETTINGS, type ForestSettings, type ImportanceParameter, type ImportanceResult } from "../importance/index.ts";
import type { Objective } from "../results/index.ts";
import { deriveSeed } from "../random/index.ts";
import { Continuous, distributionKind, isFiniteDistribution, searchSpace, toDistribution, type ParameterSpec, type SweepConfig } from "../sweep/index.ts";
import { samplerTrials, type StudyRun } from "./study-runs.ts";

/** The forest's settings for a sweep: Optuna's, seeded from the sweep's seed so that the same trials give the same numbers. */
export function importanceSettings(sweepSeed: number): ForestSettings {
  return { ...FANOVA_SETTINGS, seed: deriveSeed(sweepSeed, "parameter-importance") };
}

export function studyImportance(config: Pick<SweepConfig, "parameters" | "seed">, runs: readonly StudyRun[], objective: Objective): ImportanceResult {
  const space = searchSpace(config.parameters);
  const complete = samplerTrials(runs, space, objective).flatMap((trial) => (trial.state === "complete" ? [{ params: trial.assignment, value: trial.value }] : []));
  const parameters = space.flatMap(([field]) => {
    const parameter = importanceParameter(field, config.parameters[field]!);
    return parameter === null ? [] : [parameter];
  });
  return parameterImportance(parameters, complete, importanceSettings(config.seed));
}

/**
 * The axis a parameter is sampled along: loguniform and log2int in log scale, uniform and int
 * linear, a choice (numbers too, as Optuna's CategoricalDistribution) as categories. Null for one
 * that cannot vary: a plain value, a one-value choice, a range of one point.
 */
function importanceParameter(name: string, spec: ParameterSpec): ImportanceParameter | null {
  const kind = distributionKind(spec);
  if (kind === null) return null;
  const distribution = toDistribution(spec);
  const scale = kind === "loguniform" || kind === "log2int" ? "log" : "linear";
  if (distribution instanceof Continuous) return distribution.low < distribution.high ? { name, scale, low: distribution.low, high: distribution.high } : null;
  if (!isFiniteDistribution(distribution) || distribution.size < 2) return null;
  const values = Array.from({ length: distribution.size }, (_, i) => distribution.at(i));
  if (kind === "choice") return { name, scale: "categorical", categories: values };
  return { name, scale, low: values[0] as number, high: values[values.length - 1] as number };
}
