import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { objectiveSchema, parseRankOptions, rankConfigurations, rankRuns, RankOptionsError, type EpochPoint } from "../../libs/results/index.ts";
import { close } from "./helpers.ts";

/** Epochs 1..n with the given test accuracies; the other metrics follow from them so each has its own series. */
const epochs = (accuracies: number[], losses = accuracies.map((a) => 1 - a)): EpochPoint[] =>
  accuracies.map((testAccuracy, i) => ({
    epoch: i + 1,
    testAccuracy,
    dAccMean: testAccuracy,
    dLossMean: losses[i],
    gLossMean: losses[i],
    gLossMax: losses[i],
  }));

/** A run of the given status (completed unless said) with the given epochs. */
const run = (id: string, points: EpochPoint[], status = "completed") => ({ id, status, epochs: points });

// Jumpy ends higher; stable ends slightly lower with a far smaller spread over the last three epochs.
const JUMPY = run("jumpy", epochs([0.9, 0.7, 0.95]));
const STABLE = run("stable", epochs([0.9, 0.91, 0.92]));
const EMPTY = run("empty", []);

describe("rankRuns", () => {
  it("ranks by the last test accuracy by default; runs without epochs are counted but not listed", () => {
    const ranking = rankRuns([STABLE, EMPTY, JUMPY]);
    assert.deepEqual(ranking.entries.map((entry) => [entry.rank, entry.id]), [[1, "jumpy"], [2, "stable"]]);
    assert.equal(ranking.ranked, 2);
    assert.equal(ranking.unranked, 1);
    assert.deepEqual(ranking.leftOut, { nonFinite: 1 });
    assert.equal(ranking.entries[0].score, 0.95);
    assert.equal(ranking.entries[0].value, 0.95);
  });

  it("with a high penalty a stable, slightly worse run beats a jumpy better one", () => {
    const ranking = rankRuns([JUMPY, STABLE], { k: 3, penalty: 1 });
    assert.deepEqual(ranking.entries.map((entry) => entry.id), ["stable", "jumpy"]);
    const [stable, jumpy] = ranking.entries;
    // Jumpy: last three 0.9, 0.7, 0.95, mean 0.85, deviations 0.05, -0.15, 0.1, population std sqrt(0.035 / 3).
    close(jumpy.std, Math.sqrt(0.035 / 3));
    close(jumpy.score, 0.95 - Math.sqrt(0.035 / 3));
    close(stable.std, Math.sqrt(0.0002 / 3));
    close(stable.score, 0.92 - Math.sqrt(0.0002 / 3));
  });

  it("scopes: mean of the last k, and best epoch", () => {
    const lastK = rankRuns([JUMPY, STABLE], { scope: "lastK", k: 2 });
    close(lastK.entries.find((entry) => entry.id === "jumpy")!.value, 0.825);
    assert.equal(lastK.entries[0].id, "stable");
    const best = rankRuns([run("peaked", epochs([0.99, 0.5])), STABLE], { scope: "max" });
    assert.deepEqual(best.entries.map((entry) => [entry.id, entry.value]), [["peaked", 0.99], ["stable", 0.92]]);
  });

  it("losses: lower is better, max scope means the lowest, and the penalty adds", () => {
    const low = run("low", epochs([0, 0, 0], [0.2, 3.0, 1.0]));
    const high = run("high", epochs([0, 0, 0], [1.5, 1.5, 1.5]));
    assert.deepEqual(rankRuns([high, low], { metric: "gLoss" }).entries.map((entry) => entry.id), ["low", "high"]);
    const best = rankRuns([high, low], { metric: "dLoss", scope: "max" });
    assert.deepEqual(best.entries.map((entry) => [entry.id, entry.value]), [["low", 0.2], ["high", 1.5]]);
    const penalised = rankRuns([high, low], { metric: "gLoss", penalty: 1, k: 3 });
    assert.deepEqual(penalised.entries.map((entry) => entry.id), ["high", "low"]);
    const lowEntry = penalised.entries[1];
    close(lowEntry.score, lowEntry.value + lowEntry.std);
  });

  it("dAcc reads the discriminator's accuracy, higher is better unless the direction says minimize", () => {
    const runs = [run("weak", epochs([0.4, 0.4, 0.45])), run("strong", epochs([0.6, 0.8, 0.6]))];
    assert.deepEqual(rankRuns(runs, { metric: "dAcc" }).entries.map((entry) => entry.id), ["strong", "weak"]);
    const minimized = rankRuns(runs, { metric: "dAcc", direction: "minimize", scope: "max", penalty: 1 });
    assert.deepEqual(minimized.entries.map((entry) => [entry.id, entry.value]), [["weak", 0.4], ["strong", 0.6]]);
    close(minimized.entries[0].score, 0.4 + minimized.entries[0].std);
  });

  it("leaves out runs whose figure is not finite (a diverged loss)", () => {
    const ranking = rankRuns([run("nan", epochs([0.5], [Number.NaN])), STABLE], { metric: "gLoss" });
    assert.deepEqual(ranking.entries.map((entry) => entry.id), ["stable"]);
    assert.equal(ranking.unranked, 1);
  });

  it("ranks completed runs only: the others are left out however good their figures, counted by status", () => {
    const others = (["cancelled", "failed", "diverged", "running", "queued"] as const).map((status) => run(status, epochs([0.99]), status));
    const ranking = rankRuns([...others, STABLE, run("second cancelled", epochs([0.98]), "cancelled")]);
    assert.deepEqual(ranking.entries.map((entry) => entry.id), ["stable"]);
    assert.equal(ranking.ranked, 1);
    assert.equal(ranking.unranked, 6);
    assert.deepEqual(ranking.leftOut, { cancelled: 2, failed: 1, diverged: 1, running: 1, queued: 1 });
  });

  it("limit cuts the list, not the count", () => {
    const ranking = rankRuns([JUMPY, STABLE], { limit: 1 });
    assert.equal(ranking.entries.length, 1);
    assert.equal(ranking.ranked, 2);
  });
});

describe("rankConfigurations", () => {
  // Repeats of "lucky" score 0.9 and 0.5 (mean 0.7, std 0.2); of "steady" 0.65 and 0.67 (mean 0.66, std 0.01).
  const LUCKY = { configKey: "lucky", runs: [run("l1", epochs([0.9])), run("l2", epochs([0.5]))] };
  const STEADY = { configKey: "steady", runs: [run("s1", epochs([0.65])), run("s2", epochs([0.67])), EMPTY] };
  const UNTRAINED = { configKey: "untrained", runs: [EMPTY] };

  it("scores the mean of run scores across repeats", () => {
    const ranking = rankConfigurations([STEADY, LUCKY, UNTRAINED]);
    assert.deepEqual(ranking.entries.map((entry) => [entry.rank, entry.configKey, entry.runs]), [[1, "lucky", 2], [2, "steady", 2]]);
    close(ranking.entries[0].value, 0.7);
    close(ranking.entries[0].std, 0.2);
    assert.equal(ranking.unranked, 1);
  });

  it("scores a configuration over its completed repeats; one with none completed is left out", () => {
    const cut = { configKey: "cut short", runs: [run("c1", epochs([0.99]), "cancelled"), run("c2", epochs([0.6])), run("c3", epochs([0.2]), "failed")] };
    const cancelled = { configKey: "cancelled", runs: [run("x1", epochs([0.99]), "cancelled"), run("x2", [], "queued")] };
    const ranking = rankConfigurations([cancelled, cut, STEADY]);
    assert.deepEqual(ranking.entries.map((entry) => [entry.configKey, entry.runs, entry.value]), [["steady", 2, 0.66], ["cut short", 1, 0.6]]);
    assert.equal(ranking.unranked, 1);
    assert.deepEqual(ranking.leftOut, { noCompletedRun: 1 });
    const unscorable = rankConfigurations([{ configKey: "nan", runs: [run("n", epochs([0.5], [Number.NaN]))] }], { metric: "gLoss" });
    assert.deepEqual(unscorable.leftOut, { nonFinite: 1 });
  });

  it("penalises the spread across repeats", () => {
    const ranking = rankConfigurations([LUCKY, STEADY], { penalty: 1 });
    assert.deepEqual(ranking.entries.map((entry) => entry.configKey), ["steady", "lucky"]);
    close(ranking.entries[0].score, 0.66 - 0.01);
    close(ranking.entries[1].score, 0.7 - 0.2);
  });
});

describe("parseRankOptions", () => {
  it("fills the defaults", () => {
    assert.deepEqual(parseRankOptions({}), { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, direction: "maximize", limit: 10 });
  });

  it("falls back on the sweep's objective; options given override it, another metric brings its own direction", () => {
    const objective = objectiveSchema.parse({ metric: "dAcc", scope: "lastK", k: 3, direction: "minimize" });
    assert.deepEqual(parseRankOptions({}, objective), { metric: "dAcc", scope: "lastK", k: 3, penalty: 0, direction: "minimize", limit: 10 });
    assert.deepEqual(parseRankOptions({ metric: "dAcc", penalty: "1" }, objective), { ...objective, penalty: 1, limit: 10 });
    assert.equal(parseRankOptions({ metric: "testAccuracy" }, objective).direction, "maximize");
    assert.equal(parseRankOptions({ metric: "gLoss" }, objective).direction, "minimize");
    assert.equal(parseRankOptions({ direction: "maximize" }, objective).direction, "maximize");
  });

  it("reads query-string values and ignores other parameters", () => {
    assert.deepEqual(parseRankOptions({ metric: "gLoss", scope: "lastK", k: "3", penalty: "0.5", limit: "20", status: "completed" }), {
      metric: "gLoss",
      scope: "lastK",
      k: 3,
      penalty: 0.5,
      direction: "minimize",
      limit: 20,
    });
  });

  it("refuses bad values, naming the parameter and what is allowed", () => {
    try {
      parseRankOptions({ metric: "accuracy", scope: "best", k: "0", penalty: "-1", direction: "up", limit: "", extra: "1" });
      assert.fail("expected a refusal");
    } catch (error) {
      assert.ok(error instanceof RankOptionsError);
      const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
      assert.match(byPath.metric, /"testAccuracy"\|"dAcc"\|"dLoss"\|"gLoss".*\(got "accuracy"\)/);
      assert.match(byPath.scope, /"last"\|"lastK"\|"max"/);
      assert.match(byPath.k, />=1 \(got "0"\)/);
      assert.match(byPath.penalty, />=0/);
      assert.match(byPath.limit, /expected number.*\(got ""\)/);
      assert.match(byPath.direction, /"maximize"\|"minimize"/);
      assert.deepEqual(Object.keys(byPath).sort(), ["direction", "k", "limit", "metric", "penalty", "scope"]);
    }
  });

  it("refuses a non-number and a repeated parameter", () => {
    assert.throws(() => parseRankOptions({ k: "five" }), /k: .*expected number/);
    assert.throws(() => parseRankOptions({ limit: ["1", "2"] }), /limit: .*expected number/);
  });

  it("is what rankRuns applies to its options", () => {
    assert.throws(() => rankRuns([STABLE], { k: 0 }), RankOptionsError);
  });
});
