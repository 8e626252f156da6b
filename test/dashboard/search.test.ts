// The shaping behind the optimization history and the parallel coordinates, and hit-testing lines.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nearestPolyline, type Projected } from "../../apps/dashboard/src/draw.ts";
import { axisKind, historySeries, objectiveLabel, objectiveShade, parallelAxes } from "../../apps/dashboard/src/search.ts";
import { DEFAULT_OBJECTIVE, parameterFormat, type SweepTrial } from "../../libs/results/index.ts";
import { trainingConfigSchema } from "../../libs/sgan/config.ts";
import { configurationOf } from "../../libs/sweep/index.ts";

const defaults = configurationOf(trainingConfigSchema.parse({}));

function trial(number: number, state: SweepTrial["state"], value: number | null, overrides: Partial<SweepTrial["hyperparameters"]>, bestSoFar: number | null = null): SweepTrial {
  return { number, configKey: `c${number}`, hyperparameters: { ...defaults, ...overrides }, state, value, step: state === "pruned" ? 3 : null, prunedReason: null, bestSoFar, runIds: [] };
}

const trials = [
  trial(0, "complete", 0.8, { lr: 1e-4, batchSize: 32, variant: "improved" }, 0.8),
  trial(1, "pruned", 0.3, { lr: 4e-4, batchSize: 128, variant: "reference" }, 0.8),
  trial(2, "running", null, { lr: 2e-4, batchSize: 64, variant: "improved" }, 0.8),
  trial(3, "complete", 0.9, { lr: 2e-4, batchSize: 32, variant: "reference" }, 0.9),
];
const parameters = { lr: { loguniform: [1e-4, 4e-4] }, batchSize: { log2int: [32, 128] }, variant: { choice: ["improved", "reference"] } };

describe("optimization history", () => {
  it("splits complete and pruned trials (at their last value) and follows the API's best so far", () => {
    const series = historySeries(trials);
    assert.deepEqual(series.complete.map(({ x, y }) => [x, y]), [[0, 0.8], [3, 0.9]]);
    assert.deepEqual(series.pruned.map(({ x, y }) => [x, y]), [[1, 0.3]]);
    assert.deepEqual(series.best, [{ x: 0, y: 0.8 }, { x: 1, y: 0.8 }, { x: 2, y: 0.8 }, { x: 3, y: 0.9 }]);
    assert.equal(objectiveLabel(DEFAULT_OBJECTIVE), "testAccuracy (last)");
    assert.equal(objectiveLabel({ ...DEFAULT_OBJECTIVE, scope: "lastK", k: 3, penalty: 1 }), "testAccuracy (lastK mean, k 3, penalty 1)");
  });
});

describe("parallel coordinates", () => {
  const format = parameterFormat(trials.map((t) => t.hyperparameters));

  it("has an axis per varying parameter, log for log-scaled ranges, categorical for choices, then the objective", () => {
    const axes = parallelAxes(trials, parameters, format, DEFAULT_OBJECTIVE);
    assert.deepEqual(axes.map((axis) => [axis.key, axis.kind, axis.label]), [
      ["batchSize", "log", "bs"],
      ["lr", "log", "lr"],
      ["variant", "categorical", "variant"],
      ["objective", "linear", "testAccuracy (last)"],
    ]);
    const [batch, lr, variant, objective] = axes;
    assert.equal(batch.position(32), 0);
    assert.ok(Math.abs(batch.position(64) - 0.5) < 1e-12, "a power of two halfway on the log axis");
    assert.ok(Math.abs(lr.position(2e-4) - 0.5) < 1e-12);
    assert.deepEqual([variant.position("improved"), variant.position("reference")], [0, 1]);
    assert.deepEqual(variant.ticks.map((tick) => tick.label), ["improved", "reference"]);
    assert.ok(Number.isNaN(objective.position(null)), "a trial without a value has no place on the objective axis");
    assert.equal(objective.position(0.9), 1);
  });

  it("takes choices of numbers and booleans as categories, and infers the kind without a spec", () => {
    assert.equal(axisKind({ choice: [32, 64, 128] }, [32, 64]), "categorical");
    assert.equal(axisKind({ uniform: [0.1, 0.9] }, [0.5]), "linear");
    assert.equal(axisKind(undefined, [true, false]), "categorical");
    assert.equal(axisKind(undefined, [0.5, 0.9]), "linear");
  });

  it("shades by the objective, the better end bright whichever the direction", () => {
    const maximize = objectiveShade(trials, DEFAULT_OBJECTIVE);
    assert.deepEqual([maximize(trials[0]), maximize(trials[3])].map((x) => Math.round(x * 1000) / 1000), [0.833, 1]);
    const minimize = objectiveShade(trials, { ...DEFAULT_OBJECTIVE, direction: "minimize" });
    assert.equal(minimize(trials[1]), 1);
    assert.ok(Number.isNaN(maximize(trials[2])));
  });

  it("finds the line under the pointer by its segments, not only its points", () => {
    const line = (px: number[], py: number[]): Projected => ({ px: Float64Array.from(px), py: Float64Array.from(py) });
    const lines = [line([0, 100], [0, 100]), line([0, 100], [100, 0]), line([0, 50, 100], [10, NaN, 10])];
    assert.equal(nearestPolyline(lines, 30, 28, 5), 0);
    assert.equal(nearestPolyline(lines, 25, 74, 5), 1);
    assert.equal(nearestPolyline(lines, 50, 10, 5), -1, "a gap (NaN) breaks the third line");
  });
});
