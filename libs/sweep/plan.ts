import { deriveSeed } from "../random/index.ts";
import { trainingConfigSchema, type TrainingConfig } from "../sgan/config.ts";
import { MAX_RUNS_LIMIT, type SweepConfig } from "./config.ts";
import { configKey } from "./config-key.ts";
import { SweepConfigError } from "./errors.ts";
import { configurationOf } from "./fields.ts";
import { GridSampler } from "./grid-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import { searchSpace, type Sampler } from "./sampler.ts";

export interface PlannedRun {
  index: number;
  configKey: string;
  repeat: number;
  params: TrainingConfig;
}

function samplerFor(config: SweepConfig): Sampler {
  return config.strategy === "grid" ? new GridSampler() : new RandomSampler(config.seed, config.samples);
}

/**
 * The runs of a sweep, the same for the same config. Repeat-major: every configuration's repeat 0 comes
 * first, so configurations can be compared early. A configuration drawn more than once (random) continues
 * its repeat numbering, so its runs get distinct seeds and pool as extra repeats.
 */
export function planSweep(config: SweepConfig): PlannedRun[] {
  const space = searchSpace(config.parameters);
  const sampler = samplerFor(config);
  const configurations = sampler.count(space);
  const total = configurations * config.repeats;
  if (total > config.maxRuns) {
    const shrink = config.strategy === "grid" ? "narrow the grid (fewer choices, points or int values)" : "lower samples";
    throw new SweepConfigError([
      {
        path: "maxRuns",
        message: `the plan has ${total} runs (${configurations} configurations x ${config.repeats} repeats), more than maxRuns ${config.maxRuns}: raise maxRuns (at most ${MAX_RUNS_LIMIT}), ${shrink} or lower repeats`,
      },
    ]);
  }
  const drawn = new Map<string, number>();
  const planned = sampler.sample(space).map((assignment) => {
    const base = trainingConfigSchema.parse({ ...config.fixed, ...assignment });
    const key = configKey(configurationOf(base));
    const occurrence = drawn.get(key) ?? 0;
    drawn.set(key, occurrence + 1);
    return { base, key, firstRepeat: occurrence * config.repeats };
  });
  const runs: PlannedRun[] = [];
  for (let r = 0; r < config.repeats; r++) {
    for (const { base, key, firstRepeat } of planned) {
      const repeat = firstRepeat + r;
      const seed = deriveSeed(config.seed, key, repeat) % 2 ** 31;
      runs.push({ index: runs.length, configKey: key, repeat, params: trainingConfigSchema.parse({ ...base, seed }) });
    }
  }
  return runs;
}
