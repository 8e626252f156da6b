import assert from "node:assert/strict";
import { test } from "node:test";
import { bestSoFar } from "../../libs/results/index.ts";

const trials = [
  { state: "running", value: null },
  { state: "complete", value: 0.8 },
  { state: "pruned", value: 0.95 },
  { state: "complete", value: 0.7 },
  { state: "failed", value: null },
  { state: "complete", value: 0.9 },
];

test("best so far follows the objective's direction and counts complete trials only (a pruned trial's last value is no result)", () => {
  assert.deepEqual(bestSoFar(trials, "maximize"), [null, 0.8, 0.8, 0.8, 0.8, 0.9]);
  assert.deepEqual(bestSoFar(trials, "minimize"), [null, 0.8, 0.8, 0.7, 0.7, 0.7]);
  assert.deepEqual(bestSoFar([{ state: "complete", value: Number.NaN }, { state: "complete", value: 2 }], "minimize"), [null, 2]);
});
