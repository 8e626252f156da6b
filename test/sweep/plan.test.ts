import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  askTrials,
  configKey,
  configurationOf,
  GridSampler,
  parseSweepConfig,
  planSweep,
  RandomSampler,
  searchSpace,
  type SweepConfigInput,
} from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

const plan = (input: SweepConfigInput) => planSweep(parseSweepConfig(input));
const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

const RANDOM: SweepConfigInput = {
  name: "random",
  samples: 6,
  repeats: 2,
  fixed: { epochs: 2, imgSize: 28, limit: 256 },
  parameters: {
    batchSize: { log2int: [16, 256] },
    lr: { loguniform: [1e-4, 1e-3] },
    b2: { uniform: [0.9, 0.999] },
    latentDim: { int: [64, 128], step: 32 },
    variant: { choice: ["improved", "reference"] },
  },
};

describe("planSweep", () => {
  it("gives exactly the same runs for the same config, and other runs for another seed", () => {
    assert.deepEqual(plan(RANDOM), plan(RANDOM));
    const reseeded = plan({ ...RANDOM, seed: 1 });
    assert.notDeepEqual(reseeded.map((run) => run.params), plan(RANDOM).map((run) => run.params));
  });

  it("does not depend on the order of keys in the file", () => {
    const reversed = { ...RANDOM, parameters: Object.fromEntries(Object.entries(RANDOM.parameters!).reverse()) };
    assert.deepEqual(plan(reversed), plan(RANDOM));
  });

  it("builds full training configs: fixed, sampled and default values", () => {
    for (const { params } of plan(RANDOM)) {
      assert.equal(params.epochs, 2);
      assert.equal(params.imgSize, 28);
      assert.equal(params.limit, 256);
      assert.equal(params.dataset, "mnist");
      assert.equal(params.b1, 0.5);
      assert.equal(params.labeled, "all");
      assert.ok([16, 32, 64, 128, 256].includes(params.batchSize));
      assert.ok([64, 96, 128].includes(params.latentDim));
      assert.ok(params.b2 >= 0.9 && params.b2 <= 0.999);
      assert.ok(Number.isInteger(params.seed) && params.seed >= 0 && params.seed < 2 ** 31);
    }
  });

  it("orders runs repeat-major and numbers them 0..n-1", () => {
    const runs = plan(RANDOM);
    assert.equal(runs.length, 12);
    assert.deepEqual(runs.map((run) => run.index), [...runs.keys()]);
    assert.deepEqual(runs.map((run) => run.repeat), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(runs.slice(6).map((run) => run.configKey), runs.slice(0, 6).map((run) => run.configKey));
  });

  it("gives repeats one configKey and distinct, reproducible seeds", () => {
    const runs = plan(RANDOM);
    for (let i = 0; i < 6; i++) {
      const [first, second] = [runs[i], runs[i + 6]];
      assert.equal(first.configKey, second.configKey);
      assert.notEqual(first.params.seed, second.params.seed);
      assert.deepEqual({ ...first.params, seed: 0 }, { ...second.params, seed: 0 });
    }
  });

  it("keys a configuration by its sweepable values only: another sweep with other fixed settings gets the same key", () => {
    const runs = plan(RANDOM);
    const other = plan({ name: "other", fixed: { epochs: 9 }, samples: 1, parameters: configurationOf(runs[0].params) });
    assert.equal(other[0].configKey, runs[0].configKey);
    assert.match(runs[0].configKey, /^[0-9a-f]{12}$/);
    assert.equal(configKey({ ...configurationOf(runs[0].params) }), runs[0].configKey);
    assert.notEqual(configKey({ ...configurationOf(runs[0].params), lr: 0.5 }), runs[0].configKey);
  });

  // Until issue 12 a 2-value space with samples 4 drew some configuration twice and pooled the draws as
  // extra repeats; a finite space is now drawn without replacement (random-sampler.test.ts).
  it("draws a finite space without replacement: samples beyond its size add no runs", () => {
    const runs = plan({ name: "few", samples: 4, repeats: 2, parameters: { variant: { choice: ["improved", "reference"] } } });
    assert.equal(runs.length, 4);
    assert.deepEqual(runs.map((run) => `${run.params.variant}/${run.repeat}`).sort(), ["improved/0", "improved/1", "reference/0", "reference/1"]);
    assert.deepEqual(runs.map((run) => run.trial), [0, 1, 0, 1]);
    assert.equal(new Set(runs.map((run) => run.params.seed)).size, runs.length);
  });

  it("enumerates a grid: product of value counts times repeats", () => {
    const runs = plan({
      name: "grid",
      strategy: "grid",
      repeats: 3,
      maxRuns: 1000,
      parameters: {
        batchSize: { log2int: [16, 128] },
        lr: { loguniform: [1e-4, 1e-2], points: 3 },
        latentDim: { int: [64, 128], step: 32 },
        spectralNorm: { choice: [false, true] },
        b1: 0.5,
      },
    });
    assert.equal(runs.length, 4 * 3 * 3 * 2 * 3);
    const configurations = new Set(runs.map((run) => run.configKey));
    assert.equal(configurations.size, 4 * 3 * 3 * 2);
    assert.deepEqual(distinct(runs.map((run) => run.params.lr)), [1e-4, 1e-3, 1e-2]);
    assert.deepEqual(distinct(runs.map((run) => run.params.latentDim)), [64, 96, 128]);
  });

  it("spaces uniform grid points evenly, ends included", () => {
    const runs = plan({ name: "g", strategy: "grid", parameters: { b2: { uniform: [0.9, 0.99], points: 4 } } });
    assert.deepEqual(runs.map((run) => run.params.b2), [0.9, 0.93, 0.96, 0.99]);
  });

  it("log2int yields the powers of two within the bounds", () => {
    const grid = plan({ name: "g", strategy: "grid", parameters: { batchSize: { log2int: [20, 300] } } });
    assert.deepEqual(grid.map((run) => run.params.batchSize), [32, 64, 128, 256]);
    const drawn = plan({ name: "r", samples: 200, maxRuns: 200, parameters: { batchSize: { log2int: [16, 256] } } });
    assert.deepEqual(distinct(drawn.map((run) => run.params.batchSize)), [16, 32, 64, 128, 256]);
  });

  it("draws loguniform within bounds and evenly in log space", () => {
    const config = parseSweepConfig({ name: "r", samples: 1000, maxRuns: 1000, parameters: { lr: { loguniform: [1e-5, 1e-1] } } });
    const study = { space: searchSpace(config.parameters), trials: [], direction: "maximize" } as const;
    const draws = askTrials(new RandomSampler(config.seed), study, config.samples).map((a) => a.lr as number);
    assert.ok(draws.every((lr) => lr >= 1e-5 && lr <= 1e-1));
    // Four decades: each should hold about a quarter of the draws (a linear uniform would put ~90% in the last).
    const perDecade = [0, 0, 0, 0];
    for (const lr of draws) perDecade[Math.min(3, Math.floor(Math.log10(lr) + 5))]++;
    for (const count of perDecade) assert.ok(count > 200 && count < 300, `per decade ${perDecade}`);
  });

  it("draws integers over every allowed value", () => {
    const drawn = plan({ name: "r", samples: 300, maxRuns: 300, parameters: { latentDim: { int: [64, 128], step: 16 } } });
    assert.deepEqual(distinct(drawn.map((run) => run.params.latentDim)), [64, 80, 96, 112, 128]);
  });

  it("refuses a plan above maxRuns, saying how many runs it has", () => {
    // A continuous range: without one, the space has a single configuration and samples 60 plan one.
    const random = refusal(() => plan({ name: "r", samples: 60, repeats: 2, parameters: { lr: { loguniform: [1e-4, 1e-2] } } }));
    assert.match(issueAt(random, "maxRuns").message, /120 runs \(60 configurations x 2 repeats\), more than maxRuns 100: raise maxRuns .*lower samples/);
    const grid = refusal(() => plan({ name: "g", strategy: "grid", maxRuns: 1000, parameters: { labeled: { int: [10, 60000] } } }));
    assert.match(issueAt(grid, "maxRuns").message, /59991 runs .*narrow the grid/);
  });

  it("samplers share one ask interface and stop when a finite space is used up", () => {
    const space = searchSpace(parseSweepConfig({ name: "s", parameters: { variant: { choice: ["improved", "reference"] }, b1: 0.4 } }).parameters);
    const study = { space, trials: [], direction: "maximize" } as const;
    assert.deepEqual(askTrials(new GridSampler(), study, 5), [
      { b1: 0.4, variant: "improved" },
      { b1: 0.4, variant: "reference" },
    ]);
    const drawn = askTrials(new RandomSampler(0), study, 3);
    assert.deepEqual(drawn.map((a) => a.variant).sort(), ["improved", "reference"]);
  });
});
