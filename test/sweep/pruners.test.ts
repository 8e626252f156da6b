import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HyperbandPruner,
  MedianPruner,
  NO_PRUNER,
  SuccessiveHalvingPruner,
  createPruner,
  type PruneDecision,
  type PrunerTrial,
  type StudyDirection,
  type TrialState,
} from "../../libs/sweep/index.ts";

/** A trial whose objective was `values[0]` at epoch 1, `values[1]` at epoch 2, ... */
function trial(id: string, values: number[], state: TrialState = "running"): PrunerTrial {
  return { id, state, curve: values.map((value, i) => ({ epoch: i + 1, value })) };
}

function study(trials: PrunerTrial[], direction: StudyDirection = "maximize") {
  return { direction, trials };
}

function reasonOf(decision: PruneDecision): string {
  assert.ok(decision.prune, "expected the trial to be pruned");
  return decision.reason;
}

describe("none", () => {
  it("never prunes, however bad the trial", () => {
    const done = [trial("a", [0.9], "complete"), trial("b", [0.8], "complete")];
    assert.deepEqual(NO_PRUNER.prune(trial("c", [0]), study(done)), { prune: false });
    assert.deepEqual(createPruner({ kind: "none" }, { seed: 0, epochs: 5 }).prune(trial("c", [0]), study(done)), { prune: false });
  });
});

describe("median (Optuna's MedianPruner)", () => {
  const median = (options: Partial<{ startupTrials: number; warmupEpochs: number; interval: number }> = {}) =>
    new MedianPruner({ startupTrials: 0, warmupEpochs: 0, interval: 1, ...options });
  const completed = [trial("a", [0.3, 0.5, 0.6], "complete"), trial("b", [0.4, 0.6, 0.7], "complete"), trial("c", [0.5, 0.7, 0.8], "complete")];

  it("prunes a trial whose best value so far is below the median of the completed trials at the same epoch", () => {
    const reason = reasonOf(median().prune(trial("d", [0.4, 0.55]), study(completed)));
    assert.match(reason, /^median: best objective so far 0\.55 is below the median 0\.6 of 3 completed trial\(s\) at epoch 2$/);
  });

  it("compares the best value so far, not the latest one", () => {
    assert.equal(median().prune(trial("d", [0.65, 0.3]), study(completed)).prune, false);
  });

  it("keeps a trial at the median (pruning needs strictly worse)", () => {
    assert.equal(median().prune(trial("d", [0.6, 0.6]), study(completed)).prune, false);
  });

  it("takes the mean of the two middle values for an even count, like numpy's percentile", () => {
    const two = [trial("a", [0.5], "complete"), trial("b", [0.7], "complete")];
    assert.equal(median().prune(trial("d", [0.61]), study(two)).prune, false);
    assert.match(reasonOf(median().prune(trial("d", [0.59]), study(two))), /median 0\.6 of 2/);
  });

  it("minimizing, prunes a trial whose lowest value is above the median", () => {
    const losses = [trial("a", [1.0, 0.8], "complete"), trial("b", [1.2, 0.9], "complete"), trial("c", [1.4, 1.0], "complete")];
    assert.match(reasonOf(median().prune(trial("d", [1.3, 0.95]), study(losses, "minimize"))), /0\.95 is above the median 0\.9/);
    assert.equal(median().prune(trial("d", [1.3, 0.85]), study(losses, "minimize")).prune, false);
  });

  it("compares with completed trials only, and waits for startupTrials of them", () => {
    const others = [...completed, trial("e", [0.9, 0.9], "running"), trial("f", [0.9, 0.9], "pruned"), trial("g", [0.9, 0.9], "failed")];
    assert.match(reasonOf(median({ startupTrials: 3 }).prune(trial("d", [0.4, 0.55]), study(others))), /of 3 completed/);
    assert.equal(median({ startupTrials: 4 }).prune(trial("d", [0.4, 0.55]), study(others)).prune, false);
  });

  it("never judges the warm-up epochs", () => {
    const pruner = median({ warmupEpochs: 2 });
    assert.equal(pruner.prune(trial("d", [0.1, 0.1]), study(completed)).prune, false);
    assert.equal(pruner.prune(trial("d", [0.1, 0.1, 0.1]), study(completed)).prune, true);
  });

  it("after the warm-up judges every interval-th epoch, or the first epoch reported past a skipped one", () => {
    const long = [0, 1, 2].map((i) => trial(`done${i}`, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], "complete"));
    const pruner = median({ warmupEpochs: 1, interval: 2 });
    // Judged epochs: 2, 4, 6.
    const judged = [1, 2, 3, 4, 5, 6].filter((epochs) => pruner.prune(trial("d", Array(epochs).fill(0.1)), study(long)).prune);
    assert.deepEqual(judged, [2, 4, 6]);
    const skipping = { id: "d", state: "running" as const, curve: [1, 3, 5].map((epoch) => ({ epoch, value: 0.1 })) };
    assert.equal(pruner.prune(skipping, study(long)).prune, true, "epoch 4 was skipped, so epoch 5 is judged");
  });

  it("keeps a trial when no completed trial reached its epoch", () => {
    assert.equal(median().prune(trial("d", [0.1, 0.1, 0.1, 0.1]), study(completed)).prune, false);
  });

  it("prunes a trial whose objective is NaN at every epoch, as Optuna does", () => {
    assert.match(reasonOf(median().prune(trial("d", [NaN, NaN]), study(completed))), /NaN at every epoch up to 2/);
  });

  it("does not compare a trial with itself when the history holds it", () => {
    const judged = trial("d", [0.1], "running");
    assert.equal(median().prune(judged, study([judged])).prune, false);
  });
});

describe("asha (asynchronous successive halving, Optuna's SuccessiveHalvingPruner)", () => {
  const asha = (options: Partial<{ minEpochs: number; reductionFactor: number; minEarlyStoppingRate: number }> = {}) =>
    new SuccessiveHalvingPruner({ minEpochs: 1, reductionFactor: 3, minEarlyStoppingRate: 0, ...options });

  it("puts rungs at minEpochs x reductionFactor^(minEarlyStoppingRate + k)", () => {
    assert.deepEqual(asha().rungEpochs(30), [1, 3, 9, 27]);
    assert.deepEqual(asha({ minEpochs: 2, reductionFactor: 2 }).rungEpochs(20), [2, 4, 8, 16]);
    assert.deepEqual(asha({ minEarlyStoppingRate: 1 }).rungEpochs(30), [3, 9, 27]);
  });

  it("promotes asynchronously: each arrival at a rung is judged against the trials that reached it before", () => {
    // Trials train at different speeds; the study as it stands is the trials' curves so far.
    const curves: Record<string, number[]> = {
      a: [0.5, 0.6, 0.7, 0.72],
      b: [0.4],
      c: [0.6, 0.62, 0.65],
      d: [0.55],
      e: [0.58],
      f: [0.59, 0.6, 0.61],
      g: [0.45],
    };
    const arrivals: Array<[string, number]> = [
      ["a", 1], ["b", 1], ["a", 2], ["c", 1], ["a", 3], ["d", 1], ["c", 2], ["e", 1], ["c", 3], ["f", 1], ["a", 4], ["f", 2], ["f", 3], ["g", 1],
    ];
    const pruner = asha();
    const state = new Map<string, PrunerTrial>();
    const decisions = arrivals.map(([id, epoch]) => {
      const current = trial(id, curves[id].slice(0, epoch), state.get(id)?.state ?? "running");
      state.set(id, current);
      const decision = pruner.prune(current, study([...state.values()]));
      if (decision.prune) state.set(id, { ...current, state: "pruned" });
      return `${id}@${epoch}:${decision.prune ? "pruned" : "on"}`;
    });
    assert.deepEqual(decisions, [
      "a@1:on", // alone at rung 1: the first arrival always continues
      "b@1:pruned", // 2 at rung 1 keep max(1, floor(2/3)) = 1: a's 0.5 beats 0.4
      "a@2:on", // not a rung
      "c@1:on", // 3 keep 1: c's 0.6 is the best
      "a@3:on", // alone at rung 3
      "d@1:pruned", // 4 keep 1 (c 0.6); the pruned b still counts as having reached the rung
      "c@2:on",
      "e@1:pruned", // 5 keep 1
      "c@3:pruned", // rung 3: a recorded 0.7 there before c's 0.65
      "f@1:on", // 6 at rung 1 keep 2: 0.6 (c) and 0.59 (f)
      "a@4:on",
      "f@2:on",
      "f@3:pruned", // rung 3: a 0.7, c 0.65, f 0.61: keep 1
      "g@1:pruned", // a late arrival is compared with the values the others had at rung 1, not their latest
    ]);
  });

  it("reads a competitor's value at the rung from its curve, whatever it reached since", () => {
    const fast = trial("fast", [0.5, 0.6, 0.9, 0.95, 0.99], "complete");
    assert.equal(asha().prune(trial("late", [0.55]), study([fast])).prune, false, "0.55 beats fast's 0.5 at epoch 1");
  });

  it("keeps a tie with the last promoted value (Optuna's >=)", () => {
    assert.equal(asha().prune(trial("b", [0.5]), study([trial("a", [0.5])])).prune, false);
  });

  it("minimizing, keeps the lowest values", () => {
    const others = [trial("a", [1.0]), trial("b", [2.0])];
    assert.equal(asha().prune(trial("c", [0.9]), study(others, "minimize")).prune, false);
    assert.match(reasonOf(asha().prune(trial("c", [1.1]), study(others, "minimize"))), /needs <= 1, /);
  });

  it("judges each rung crossed since the previous report with the latest value", () => {
    const others = [trial("a", [0.5, 0.5, 0.5]), trial("b", [0.4, 0.4, 0.9])];
    const skipped: PrunerTrial = { id: "c", state: "running", curve: [{ epoch: 3, value: 0.6 }] };
    // Rung 1: 0.6 is the best of 3; rung 3: b's 0.9 is.
    assert.match(reasonOf(asha().prune(skipped, study(others))), /rung at epoch 3 is not among the best 1 of the 3/);
  });

  it("says which rung and what it took", () => {
    const reason = reasonOf(asha().prune(trial("b", [0.4]), study([trial("a", [0.5])])));
    assert.equal(reason, "asha: objective 0.4 at the rung at epoch 1 is not among the best 1 of the 2 trial(s) that reached it (needs >= 0.5, reduction factor 3)");
  });

  it("treats a competitor's NaN as the worst value and prunes a trial whose own value is NaN", () => {
    assert.equal(asha().prune(trial("b", [0.1]), study([trial("a", [NaN])])).prune, false);
    assert.match(reasonOf(asha().prune(trial("b", [NaN]), study([trial("a", [0.5])]))), /NaN at epoch 1/);
  });
});

describe("hyperband (Optuna's HyperbandPruner)", () => {
  // min 1, max 9, factor 3: 3 brackets with budgets 9, 5, 3 (total 17).
  const hyperband = (seed = 7) => new HyperbandPruner({ minEpochs: 1, maxEpochs: 9, reductionFactor: 3, seed });

  it("assigns brackets by crc32('<seed>_<id>') over the budgets, as Optuna does with study name and trial number", () => {
    // binascii.crc32(b"7_3") = 1553336970; 1553336970 % 17 = 16, past 9 + 5: bracket 2.
    assert.equal(hyperband().bracketOf("3"), 2);
    const seven = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"].map((id) => hyperband(7).bracketOf(id));
    assert.deepEqual(seven, [2, 0, 1, 0, 2, 0, 1, 1]);
    const eight = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"].map((id) => hyperband(8).bracketOf(id));
    assert.deepEqual(eight, [1, 0, 1, 0, 0, 2, 0, 1], "another seed spreads the trials differently");
  });

  it("spreads trials over the brackets in proportion to their budgets", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 17_000; i++) counts[hyperband().bracketOf(`trial-${i}`)]++;
    counts.forEach((count, bracket) => assert.ok(Math.abs(count / 1000 - [9, 5, 3][bracket]) < 0.5, `bracket ${bracket}: ${count}`));
  });

  it("compares a trial only with the trials of its own bracket", () => {
    // Seed 7: t1, t3 in bracket 0 (first rung at epoch 1); t2, t6 in bracket 1 (first rung at epoch 3).
    const betterInOtherBracket = [trial("t2", [0.9, 0.9, 0.9])];
    assert.equal(hyperband().prune(trial("t1", [0.1]), study(betterInOtherBracket)).prune, false);
    const betterInSameBracket = [trial("t3", [0.9])];
    assert.match(reasonOf(hyperband().prune(trial("t1", [0.1]), study(betterInSameBracket))), /^hyperband bracket 0: .* at epoch 1 /);
  });

  it("judges bracket b first at minEpochs x reductionFactor^b", () => {
    const leader = [trial("t6", [0.9, 0.9, 0.9])];
    assert.equal(hyperband().prune(trial("t2", [0.1, 0.1]), study(leader)).prune, false, "bracket 1 does not judge epoch 2");
    assert.match(reasonOf(hyperband().prune(trial("t2", [0.1, 0.1, 0.1]), study(leader))), /^hyperband bracket 1: .* at epoch 3 /);
    const lastBracket = [trial("t4", Array(8).fill(0.9))];
    assert.equal(hyperband().prune(trial("t0", Array(8).fill(0.1)), study(lastBracket)).prune, false, "bracket 2 waits for epoch 9");
  });

  it("takes maxEpochs from fixed.epochs when the config leaves it out", () => {
    // With 3 epochs there are 2 brackets (budgets 3 and 2): the same id lands elsewhere than with 9.
    const short = createPruner({ kind: "hyperband", minEpochs: 1, reductionFactor: 3 }, { seed: 7, epochs: 3 });
    const explicit = new HyperbandPruner({ minEpochs: 1, maxEpochs: 3, reductionFactor: 3, seed: 7 });
    const ids = Array.from({ length: 50 }, (_, i) => `t${i}`);
    assert.deepEqual(ids.map((id) => (short as HyperbandPruner).bracketOf(id)), ids.map((id) => explicit.bracketOf(id)));
    assert.ok(ids.every((id) => explicit.bracketOf(id) < 2));
  });
});
