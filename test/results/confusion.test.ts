// What the API, the CLI and the dashboard read from a stored confusion matrix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classAccuracies, confusionAccuracy, confusionTotal } from "../../libs/results/index.ts";

describe("confusion matrix figures", () => {
  const matrix = [
    [2, 0, 0],
    [0, 1, 1],
    [1, 0, 2],
  ];

  it("per-class accuracy is the diagonal over the row; the total and accuracy cover every image", () => {
    assert.deepEqual(classAccuracies(matrix), [1, 0.5, 2 / 3]);
    assert.equal(confusionTotal(matrix), 7);
    assert.equal(confusionAccuracy(matrix), 5 / 7);
  });

  it("a class without held-out images has no accuracy, and an empty matrix none at all", () => {
    assert.deepEqual(classAccuracies([[3, 1], [0, 0]]), [0.75, null]);
    assert.equal(confusionAccuracy([[0, 0], [0, 0]]), null);
    assert.equal(confusionTotal([]), 0);
  });
});
