import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createRng } from "../../libs/random/index.ts";
import {
  CategoricalParzenEstimator,
  defaultWeights,
  NumericParzenEstimator,
  type ParzenEstimator,
} from "../../libs/sweep/tpe/parzen-estimator.ts";
import { defaultGamma, splitTrials } from "../../libs/sweep/tpe/split.ts";
import type { Trial } from "../../libs/sweep/index.ts";

/** Φ at the points the hand computations need, from Python's math.erf: 0.5 * (1 + erf(x / sqrt(2))). */
const PHI = { "2.4": 0.9918024640754038, "-0.6": 0.2742531177500736, "0.5": 0.6914624612740131, "-0.5": 0.3085375387259869, "2.5": 0.9937903346742238, "-1/6": 0.43381616738909634 };
const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

const close = (actual: number, expected: number, what: string, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${actual}`);

describe("Parzen estimators by hand", () => {
  it("uniform [0, 1], one observation at 0.2: its kernel's sigma is the magic clip's 1/3, the prior's is 1, each weighs half", () => {
    // Centres 0.2 and the prior's 0.5 between the ends 0 and 1: the lowest takes the gap inwards, 0.3,
    // clipped up to width / min(100, n + 2) = 1/3.
    const estimator = new NumericParzenEstimator([0.2], [1], { low: 0, high: 1, step: null });
    for (const x of [0, 0.2, 0.45, 0.9]) {
      const observed = (0.5 * phi((x - 0.2) * 3) * 3) / (PHI["2.4"] - PHI["-0.6"]);
      const prior = (0.5 * phi(x - 0.5)) / (PHI["0.5"] - PHI["-0.5"]);
      close(estimator.logPdf(x), Math.log(observed + prior), `log pdf at ${x}`);
    }
  });

  it("three positions (int, log2int), one observation at position 0: the mass of its interval [-0.5, 0.5]", () => {
    // Axis [-0.5, 2.5]; the observation's sigma is the gap to the prior's centre, 1 (the clip's 3/3);
    // the prior sits at 1 with sigma 3.
    const estimator = new NumericParzenEstimator([0], [1], { low: -0.5, high: 2.5, step: 1 });
    const observed = (0.5 * (PHI["0.5"] - PHI["-0.5"])) / (PHI["2.5"] - PHI["-0.5"]);
    const prior = (0.5 * (PHI["-1/6"] - PHI["-0.5"])) / (PHI["0.5"] - PHI["-0.5"]);
    close(estimator.logPdf(0), Math.log(observed + prior), "log mass at 0");
    const total = [0, 1, 2].reduce((sum, x) => sum + Math.exp(estimator.logPdf(x)), 0);
    close(total, 1, "the three masses");
  });

  it("three choices, one observation of the third: kernel 0.2, 0.2, 0.6 (prior share 1/2 on each, 1 on its own, over 2.5), prior uniform", () => {
    const estimator = new CategoricalParzenEstimator([2], [1], 3);
    const expected = [0.5 * 0.2 + 0.5 / 3, 0.5 * 0.2 + 0.5 / 3, 0.5 * 0.6 + 0.5 / 3];
    expected.forEach((p, c) => close(estimator.logPdf(c), Math.log(p), `choice ${c}`));
  });

  it("draws follow the density: a discrete estimator's draws land on its positions with its masses", () => {
    const estimator = new NumericParzenEstimator([0, 4, 4], [1, 1, 1], { low: -0.5, high: 5.5, step: 1 });
    assertDrawsFollow(estimator, [0, 1, 2, 3, 4, 5]);
    assertDrawsFollow(new CategoricalParzenEstimator([1, 1, 3], [1, 1, 1], 4), [0, 1, 2, 3]);
  });

  it("continuous draws stay within the bounds and follow the density (mean of the mixture)", () => {
    const estimator = new NumericParzenEstimator([0.9, 0.95], [1, 1], { low: 0, high: 1, step: null });
    const rng = createRng(3);
    const draws = Array.from({ length: 20000 }, () => estimator.sample(rng));
    assert.ok(draws.every((x) => x >= 0 && x <= 1));
    // The mean of the density by quadrature on a fine grid.
    const grid = Array.from({ length: 2001 }, (_, i) => i / 2000);
    const density = grid.map((x) => Math.exp(estimator.logPdf(x)));
    const mean = grid.reduce((sum, x, i) => sum + x * density[i], 0) / density.reduce((sum, d) => sum + d, 0);
    const drawn = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    assert.ok(Math.abs(drawn - mean) < 0.01, `drawn mean ${drawn}, density's ${mean}`);
  });
});

/** 30,000 draws: each position's share within 0.012 of its mass (> 4 sd of a binomial share at this count). */
function assertDrawsFollow(estimator: ParzenEstimator, positions: number[]): void {
  const rng = createRng(9);
  const counts = new Map<number, number>();
  for (let i = 0; i < 30000; i++) {
    const x = estimator.sample(rng);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), positions.filter((p) => counts.has(p)));
  for (const p of positions) {
    const share = (counts.get(p) ?? 0) / 30000;
    const mass = Math.exp(estimator.logPdf(p));
    assert.ok(Math.abs(share - mass) < 0.012, `position ${p}: drawn ${share}, mass ${mass}`);
  }
}

interface FixtureCase {
  name: string;
  distribution: { kind: "float" | "int"; low: number; high: number; log: boolean; step: number | null } | { kind: "categorical"; choices: number };
  observations: number[];
  points: number[];
  weights: number[];
  logPdf: number[];
}

const fixture = JSON.parse(readFileSync(new URL("fixtures/optuna-parzen.json", import.meta.url), "utf8")) as {
  optuna: string;
  gamma: Record<string, number>;
  weights: Record<string, number[]>;
  cases: FixtureCase[];
};

/** Our estimator for an Optuna distribution: log ranges in log space, an int's step as the discrete axis's interval. */
function estimatorFor({ distribution, observations }: FixtureCase): { estimator: ParzenEstimator; toAxis: (x: number) => number } {
  const weights = defaultWeights(observations.length);
  if (distribution.kind === "categorical") {
    return { estimator: new CategoricalParzenEstimator(observations, weights, distribution.choices), toAxis: (x) => x };
  }
  const toAxis = (x: number) => (distribution.log ? Math.log(x) : x);
  const step = distribution.kind === "int" ? (distribution.step ?? 1) : distribution.step;
  const half = step === null ? 0 : step / 2;
  const axis = { low: toAxis(distribution.low) - half, high: toAxis(distribution.high) + half, step };
  return { estimator: new NumericParzenEstimator(observations.map(toAxis), weights, axis), toAxis };
}

describe(`Parzen estimators against Optuna ${fixture.optuna} (test/sweep/fixtures/optuna-parzen.py)`, () => {
  it("default_gamma and default_weights", () => {
    for (const [n, gamma] of Object.entries(fixture.gamma)) assert.equal(defaultGamma(Number(n)), gamma, `gamma(${n})`);
    for (const [n, weights] of Object.entries(fixture.weights)) {
      const ours = defaultWeights(Number(n));
      assert.equal(ours.length, weights.length);
      ours.forEach((w, i) => close(w, weights[i], `weights(${n})[${i}]`, 1e-15));
    }
  });

  for (const testCase of fixture.cases) {
    it(`${testCase.name}: the same log densities`, () => {
      const { estimator, toAxis } = estimatorFor(testCase);
      testCase.points.forEach((x, i) => close(estimator.logPdf(toAxis(x)), testCase.logPdf[i], `log pdf at ${x}`));
    });
  }
});

describe("the good/bad split", () => {
  const complete = (value: number): Trial => ({ assignment: {}, state: "complete", value });
  const pruned = (step: number, value: number | null): Trial => ({ assignment: {}, state: "pruned", step, value });
  const running: Trial = { assignment: {}, state: "running" };
  const failed: Trial = { assignment: {}, state: "failed" };

  it("ranks complete trials by value, then pruned ones by how far they got, failed ones left out", () => {
    // 11 finished (9 complete, 2 pruned): gamma(11) = 2 below.
    const trials = [complete(5), pruned(3, 0.1), complete(1), failed, complete(9), pruned(7, 9), ...[2, 8, 7, 6, 4, 3].map(complete)];
    const split = splitTrials(trials, "minimize", false);
    assert.equal(split.finished, 11);
    assert.deepEqual(split.below.map((entry) => entry.number), [2, 6]);
    assert.deepEqual(split.above.map((entry) => entry.number), [0, 1, 4, 5, 7, 8, 9, 10, 11]);
  });

  it("maximize ranks the highest first; a pruned trial beats none that completed", () => {
    const split = splitTrials([pruned(4, 100), complete(0.2), complete(0.9), pruned(1, null)], "maximize", false);
    assert.deepEqual(split.below.map((entry) => entry.number), [2]);
    assert.deepEqual(split.above.map((entry) => entry.number), [0, 1, 3]);
  });

  it("the constant liar puts running trials above (worst), and they never count as finished", () => {
    const trials = [complete(1), running, complete(2), running];
    assert.deepEqual(splitTrials(trials, "minimize", true).above.map((entry) => entry.number), [1, 2, 3]);
    assert.deepEqual(splitTrials(trials, "minimize", false).above.map((entry) => entry.number), [2]);
    assert.equal(splitTrials(trials, "minimize", true).finished, 2);
  });
});
