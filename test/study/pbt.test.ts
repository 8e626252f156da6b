// A pbt sweep's stored runs as its population, and the decision as the step the database applies.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunStatus } from "../../libs/results/index.ts";
import { pbtMembers, pbtStep, type StudyEpoch, type StudyRun } from "../../libs/study/index.ts";
import { parseSweepConfig, planSweep, type SweepConfig } from "../../libs/sweep/index.ts";

const config = (pruner: SweepConfig["pruner"] = { kind: "none" }): SweepConfig =>
  parseSweepConfig({
    name: "pbt",
    strategy: "pbt",
    seed: 5,
    pbt: { population: 4, interval: 2, resampleProbability: 0 },
    fixed: { epochs: 6, imgSize: 28, limit: 64 },
    parameters: { lr: { loguniform: [1e-4, 1e-3] }, batchSize: { choice: [32, 64] } },
    pruner,
  });

const healthy = (n: number, testAccuracy: number): StudyEpoch => ({
  epoch: n, testAccuracy, dAccMean: 0.6 + n / 100, dAccStd: 0.05, dLossMean: 1, dLossStd: 0.1, gLossMean: 1, gLossStd: 0.1, gLossMax: 1.2,
});
/** The seed's reference variant gone flat: d_acc 0.500 with no spread. */
const flat = (n: number, testAccuracy: number): StudyEpoch => ({ ...healthy(n, testAccuracy), dAccMean: 0.5, dAccStd: 0 });

function population(sweep: SweepConfig, outcomes: Array<{ status: RunStatus; epochs: StudyEpoch[] }>): StudyRun[] {
  return planSweep(sweep).map((run, i) => ({
    id: `run-${run.index}`,
    index: run.index,
    configKey: run.configKey,
    status: outcomes[i].status,
    params: run.params,
    epochs: outcomes[i].epochs,
    prunedReason: null,
  }));
}

const accuracies = (values: number[], epoch = healthy) => values.map((value, i) => epoch(i + 1, value));

describe("pbt over a sweep's stored runs", () => {
  const sweep = config();
  const runs = population(sweep, [
    { status: "running", epochs: accuracies([0.3, 0.8]) },
    { status: "running", epochs: accuracies([0.2, 0.5]) },
    { status: "running", epochs: accuracies([0.2, 0.1]) },
    { status: "failed", epochs: accuracies([0.9, 0.95]) },
  ]);
  const checkpoints = new Map(runs.map((run) => [run.id, run.epochs.length]));

  it("ranks the runs that can be built on, with their current values and checkpoint epochs", () => {
    const members = pbtMembers(sweep, runs, checkpoints);
    assert.deepEqual(members.map((member) => member.runId), ["run-0", "run-1", "run-2"], "the failed run is out");
    assert.deepEqual(members[1].assignment, { batchSize: runs[1].params.batchSize, lr: runs[1].params.lr });
    assert.deepEqual(members[0].curve, [{ epoch: 1, value: 0.3 }, { epoch: 2, value: 0.8 }]);
    assert.deepEqual(members.map((member) => [member.checkpointEpoch, member.stuck]), [[2, false], [2, false], [2, false]]);
    assert.equal(pbtMembers(sweep, runs, new Map())[0].checkpointEpoch, null);
  });

  it("has the worst run take the best one's config, seed included, with explore's values", () => {
    const step = pbtStep(sweep, runs, checkpoints, { runId: "run-2", epoch: 2 });
    assert.equal(step.action, "exploit", step.reason);
    if (step.action !== "exploit") return;
    assert.deepEqual([step.fromRunId, step.fromEpoch], ["run-0", 2]);
    const donor = runs[0].params;
    const [change] = step.changes;
    assert.equal(change.field, "lr");
    assert.ok(change.operation.kind === "multiply" && [1.2, 0.8].includes(change.operation.factor));
    assert.deepEqual(step.run.params, { ...donor, lr: change.to });
    assert.deepEqual(
      [step.run.batchSize, step.run.lr, step.run.seed, step.run.variant],
      [donor.batchSize, change.to, donor.seed, donor.variant],
      "batchSize is not perturbed: it comes with the weights",
    );
    assert.deepEqual(pbtStep(sweep, runs, checkpoints, { runId: "run-2", epoch: 2 }), step, "the same stored runs decide the same");
    assert.equal(pbtStep(sweep, runs, checkpoints, { runId: "run-0", epoch: 2 }).action, "continue");
  });

  it("replaces a run the sweep's stuck rule flags first, and only under a stuck pruner", () => {
    const stuckSweep = config({ kind: "stuck", metric: "dAcc", tolerance: 0.005, epochs: 2, maxSpread: 0.002, gLossSpike: 5 });
    const outcomes = [
      { status: "running" as const, epochs: accuracies([0.3, 0.8]) },
      { status: "running" as const, epochs: accuracies([0.7, 0.9], flat) },
      { status: "running" as const, epochs: accuracies([0.2, 0.5]) },
      { status: "running" as const, epochs: accuracies([0.2, 0.6]) },
    ];
    const stuckRuns = population(stuckSweep, outcomes);
    assert.deepEqual(pbtMembers(stuckSweep, stuckRuns, checkpoints).map((member) => member.stuck), [false, true, false, false]);
    const step = pbtStep(stuckSweep, stuckRuns, checkpoints, { runId: "run-1", epoch: 2 });
    assert.equal(step.action, "exploit");
    assert.match(step.reason, /^stuck \(0.9\), replaced first/);
    const unjudged = population(sweep, outcomes);
    assert.ok(pbtMembers(sweep, unjudged, checkpoints).every((member) => !member.stuck), "pruner none flags nothing");
    assert.equal(pbtStep(sweep, unjudged, checkpoints, { runId: "run-1", epoch: 2 }).action, "continue", "run 1 is the best by value");
  });
});
