import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRng } from "../../libs/random/index.ts";
import {
  Choice,
  Continuous,
  EvenlySpaced,
  IntRange,
  decidePbt,
  explore,
  isFiniteDistribution,
  isPbtBoundary,
  parseSweepConfig,
  pbtOptionsOf,
  perturbValue,
  quantileSize,
  searchSpace,
  toDistribution,
  type Assignment,
  type CurvePoint,
  type Distribution,
  type PbtDecision,
  type PbtMember,
  type PbtSettings,
} from "../../libs/sweep/index.ts";
import { perturbationText } from "../../libs/results/index.ts";
import { PBT_INPUT } from "./pbt-fixture.ts";

const CONFIG = parseSweepConfig({
  ...PBT_INPUT,
  seed: 11,
  fixed: { epochs: 10, imgSize: 28, limit: 256 },
  parameters: { batchSize: { choice: [32, 64] }, lr: { loguniform: [1e-4, 1e-3] }, generatorLoss: { choice: ["standard", "featureMatching"] } },
});

const SETTINGS: PbtSettings = {
  options: pbtOptionsOf(CONFIG),
  space: searchSpace(CONFIG.parameters),
  direction: "maximize",
  seed: CONFIG.seed,
  epochs: CONFIG.fixed.epochs,
};

/** A curve rising to `value` at `epoch`, one point per epoch. */
const curveTo = (epoch: number, value: number): CurvePoint[] =>
  Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1, value: (value * (i + 1)) / epoch }));

function member(index: number, value: number, epoch = 4, extra: Partial<PbtMember> = {}): PbtMember {
  return {
    runId: `run-${index}`,
    index,
    assignment: { batchSize: 32 + 32 * (index % 2), lr: 2e-4 * (index + 1), generatorLoss: "standard" },
    curve: curveTo(epoch, value),
    stuck: false,
    checkpointEpoch: epoch,
    ...extra,
  };
}

const decide = (population: PbtMember[], runId: string, epoch = 4, settings: PbtSettings = SETTINGS): PbtDecision =>
  decidePbt(settings, population, { runId, epoch });

function exploited(decision: PbtDecision): Extract<PbtDecision, { action: "exploit" }> {
  assert.equal(decision.action, "exploit", decision.reason);
  return decision as Extract<PbtDecision, { action: "exploit" }>;
}

describe("pbt: quantiles, as Ray's _quantiles", () => {
  it("takes ceil(n * quantile) members, at most floor(n / 2), none below 2 members", () => {
    const cases: Array<[number, number, number]> = [
      [0, 0.25, 0], [1, 0.25, 0], [2, 0.25, 1], [3, 0.25, 1], [4, 0.25, 1], [5, 0.25, 2], [8, 0.25, 2], [9, 0.25, 3],
      [2, 0.5, 1], [3, 0.5, 1], [10, 0.5, 5], [4, 0.1, 1],
    ];
    for (const [n, quantile, size] of cases) assert.equal(quantileSize(n, quantile), size, `n ${n}, quantile ${quantile}`);
  });
});

describe("pbt: the decision at a boundary", () => {
  const population = [member(0, 0.9), member(1, 0.5), member(2, 0.7), member(3, 0.2)];

  it("has the bottom quantile copy the top one and explore from its values; the others train on", () => {
    const decision = exploited(decide(population, "run-3"));
    assert.equal(decision.fromRunId, "run-0");
    assert.equal(decision.fromEpoch, 4);
    assert.equal(decision.explore.values.batchSize, 32, "a field not perturbed comes with the copied weights");
    assert.deepEqual(decision.explore.changes.map((change) => change.field), ["lr", "generatorLoss"]);
    assert.ok(decision.explore.changes.every((change) => change.from === population[0].assignment[change.field]), "explores from the donor's values");
    assert.match(decision.reason, /^rank 4 of 4 \(0.2\), in the bottom 1: copies run #0 \(0.9 at epoch 4 or before\) as of epoch 4; lr 0.0002 -> /);
    for (const runId of ["run-0", "run-1", "run-2"]) assert.equal(decide(population, runId).action, "continue", runId);
    assert.match(decide(population, "run-1").reason, /^rank 3 of 4: not in the bottom 1/);
  });

  it("ranks the other way for an objective to minimise", () => {
    const decision = exploited(decide(population, "run-0", 4, { ...SETTINGS, direction: "minimize" }));
    assert.equal(decision.fromRunId, "run-3");
    assert.equal(decide(population, "run-3", 4, { ...SETTINGS, direction: "minimize" }).action, "continue");
  });

  it("breaks ties by run index, the earlier run lower, as Ray's stable sort", () => {
    const tied = [member(0, 0.5), member(1, 0.5), member(2, 0.5), member(3, 0.5), member(4, 0.5)];
    // Five members: quantiles of 2, bottom runs 0 and 1, top runs 3 and 4.
    for (const runId of ["run-0", "run-1"]) assert.ok(["run-3", "run-4"].includes(exploited(decide(tied, runId)).fromRunId));
    for (const runId of ["run-2", "run-3", "run-4"]) assert.equal(decide(tied, runId).action, "continue", runId);
  });

  it("with 2 members and quantile 0.25, the worse copies the better (one member per quantile)", () => {
    const pair = [member(0, 0.3), member(1, 0.6)];
    assert.equal(exploited(decide(pair, "run-0")).fromRunId, "run-1");
    assert.equal(decide(pair, "run-1").action, "continue");
  });

  it("replaces a stuck run first, whatever its value, and never copies one", () => {
    const withStuck = [member(0, 0.9, 4, { stuck: true }), member(1, 0.5), member(2, 0.7), member(3, 0.2)];
    const decision = exploited(decide(withStuck, "run-0"));
    assert.equal(decision.fromRunId, "run-2", "the best member not stuck");
    assert.match(decision.reason, /^stuck \(0.9\), replaced first/);
    assert.equal(decide(withStuck, "run-3").action, "continue", "the stuck run takes the bottom place");
    const stuckWithoutValue = member(0, 0.9, 4, { stuck: true, curve: [] });
    assert.equal(exploited(decide([stuckWithoutValue, member(1, 0.1)], "run-0")).fromRunId, "run-1");
    const allStuck = [member(0, 0.1, 4, { stuck: true }), member(1, 0.9, 4, { stuck: true })];
    assert.match(decide(allStuck, "run-0").reason, /no top-1 member, not stuck, has a checkpoint/);
  });

  it("compares each member's value at its latest epoch at or before the decided one", () => {
    // Run 1 is ahead: 0.4 at epoch 4, 0.95 at epoch 6. At epoch 4 it is the worse.
    const ahead = member(1, 0.95, 6, { curve: [...curveTo(4, 0.4), { epoch: 5, value: 0.8 }, { epoch: 6, value: 0.95 }] });
    const pair = [member(0, 0.5), ahead];
    assert.equal(decide(pair, "run-0").action, "continue");
    // Run 1 lags at epoch 2 with 0.45: ranked by it, below run 0's 0.5 at epoch 4.
    const lagging = [member(0, 0.5), member(1, 0.45, 2)];
    assert.equal(decide(lagging, "run-0").action, "continue");
    // Skipped epochs (a non-finite value left out of the curve) fall back to the latest before.
    const gap = member(1, 0.9, 4, { curve: [{ epoch: 1, value: 0.2 }, { epoch: 3, value: 0.3 }] });
    assert.equal(exploited(decide([member(0, 0.5), gap], "run-1")).fromRunId, "run-0");
  });

  it("copies only a checkpoint that has reached the decided epoch and is not a finished run's", () => {
    const behind = [member(0, 0.1), member(1, 0.9, 4, { checkpointEpoch: 3 })];
    assert.match(decide(behind, "run-0").reason, /^rank 2 of 2 \(0.1\), in the bottom 1, but no top-1 member, not stuck, has a checkpoint from epoch 4 to 9/);
    const finished = [member(0, 0.1), member(1, 0.9, 10)];
    assert.equal(decide(finished, "run-0").action, "continue");
    const ahead = [member(0, 0.1), member(1, 0.9, 7)];
    assert.equal(exploited(decide(ahead, "run-0")).fromEpoch, 7, "a donor ahead is copied as it stands: the run continues after epoch 7");
    assert.equal(decide([member(0, 0.1), member(1, 0.9, 4, { checkpointEpoch: null })], "run-0").action, "continue");
  });

  it("decides only at multiples of the interval before the last epoch, and only ranked runs", () => {
    assert.deepEqual([1, 2, 3, 4, 8, 9, 10].map((epoch) => isPbtBoundary(epoch, SETTINGS)), [false, true, false, true, true, false, false]);
    assert.match(decide(population, "run-3", 3).reason, /epoch 3 is not a decision point \(every 2 epochs, before the last\)/);
    const unranked = [member(0, 0.9), member(1, 0.5, 4, { curve: [] })];
    assert.match(decide(unranked, "run-1").reason, /no objective value at or before epoch 4/);
    assert.throws(() => decide(population, "run-9"), /run run-9 is not in the population/);
  });

  it("decides the same for the same inputs, and draws donors uniformly from the top quantile across runs and epochs", () => {
    const eight = [0.9, 0.85, 0.5, 0.6, 0.4, 0.55, 0.2, 0.1].map((value, index) => member(index, value, 8));
    assert.deepEqual(decide(eight, "run-7", 8), decide(eight, "run-7", 8));
    assert.deepEqual(decide(eight.slice().reverse(), "run-7", 8), decide(eight, "run-7", 8), "the order the population is given in does not matter");
    const donors = new Map<string, number>();
    for (let seed = 0; seed < 200; seed++) {
      const { fromRunId } = exploited(decide(eight, "run-7", 8, { ...SETTINGS, seed }));
      donors.set(fromRunId, (donors.get(fromRunId) ?? 0) + 1);
    }
    assert.deepEqual([...donors.keys()].sort(), ["run-0", "run-1"], "the top 2 of 8");
    for (const count of donors.values()) assert.ok(count > 70, `each donor about half of 200 times: ${[...donors]}`);
    const byEpoch = [2, 4, 6, 8].map((epoch) => JSON.stringify(exploited(decide(eight, "run-7", epoch)).explore));
    assert.ok(new Set(byEpoch).size > 1, "each boundary draws afresh");
  });
});

describe("pbt: explore stays inside the search space", () => {
  const kinds: Array<[string, Distribution]> = [
    ["uniform", toDistribution({ uniform: [0.1, 0.9] })],
    ["loguniform", toDistribution({ loguniform: [1e-4, 1e-3] })],
    ["int with step", toDistribution({ int: [1, 9], step: 2 })],
    ["log2int", toDistribution({ log2int: [16, 256] })],
    ["points", toDistribution({ loguniform: [1e-4, 1e-2], points: 5 })],
    ["choice", toDistribution({ choice: ["standard", "featureMatching", 3, true] })],
  ];
  const inside = (distribution: Distribution, value: unknown) =>
    isFiniteDistribution(distribution)
      ? distribution.indexOf(value as never) !== -1
      : distribution instanceof Continuous && typeof value === "number" && value >= distribution.low && value <= distribution.high;
  const startsOf = (distribution: Distribution) =>
    isFiniteDistribution(distribution) ? Array.from({ length: distribution.size }, (_, i) => distribution.at(i)) : [(distribution as Continuous).low, (distribution as Continuous).high, ...distribution.probes()];

  for (const [kind, distribution] of kinds) {
    it(`${kind}: every perturbation from every start, ends included, is a value of the space`, () => {
      const rng = createRng(3);
      for (const start of startsOf(distribution)) {
        for (let draw = 0; draw < 200; draw++) {
          const { value } = perturbValue(distribution, start, { resampleProbability: 0.25, perturbationFactors: [1.2, 0.8] }, rng);
          assert.ok(inside(distribution, value), `${kind}: ${String(start)} -> ${String(value)}`);
        }
      }
    });
  }

  it("multiplies a continuous value by a factor, in value space also for log ranges, and clamps to the range", () => {
    const log = new Continuous(1e-4, 1e-3, true);
    const settings = { resampleProbability: 0, perturbationFactors: [1.2, 0.8] };
    const rng = createRng(5);
    const seen = new Set<number>();
    for (let draw = 0; draw < 50; draw++) {
      const { value, operation } = perturbValue(log, 5e-4, settings, rng);
      assert.equal(operation.kind, "multiply");
      if (operation.kind !== "multiply") continue;
      seen.add(operation.factor);
      assert.equal(value, Number((5e-4 * operation.factor).toPrecision(12)));
    }
    assert.deepEqual([...seen].sort(), [0.8, 1.2]);
    const up = perturbValue(log, 9e-4, { resampleProbability: 0, perturbationFactors: [1.2] }, rng);
    assert.deepEqual(up, { value: 1e-3, operation: { kind: "multiply", factor: 1.2, clamped: true } });
    const down = perturbValue(new Continuous(0.1, 0.9, false), 0.11, { resampleProbability: 0, perturbationFactors: [0.8] }, rng);
    assert.deepEqual(down, { value: 0.1, operation: { kind: "multiply", factor: 0.8, clamped: true } });
  });

  it("moves a finite value one place in its order, staying put at an end", () => {
    const settings = { resampleProbability: 0, perturbationFactors: [1.2, 0.8] };
    const rng = createRng(9);
    const ints = new IntRange(1, 9, 2);
    const moves = new Set<string>();
    for (let draw = 0; draw < 40; draw++) {
      const { value, operation } = perturbValue(ints, 5, settings, rng);
      assert.ok(value === 3 || value === 7, String(value));
      moves.add(`${operation.kind} ${operation.kind === "shift" ? operation.direction : ""}`);
      const end = perturbValue(ints, 9, settings, rng);
      assert.ok(end.value === 7 || (end.value === 9 && end.operation.kind === "shift" && end.operation.noop && end.operation.direction === 1));
    }
    assert.deepEqual([...moves].sort(), ["shift -1", "shift 1"]);
    const powers = new EvenlySpaced([16, 32, 64]);
    assert.ok([16, 64].includes(perturbValue(powers, 32, settings, rng).value as number));
    const losses = new Choice(["standard", "featureMatching"]);
    const { value } = perturbValue(losses, "standard", settings, rng);
    assert.ok(value === "standard" || value === "featureMatching");
  });

  it("resamples with resampleProbability, and always when the value is not one the space holds", () => {
    const rng = createRng(13);
    const log = new Continuous(1e-4, 1e-3, true);
    let resampled = 0;
    for (let draw = 0; draw < 400; draw++) if (perturbValue(log, 5e-4, { resampleProbability: 0.25, perturbationFactors: [1.2, 0.8] }, rng).operation.kind === "resample") resampled++;
    assert.ok(resampled > 60 && resampled < 140, `about a quarter of 400: ${resampled}`);
    const always = { resampleProbability: 1, perturbationFactors: [1.2] };
    assert.equal(perturbValue(new IntRange(1, 5), 3, always, rng).operation.kind, "resample");
    const never = { resampleProbability: 0, perturbationFactors: [1.2] };
    assert.equal(perturbValue(new IntRange(1, 5), 4.5, never, rng).operation.kind, "resample");
    assert.equal(perturbValue(log, undefined, never, rng).operation.kind, "resample");
  });

  it("explores only the perturbed fields, in the space's order, and words each change", () => {
    const donor: Assignment = { batchSize: 64, lr: 5e-4, generatorLoss: "standard" };
    const { values, changes } = explore(donor, SETTINGS.space, new Set(["generatorLoss", "lr"] as const), { resampleProbability: 0, perturbationFactors: [1.2] }, createRng(1));
    assert.equal(values.batchSize, 64);
    assert.equal(values.lr, 6e-4);
    assert.deepEqual(changes.map((change) => change.field), ["lr", "generatorLoss"]);
    assert.equal(perturbationText(changes[0]), "lr 0.0005 -> 0.0006 (x1.2)");
    assert.match(perturbationText(changes[1]), /^generatorLoss standard -> (standard \(shift left, at the end: unchanged\)|featureMatching \(shift right\))$/);
    assert.equal(perturbationText({ field: "lr", from: 9e-4, to: 1e-3, operation: { kind: "multiply", factor: 1.2, clamped: true } }), "lr 0.0009 -> 0.001 (x1.2, clamped to the range)");
    assert.equal(perturbationText({ field: "lr", from: 9e-4, to: 2e-4, operation: { kind: "resample" } }), "lr 0.0009 -> 0.0002 (resampled)");
  });
});
