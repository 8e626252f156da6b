import { deriveSeed } from "../random/index.ts";
import { trainingConfigSchema, type TrainingConfig } from "../sgan/config.ts";
import { MAX_RUNS_LIMIT, type SweepConfig } from "./config.ts";
import { configKey } from "./config-key.ts";
import { SweepConfigError } from "./errors.ts";
import { configurationOf } from "./fields.ts";
import { spaceSize } from "./finite-space.ts";
import { GridSampler } from "./grid-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import { askTrials, searchSpace, type Assignment, type Sampler } from "./sampler.ts";
import { adaptiveBudget } from "./tpe/options.ts";
import { pbtOptionsOf } from "./pbt/options.ts";
import { TpeSampler } from "./tpe/tpe-sampler.ts";

export interface PlannedRun {
  index: number;
  configKey: string;
  /** The trial (configuration) the run belongs to, in the order the sampler gave them. */
  trial: number;
  repeat: number;
  params: TrainingConfig;
}

/** How big a sweep is, and why: what the config asked for against what its space holds. */
export interface PlanSize {
  strategy: SweepConfig["strategy"];
  /** Configurations (trials) the sweep will train: grid, the whole space; random, samples; tpe, trials; pbt, its first population; never more than the space holds. */
  configurations: number;
  repeats: number;
  runs: number;
  /** What the config asked for: samples (random), trials (tpe), pbt.population (pbt), the grid's combinations (grid). */
  requested: number;
  /** Configurations in the search space; null when a continuous range makes it unbounded. */
  spaceSize: number | null;
  /** Configurations planned at submit: all of them, except under tpe, which asks the rest as trials finish. */
  firstWave: number;
}

export function samplerFor(config: SweepConfig): Sampler {
  switch (config.strategy) {
    case "grid":
      return new GridSampler();
    case "random":
    case "pbt":
      return new RandomSampler(config.seed);
    case "tpe":
      return new TpeSampler(config.seed, adaptiveBudget(config).tpe);
  }
}

/** The plan's size without building it, so that an oversized sweep is refused cheaply and the answer can say why it is as big as it is. */
export function planSize(config: SweepConfig): PlanSize {
  const size = spaceSize(searchSpace(config.parameters));
  const budget = config.strategy === "tpe" ? adaptiveBudget(config) : null;
  const requested = config.strategy === "grid" ? size : (budget?.trials ?? requestedDraws(config));
  const configurations = Math.min(requested, size);
  return {
    strategy: config.strategy,
    configurations,
    repeats: config.repeats,
    runs: configurations * config.repeats,
    requested,
    spaceSize: Number.isFinite(size) ? size : null,
    firstWave: budget === null ? configurations : Math.min(budget.parallelism, configurations),
  };
}

/** Random draws asked for: samples, or the first population of a pbt sweep (which its decisions then change as they train). */
function requestedDraws(config: SweepConfig): number {
  return config.strategy === "pbt" ? pbtOptionsOf(config).population : config.samples;
}

/** "6 configurations x 2 repeats = 12 runs", and when the space cut the count, by how much and why. */
export function describePlanSize(size: PlanSize): string {
  const unit = size.strategy === "tpe" ? "trials" : "configurations";
  const counts = `${size.configurations} ${unit} x ${size.repeats} repeats = ${size.runs} runs`;
  const asked = size.strategy === "tpe" ? "trials" : size.strategy === "pbt" ? "population" : "samples";
  const cut = size.configurations < size.requested ? ` (${asked} ${size.requested}, but the space has only ${size.spaceSize} configurations)` : "";
  const waves =
    size.strategy === "tpe" ? `; ${size.firstWave} planned now, the rest asked as trials finish, ${size.firstWave} in flight at a time` : "";
  return `${counts}${cut}${waves}`;
}

/** With no trial told yet, the objective's direction plays no part in what a sampler gives. */
const NOTHING_TOLD = { trials: [], direction: "maximize" } as const;

/**
 * The runs planned at submit, the same for the same config: every configuration of a static strategy
 * (grid, random), the first wave of an adaptive one (tpe: `parallelism` trials, start-up draws), and
 * pbt's whole population (random draws, as random's first ones for the seed).
 * Refused when the sweep's whole budget, configurations x repeats, exceeds maxRuns.
 */
export function planSweep(config: SweepConfig): PlannedRun[] {
  const size = planSize(config);
  if (size.runs > config.maxRuns) throw tooManyRuns(config, size);
  const assignments = askTrials(samplerFor(config), { space: searchSpace(config.parameters), ...NOTHING_TOLD }, size.firstWave);
  return trialRuns(config, assignments, { index: 0, trial: 0 });
}

function tooManyRuns(config: SweepConfig, size: PlanSize): SweepConfigError {
  const shrink = { grid: "narrow the grid (fewer choices, points or int values)", random: "lower samples", tpe: "lower trials", pbt: "lower pbt.population" }[config.strategy];
  const unit = config.strategy === "tpe" ? "trials" : "configurations";
  return new SweepConfigError([
    {
      path: "maxRuns",
      message: `the plan has ${size.runs} runs (${size.configurations} ${unit} x ${config.repeats} repeats), more than maxRuns ${config.maxRuns}: raise maxRuns (at most ${MAX_RUNS_LIMIT}), ${shrink} or lower repeats`,
    },
  ]);
}

/**
 * The runs of trials given by the sampler, numbered on from `first` (a study adds trials to a sweep
 * that has runs already). Repeat-major: every trial's repeat 0 comes first, so configurations can be
 * compared early. Each run's training seed derives from the sweep's seed, its configuration and repeat.
 */
export function trialRuns(config: SweepConfig, assignments: readonly Assignment[], first: { index: number; trial: number }): PlannedRun[] {
  const trials = assignments.map((assignment, i) => {
    const base = trainingConfigSchema.parse({ ...config.fixed, ...assignment });
    return { base, key: configKey(configurationOf(base)), trial: first.trial + i };
  });
  const runs: PlannedRun[] = [];
  for (let repeat = 0; repeat < config.repeats; repeat++) {
    for (const { base, key, trial } of trials) {
      const seed = deriveSeed(config.seed, key, repeat) % 2 ** 31;
      runs.push({ index: first.index + runs.length, configKey: key, trial, repeat, params: trainingConfigSchema.parse({ ...base, seed }) });
    }
  }
  return runs;
}
