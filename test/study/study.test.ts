// The study as the loop and the worker see it, from stored runs: which trials come next (slots,
// budget, determinism), what the sampler is told, and the pruning decision per configuration.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_OBJECTIVE, type RunStatus } from "../../libs/results/index.ts";
import { judgeEpoch, nextTrials, samplerTrials, type StudyEpoch, type StudyRun } from "../../libs/study/index.ts";
import { parseSweepConfig, planSweep, searchSpace, type PlannedRun, type SweepConfig } from "../../libs/sweep/index.ts";

const tpe = (extra: Record<string, unknown> = {}): SweepConfig =>
  parseSweepConfig({
    name: "study",
    strategy: "tpe",
    seed: 7,
    trials: 6,
    parallelism: 2,
    fixed: { epochs: 4, imgSize: 28, limit: 64 },
    parameters: { lr: { loguniform: [1e-4, 1e-2] }, batchSize: { choice: [32, 64] } },
    ...extra,
  });

function epoch(n: number, testAccuracy: number): StudyEpoch {
  return { epoch: n, testAccuracy, dAccMean: 0.6, dAccStd: 0.05, dLossMean: 1, dLossStd: 0.1, gLossMean: 1, gLossStd: 0.1, gLossMax: 1.2 };
}

/** Stored runs of planned runs, each with a status and its accuracy per epoch. */
function stored(planned: PlannedRun[], outcomes: Array<{ status: RunStatus; accuracies: number[] }>): StudyRun[] {
  return planned.map((run, i) => ({
    id: `run-${run.index}`,
    index: run.index,
    configKey: run.configKey,
    status: outcomes[i].status,
    params: run.params,
    epochs: outcomes[i].accuracies.map((accuracy, e) => epoch(e + 1, accuracy)),
    prunedReason: null,
  }));
}

describe("the study's next trials", () => {
  const config = tpe();
  const firstWave = planSweep(config);

  it("asks nothing while every slot is taken", () => {
    const runs = stored(firstWave, [{ status: "running", accuracies: [0.2] }, { status: "queued", accuracies: [] }]);
    assert.deepEqual(nextTrials(config, DEFAULT_OBJECTIVE, runs, 6), []);
  });

  it("fills the free slots, numbering the new runs on", () => {
    const runs = stored(firstWave, [{ status: "completed", accuracies: [0.2, 0.3, 0.4, 0.5] }, { status: "running", accuracies: [0.2] }]);
    const next = nextTrials(config, DEFAULT_OBJECTIVE, runs, 6);
    assert.equal(next.length, 1);
    assert.equal(next[0].index, 2);
    assert.equal(next[0].trial, 2);
    assert.ok(!firstWave.some((run) => run.configKey === next[0].configKey), "a configuration of its own");
  });

  it("asks the same trials for the same stored study (a retry after a crash asks nothing new)", () => {
    const runs = stored(firstWave, [{ status: "completed", accuracies: [0.2, 0.3, 0.4, 0.5] }, { status: "completed", accuracies: [0.1, 0.1, 0.2, 0.2] }]);
    const once = nextTrials(config, DEFAULT_OBJECTIVE, runs, 6);
    assert.equal(once.length, 2);
    assert.deepEqual(nextTrials(config, DEFAULT_OBJECTIVE, runs, 6), once);
  });

  it("stops at the trial budget, and asks again when it is extended", () => {
    const runs = stored(firstWave, [{ status: "completed", accuracies: [0.5] }, { status: "completed", accuracies: [0.4] }]);
    assert.deepEqual(nextTrials(config, DEFAULT_OBJECTIVE, runs, 2), []);
    assert.equal(nextTrials(config, DEFAULT_OBJECTIVE, runs, 3).length, 1);
  });

  it("asks every repeat of a new trial", () => {
    const repeated = tpe({ repeats: 2, trials: 4 });
    const wave = planSweep(repeated);
    assert.equal(wave.length, 4);
    const runs = stored(wave, wave.map(() => ({ status: "completed" as const, accuracies: [0.3] })));
    const next = nextTrials(repeated, DEFAULT_OBJECTIVE, runs, 4);
    assert.deepEqual(next.map((run) => run.repeat), [0, 0, 1, 1], "repeat-major, as at submit");
    assert.equal(new Set(next.map((run) => run.configKey)).size, 2);
  });
});

describe("what the sampler is told", () => {
  const config = tpe({ repeats: 2 });
  const wave = planSweep(config);

  it("one trial per configuration, in the order asked, valued over its completed repeats", () => {
    const runs = stored(wave, [
      { status: "completed", accuracies: [0.5, 0.6] },
      { status: "running", accuracies: [0.1] },
      { status: "completed", accuracies: [0.4, 0.8] },
      { status: "completed", accuracies: [0.3, 0.7] },
    ]);
    const trials = samplerTrials(runs, searchSpace(config.parameters), DEFAULT_OBJECTIVE);
    assert.equal(trials.length, 2);
    assert.deepEqual(trials[0], { assignment: { batchSize: wave[0].params.batchSize, lr: wave[0].params.lr }, state: "complete", value: 0.7 });
    assert.equal(trials[1].state, "running", "a repeat still training keeps the trial in flight");
  });

  it("a pruned trial carries the mean of its repeats' last values and the epoch they reached", () => {
    const runs = stored(wave, [
      { status: "pruned", accuracies: [0.2, 0.3] },
      { status: "completed", accuracies: [0.5, 0.6, 0.7, 0.8] },
      { status: "pruned", accuracies: [0.1] },
      { status: "completed", accuracies: [0.5, 0.6, 0.7, 0.8] },
    ]);
    const [pruned] = samplerTrials(runs, searchSpace(config.parameters), DEFAULT_OBJECTIVE);
    assert.equal(pruned.state, "pruned");
    assert.deepEqual(pruned.state === "pruned" && { step: pruned.step, value: Number(pruned.value!.toFixed(6)) }, { step: 2, value: 0.2 });
  });
});

describe("the pruning decision after an epoch", () => {
  const config = tpe({ trials: 6, parallelism: 6, pruner: { kind: "asha", minEpochs: 1, reductionFactor: 2 } });
  const settings = { pruner: config.pruner, objective: DEFAULT_OBJECTIVE, seed: config.seed, epochs: config.fixed.epochs };
  const wave = planSweep(config);

  it("asha stops a configuration below the top half at its rung, and lets the top half on", () => {
    const runs = stored(wave, [0.9, 0.8, 0.7, 0.2, 0.1, 0.15].map((accuracy) => ({ status: "running" as const, accuracies: [accuracy] })));
    const worst = judgeEpoch(settings, runs, { runId: "run-4", epoch: 1 });
    assert.equal(worst.prune, true);
    assert.equal(judgeEpoch(settings, runs, { runId: "run-0", epoch: 1 }).prune, false);
  });

  it("never prunes at the last epoch: the run is done", () => {
    const runs = stored(wave, [0.9, 0.8, 0.7, 0.2, 0.1, 0.15].map((accuracy) => ({ status: "running" as const, accuracies: [accuracy, accuracy, accuracy, accuracy] })));
    assert.deepEqual(judgeEpoch(settings, runs, { runId: "run-4", epoch: 4 }), { prune: false });
  });

  it("a repeat of a configuration already pruned is pruned with it", () => {
    const repeated = tpe({ repeats: 2, trials: 2, parallelism: 2, pruner: { kind: "asha", minEpochs: 1, reductionFactor: 2 } });
    const runs = stored(planSweep(repeated), [
      { status: "pruned", accuracies: [0.1] },
      { status: "running", accuracies: [0.9] },
      { status: "running", accuracies: [0.95] },
      { status: "running", accuracies: [0.8] },
    ]);
    const decision = judgeEpoch({ ...settings, pruner: repeated.pruner }, runs, { runId: "run-2", epoch: 1 });
    assert.equal(decision.prune, true);
    assert.match(decision.prune ? decision.reason : "", /configuration \(run #0\) was pruned/);
  });

  it("no pruner: never", () => {
    const runs = stored(wave, [0.9, 0.8, 0.7, 0.2, 0.1, 0.15].map((accuracy) => ({ status: "running" as const, accuracies: [accuracy] })));
    assert.deepEqual(judgeEpoch({ ...settings, pruner: { kind: "none" } }, runs, { runId: "run-4", epoch: 1 }), { prune: false });
  });
});
