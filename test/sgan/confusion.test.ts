// The confusion counts the trainer's evaluation sums per chunk, on hand-built batches: rows are the
// true classes, columns the predictions, for any class count. On cpu, and on wasm, whose kernels
// differ (its OneHot asked for float32 writes zeros, its MatMul takes only float32).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { confusionCounts } from "../../libs/sgan/confusion.ts";

for (const backend of ["cpu", "wasm"] as const) describe(`confusionCounts (${backend})`, () => {
  before(async () => {
    await initBackend(backend);
    assert.equal(tf.getBackend(), backend);
  });

  const counts = async (labels: number[], predictions: number[], numClasses: number): Promise<number[][]> => {
    const before = tf.memory().numTensors;
    const matrix = tf.tidy(() => confusionCounts(tf.tensor1d(labels, "int32"), tf.tensor1d(predictions, "int32"), numClasses));
    assert.equal(tf.memory().numTensors, before + 1, "only the matrix is left");
    const rows = (await matrix.array()) as number[][];
    matrix.dispose();
    return rows;
  };

  it("counts each image once, at (true class, predicted class)", async () => {
    const labels = [0, 1, 2, 1, 0, 2, 2];
    const predictions = [0, 2, 2, 1, 0, 0, 2];
    assert.deepEqual(await counts(labels, predictions, 3), [
      [2, 0, 0],
      [0, 1, 1],
      [1, 0, 2],
    ]);
  });

  it("has a row and a column for every class, with or without images", async () => {
    assert.deepEqual(await counts([0, 0, 3], [3, 0, 3], 5), [
      [1, 0, 0, 1, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it("adds up to the batch over 500 images of 10 classes, the diagonal the hits", async () => {
    const labels = Array.from({ length: 500 }, (_, i) => i % 10);
    const predictions = labels.map((label, i) => (i % 7 === 0 ? (label + 1) % 10 : label));
    const matrix = await counts(labels, predictions, 10);
    assert.equal(matrix.flat().reduce((a, b) => a + b, 0), 500);
    const hits = labels.filter((label, i) => predictions[i] === label).length;
    assert.equal(matrix.reduce((sum, row, c) => sum + row[c], 0), hits);
    assert.equal(matrix[3][4], labels.filter((label, i) => label === 3 && predictions[i] === 4).length);
  });
});
