import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MedianPruner,
  PrunerInputError,
  configurationStudy,
  configurationTrials,
  parseSweepConfig,
  type EpochStats,
  type RunTrial,
  type TrialState,
} from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

function run(id: string, configKey: string, values: number[], state: TrialState = "running"): RunTrial {
  return { id, configKey, state, curve: values.map((value, i) => ({ epoch: i + 1, value })) };
}

function stats(epoch: number, dAccMean: number, dAccStd: number): EpochStats {
  return { epoch, dAccMean, dAccStd, dLossMean: 1, dLossStd: 0.1, gLossMean: 0.7, gLossStd: 0.01, gLossMax: 0.8 };
}

describe("configuration curves (the decision per configuration with repeats)", () => {
  it("averages each epoch over the repeats that reported it, a lagging repeat leaving the later epochs to the others", () => {
    const [a, b] = configurationTrials([run("r1", "A", [0.2, 0.4, 0.6]), run("r2", "B", [0.9]), run("r3", "A", [0.4])]);
    assert.equal(a.id, "A");
    assert.deepEqual(a.curve, [
      { epoch: 1, value: (0.2 + 0.4) / 2 },
      { epoch: 2, value: 0.4 },
      { epoch: 3, value: 0.6 },
    ]);
    assert.deepEqual(b, { id: "B", state: "running", curve: [{ epoch: 1, value: 0.9 }] });
  });

  it("averages the raw epoch figures the same way, when the runs carry them", () => {
    const withStats = (id: string, rows: EpochStats[]): RunTrial => ({ ...run(id, "A", rows.map(() => 0.5)), stats: rows });
    const [a] = configurationTrials([withStats("r1", [stats(1, 0.5, 0), stats(2, 0.5, 0)]), withStats("r2", [stats(1, 0.7, 0.04)])]);
    assert.deepEqual(
      a.stats?.map((row) => [row.epoch, row.dAccMean, row.dAccStd]),
      [
        [1, 0.6, 0.02],
        [2, 0.5, 0],
      ],
    );
  });

  it("is pruned if a repeat was, else running while a repeat trains, else complete if one completed, else failed", () => {
    const stateOf = (...states: TrialState[]) => configurationTrials(states.map((state, i) => run(`r${i}`, "A", [0.5], state)))[0].state;
    assert.equal(stateOf("complete", "pruned", "running"), "pruned");
    assert.equal(stateOf("complete", "running"), "running");
    assert.equal(stateOf("complete", "failed"), "complete");
    assert.equal(stateOf("failed", "failed"), "failed");
  });

  it("judges a configuration at the epoch its run just recorded, against the other configurations", () => {
    const runs = [run("r1", "A", [0.2, 0.4, 0.6]), run("r2", "A", [0.4]), run("r3", "B", [0.9, 0.9, 0.9], "complete")];
    const { trial, history } = configurationStudy(runs, { configKey: "A", epoch: 1 }, "maximize");
    assert.deepEqual(trial.curve, [{ epoch: 1, value: (0.2 + 0.4) / 2 }]);
    assert.deepEqual(history, { direction: "maximize", trials: [{ id: "B", state: "complete", curve: runs[2].curve }] });
    assert.throws(() => configurationStudy(runs, { configKey: "C", epoch: 1 }, "maximize"), PrunerInputError);
  });

  it("prunes on the mean of the repeats: one good repeat does not save a configuration whose mean is below the median", () => {
    const completed = ["B", "C", "D"].map((key, i) => run(`done${i}`, key, [0.5 + i * 0.1], "complete"));
    const runs = [...completed, run("good", "A", [0.65]), run("bad", "A", [0.35])];
    const pruner = new MedianPruner({ startupTrials: 3, warmupEpochs: 0, interval: 1 });
    const { trial, history } = configurationStudy(runs, { configKey: "A", epoch: 1 }, "maximize");
    assert.match((pruner.prune(trial, history) as { reason: string }).reason, /best objective so far 0\.5 is below the median 0\.6/);
    const alone = configurationStudy([...completed, run("good", "A", [0.65])], { configKey: "A", epoch: 1 }, "maximize");
    assert.equal(pruner.prune(alone.trial, alone.history).prune, false);
  });
});

describe("the sweep config's pruner", () => {
  const config = (pruner: unknown, epochs = 10) => parseSweepConfig({ name: "p", fixed: { epochs }, pruner });

  it("defaults to none, and fills each kind's defaults", () => {
    assert.deepEqual(parseSweepConfig({ name: "p" }).pruner, { kind: "none" });
    assert.deepEqual(config({ kind: "median" }).pruner, { kind: "median", startupTrials: 5, warmupEpochs: 0, interval: 1 });
    assert.deepEqual(config({ kind: "asha" }).pruner, { kind: "asha", minEpochs: 1, reductionFactor: 3, minEarlyStoppingRate: 0 });
    assert.deepEqual(config({ kind: "hyperband" }).pruner, { kind: "hyperband", minEpochs: 1, reductionFactor: 3 });
    assert.deepEqual(config({ kind: "stuck" }).pruner, { kind: "stuck", metric: "dAcc", tolerance: 0.005, epochs: 2, maxSpread: 0.002, gLossSpike: 5 });
    assert.equal((config({ kind: "stuck", gLossSpike: null }).pruner as { gLossSpike: unknown }).gLossSpike, null);
  });

  it("names the kinds there are for a misspelt kind", () => {
    const issue = issueAt(refusal(() => config({ kind: "medain" })), "pruner.kind");
    assert.equal(issue.message, 'Invalid option: expected one of "none"|"median"|"asha"|"hyperband"|"stuck" (got "medain")');
  });

  it("lists each kind's settings for an unknown key", () => {
    const issue = issueAt(refusal(() => config({ kind: "median", warmup: 2 })), "pruner.warmup");
    assert.match(issue.message, /^unknown key; settings by kind: none: no settings; median: startupTrials, warmupEpochs, interval; asha: /);
  });

  it("refuses values out of range at their field", () => {
    assert.match(issueAt(refusal(() => config({ kind: "asha", reductionFactor: 1 })), "pruner.reductionFactor").message, />=2 \(got 1\)/);
    assert.match(issueAt(refusal(() => config({ kind: "median", interval: 0 })), "pruner.interval").message, />=1 \(got 0\)/);
    assert.match(issueAt(refusal(() => config({ kind: "stuck", metric: "testAccuracy" })), "pruner.metric").message, /"dAcc"\|"dLoss"\|"gLoss"/);
  });

  it("refuses settings that could never stop a run before its last epoch, saying what to change", () => {
    const notBelow = /is not below fixed\.epochs 3, so no run would be judged before its last epoch: lower it, raise fixed\.epochs, or use kind none/;
    assert.match(issueAt(refusal(() => config({ kind: "median", warmupEpochs: 3 }, 3)), "pruner.warmupEpochs").message, notBelow);
    assert.match(issueAt(refusal(() => config({ kind: "asha", minEpochs: 1, minEarlyStoppingRate: 1 }, 3)), "pruner.minEpochs").message, /the first rung .* 3 is not below/);
    assert.match(issueAt(refusal(() => config({ kind: "stuck", epochs: 3 }, 3)), "pruner.epochs").message, notBelow);
    assert.match(issueAt(refusal(() => config({ kind: "hyperband", maxEpochs: 12 })), "pruner.maxEpochs").message, /maxEpochs 12 is above fixed\.epochs 10/);
    assert.match(issueAt(refusal(() => config({ kind: "hyperband", minEpochs: 4, maxEpochs: 3 })), "pruner.minEpochs").message, /above maxEpochs 3/);
    assert.equal(config({ kind: "asha", minEpochs: 2 }, 3).pruner.kind, "asha");
  });
});
