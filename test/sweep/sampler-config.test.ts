import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  askTrials,
  describePlanSize,
  parseSweepConfig,
  planSize,
  planSweep,
  samplerFor,
  searchSpace,
  trialRuns,
  type SweepConfigInput,
} from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

const TPE: SweepConfigInput = {
  name: "tpe",
  strategy: "tpe",
  seed: 3,
  repeats: 2,
  parameters: { lr: { loguniform: [1e-4, 1e-2] }, batchSize: { log2int: [16, 256] } },
};

describe("sweep config: strategy tpe", () => {
  it("fills the budget's and Optuna's defaults, and the filled config parses to itself", () => {
    const config = parseSweepConfig(TPE);
    assert.equal(config.trials, 30);
    assert.equal(config.parallelism, 2);
    assert.deepEqual(config.tpe, { startupTrials: 10, candidates: 24, constantLiar: true });
    assert.deepEqual(parseSweepConfig(JSON.parse(JSON.stringify(config))), config);
  });

  it("takes trials, parallelism and tpe options as given; parallelism defaults to no more than trials", () => {
    const config = parseSweepConfig({ ...TPE, trials: 12, parallelism: 4, tpe: { startupTrials: 5, constantLiar: false } });
    assert.deepEqual([config.trials, config.parallelism, config.tpe], [12, 4, { startupTrials: 5, candidates: 24, constantLiar: false }]);
    assert.equal(parseSweepConfig({ ...TPE, trials: 1 }).parallelism, 1);
  });

  it("refuses a budget out of range, naming the field", () => {
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, trials: 0 })), "trials").message, />=1/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, trials: 1001 })), "trials").message, /<=1000/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, trials: 2.5 })), "trials").message, /expected int/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, parallelism: 0 })), "parallelism").message, />=1/);
    assert.equal(
      issueAt(refusal(() => parseSweepConfig({ ...TPE, trials: 8, parallelism: 9 })), "parallelism").message,
      "9 trials in flight but only 8 trials in all: lower parallelism to at most 8 or raise trials (got 9)",
    );
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, parallelism: 31 })), "parallelism").message, /only 30 trials in all/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, tpe: { candidates: 0 } })), "tpe.candidates").message, />=1/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...TPE, tpe: { constantLiar: "yes" } })), "tpe.constantLiar").message, /boolean/);
    assert.match(
      issueAt(refusal(() => parseSweepConfig({ ...TPE, tpe: { gamma: 0.2 } })), "tpe.gamma").message,
      /unknown key; allowed here: startupTrials, candidates, constantLiar/,
    );
  });

  it("refuses the budget fields under the other strategies, which would ignore them", () => {
    const issues = refusal(() => parseSweepConfig({ name: "r", trials: 5, parallelism: 2, tpe: {} }));
    for (const field of ["trials", "parallelism", "tpe"]) {
      assert.match(issueAt(issues, field).message, new RegExp(`^${field} applies to strategy tpe only .*: remove ${field} or set strategy: tpe`));
    }
    assert.ok(issueAt(refusal(() => parseSweepConfig({ name: "g", strategy: "grid", trials: 5 })), "trials"));
  });

  it("leaves other strategies' parsed configs without budget fields", () => {
    const config = parseSweepConfig({ name: "r" });
    assert.ok(!("trials" in config) && !("parallelism" in config) && !("tpe" in config));
  });
});

describe("planSweep under tpe", () => {
  it("plans the first wave at submit: parallelism trials x repeats, random start-up draws", () => {
    const config = parseSweepConfig({ ...TPE, parallelism: 3 });
    const runs = planSweep(config);
    assert.equal(runs.length, 6);
    assert.deepEqual(runs.map((run) => [run.trial, run.repeat]), [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1]]);
    const random = planSweep(parseSweepConfig({ ...TPE, strategy: "random", samples: 3 }));
    assert.deepEqual(runs, random, "tpe starts as random does with the same seed");
  });

  it("reports the whole budget and the first wave", () => {
    const size = planSize(parseSweepConfig({ ...TPE, parallelism: 3 }));
    assert.deepEqual(size, { strategy: "tpe", configurations: 30, repeats: 2, runs: 60, requested: 30, spaceSize: null, firstWave: 3 });
    assert.equal(describePlanSize(size), "30 trials x 2 repeats = 60 runs; 3 planned now, the rest asked as trials finish, 3 in flight at a time");
  });

  it("is capped by a finite space, and says so", () => {
    const config = parseSweepConfig({ name: "small", strategy: "tpe", trials: 20, parameters: { batchSize: { log2int: [16, 128] }, variant: { choice: ["improved", "reference"] } } });
    const size = planSize(config);
    assert.deepEqual([size.configurations, size.spaceSize, size.runs], [8, 8, 8]);
    assert.equal(describePlanSize(size), "8 trials x 1 repeats = 8 runs (trials 20, but the space has only 8 configurations); 2 planned now, the rest asked as trials finish, 2 in flight at a time");
  });

  it("refuses a budget above maxRuns at submit, counting every trial to come", () => {
    const issues = refusal(() => planSweep(parseSweepConfig({ ...TPE, trials: 60, repeats: 2 })));
    assert.match(issueAt(issues, "maxRuns").message, /120 runs \(60 trials x 2 repeats\), more than maxRuns 100: raise maxRuns .*lower trials/);
  });

  it("trialRuns numbers a study's later trials on from the runs it has", () => {
    const config = parseSweepConfig(TPE);
    const firstWave = planSweep(config);
    const space = searchSpace(config.parameters);
    const told = [0, 1].map((trial) => ({ assignment: { lr: firstWave[trial].params.lr, batchSize: firstWave[trial].params.batchSize }, state: "running" as const }));
    const next = askTrials(samplerFor(config), { space, trials: told, direction: "maximize" }, 1);
    const runs = trialRuns(config, next, { index: firstWave.length, trial: 2 });
    assert.deepEqual(runs.map((run) => [run.index, run.trial, run.repeat]), [[4, 2, 0], [5, 2, 1]]);
    assert.notEqual(runs[0].params.seed, runs[1].params.seed);
  });
});
