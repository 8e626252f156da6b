import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  askTrials,
  describePlanSize,
  FiniteSpace,
  parseSweepConfig,
  planSize,
  planSweep,
  RandomSampler,
  searchSpace,
  type Assignment,
  type SweepConfigInput,
  type Trial,
} from "../../libs/sweep/index.ts";

const spaceOf = (parameters: SweepConfigInput["parameters"]) => searchSpace(parseSweepConfig({ name: "s", parameters }).parameters);
const running = (assignment: Assignment): Trial => ({ assignment, state: "running" });
const keys = (assignments: Assignment[]) => assignments.map((a) => JSON.stringify(a));

/** 2 batch sizes x 2 variants x 2 spectral norms x 2 b1 points: 16 configurations. */
const SIXTEEN = {
  batchSize: { log2int: [16, 32] },
  variant: { choice: ["improved", "reference"] },
  spectralNorm: { choice: [false, true] },
  b1: { uniform: [0.4, 0.6], points: 2 },
} as const;

describe("RandomSampler on a finite space", () => {
  it("a 2-value space with the default samples: 10 plans 2 configurations, not 10 (6 and 4)", () => {
    const config = parseSweepConfig({ name: "two", parameters: { variant: { choice: ["improved", "reference"] } } });
    const runs = planSweep(config);
    assert.deepEqual(runs.map((run) => run.params.variant).sort(), ["improved", "reference"]);
    const size = planSize(config);
    assert.deepEqual(size, { strategy: "random", configurations: 2, repeats: 1, runs: 2, requested: 10, spaceSize: 2, firstWave: 2 });
    assert.equal(describePlanSize(size), "2 configurations x 1 repeats = 2 runs (samples 10, but the space has only 2 configurations)");
  });

  it("draws without replacement until the space is used up, then has nothing left to ask", () => {
    const space = spaceOf(SIXTEEN);
    for (const seed of [0, 1, 2, 3]) {
      const drawn = askTrials(new RandomSampler(seed), { space, trials: [], direction: "maximize" }, 50);
      assert.equal(drawn.length, 16);
      assert.equal(new Set(keys(drawn)).size, 16);
      assert.equal(new RandomSampler(seed).ask({ space, trials: drawn.map(running), direction: "maximize" }), null);
    }
  });

  it("fewer samples than the space: that many distinct configurations, and every one of them equally likely", () => {
    const space = spaceOf({ variant: { choice: ["improved", "reference"] }, latentDim: { int: [1, 3] } });
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 600; seed++) {
      const drawn = askTrials(new RandomSampler(seed), { space, trials: [], direction: "maximize" }, 5);
      assert.equal(new Set(keys(drawn)).size, 5);
      for (const key of keys(drawn)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // 600 x 5 of 6 configurations: 500 each expected; a binomial's sd is ~9, so 460..540 is > 4 sd.
    assert.equal(counts.size, 6);
    for (const [key, count] of counts) assert.ok(count > 460 && count < 540, `${key} drawn ${count} times`);
  });

  it("never gives a configuration some trial holds, whatever that trial's state", () => {
    const space = spaceOf(SIXTEEN);
    const sampler = new RandomSampler(5);
    // Trial 1's first draw is fixed by the seed; put it in trial 0 in each state and see it redrawn.
    const trialOnesDraw = sampler.ask({ space, trials: [running({})], direction: "maximize" })!;
    for (const state of ["running", "failed", "complete", "pruned"] as const) {
      const holder: Trial =
        state === "complete" ? { assignment: trialOnesDraw, state, value: 1 }
        : state === "pruned" ? { assignment: trialOnesDraw, state, step: 2, value: 0.5 }
        : { assignment: trialOnesDraw, state };
      const next = sampler.ask({ space, trials: [holder], direction: "maximize" })!;
      assert.notDeepEqual(next, trialOnesDraw, state);
    }
  });

  it("a space too big to list (300,000 configurations) is redrawn, not listed", () => {
    const space = spaceOf({ labeled: { int: [10, 60009] }, batchSize: { log2int: [16, 256] } });
    assert.equal(FiniteSpace.of(space)!.size, 300_000);
    const sampler = new RandomSampler(3);
    const trialOnesDraw = sampler.ask({ space, trials: [running({})], direction: "maximize" })!;
    const next = sampler.ask({ space, trials: [running(trialOnesDraw)], direction: "maximize" })!;
    assert.notDeepEqual(next, trialOnesDraw);
    assert.notEqual(FiniteSpace.of(space)!.keyOf(next), null);
  });

  it("a choice listing a value twice holds it once", () => {
    const runs = planSweep(parseSweepConfig({ name: "dup", strategy: "grid", parameters: { batchSize: { choice: [32, 32, 64] } } }));
    assert.deepEqual(runs.map((run) => run.params.batchSize), [32, 64]);
  });
});

describe("RandomSampler on an unbounded space", () => {
  it("draws samples configurations as before, and reports the space as unbounded", () => {
    const config = parseSweepConfig({ name: "c", samples: 7, repeats: 3, parameters: { lr: { loguniform: [1e-4, 1e-2] }, variant: { choice: ["improved", "reference"] } } });
    assert.equal(planSweep(config).length, 21);
    const size = planSize(config);
    assert.deepEqual(size, { strategy: "random", configurations: 7, repeats: 3, runs: 21, requested: 7, spaceSize: null, firstWave: 7 });
    assert.equal(describePlanSize(size), "7 configurations x 3 repeats = 21 runs");
  });

  it("trial n's draw depends on the seed and n alone, not on the trials before it", () => {
    const space = spaceOf({ lr: { loguniform: [1e-4, 1e-2] }, b2: { uniform: [0.9, 0.999] } });
    const sampler = new RandomSampler(11);
    const inOrder = askTrials(sampler, { space, trials: [], direction: "maximize" }, 4);
    const told: Trial[] = [
      { assignment: inOrder[0], state: "complete", value: 3 },
      { assignment: inOrder[1], state: "failed" },
      { assignment: { lr: 0.005, b2: 0.95 }, state: "pruned", step: 1, value: 0.1 },
    ];
    assert.deepEqual(sampler.ask({ space, trials: told, direction: "minimize" }), inOrder[3]);
  });
});
