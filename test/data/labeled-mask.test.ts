import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError, labeledMask } from "../../libs/data/index.ts";
import { unevenLabels } from "./idx-fixtures.ts";

const labels = Int32Array.from(unevenLabels(30));
const visiblePerClass = (mask: Uint8Array) => {
  const counts = new Array<number>(10).fill(0);
  mask.forEach((visible, i) => (counts[labels[i]] += visible));
  return counts;
};

describe("labeledMask", () => {
  it('"all" shows every label', () => {
    const mask = labeledMask(labels, "all", 1);
    assert.equal(mask.length, labels.length);
    assert.ok(mask.every((visible) => visible === 1));
  });

  it("100 labels are exactly 10 per class", () => {
    const mask = labeledMask(labels, 100, 1);
    assert.equal(mask.length, labels.length);
    assert.deepEqual(visiblePerClass(mask), new Array(10).fill(10));
    assert.ok(mask.every((visible) => visible === 0 || visible === 1));
  });

  it("gives the remainder to the lowest classes", () => {
    assert.deepEqual(visiblePerClass(labeledMask(labels, 23, 1)), [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]);
    assert.deepEqual(visiblePerClass(labeledMask(labels, 10, 1)), new Array(10).fill(1));
  });

  it("is repeatable for a seed and differs between seeds", () => {
    assert.deepEqual(labeledMask(labels, 100, 14), labeledMask(labels, 100, 14));
    assert.notDeepEqual(labeledMask(labels, 100, 14), labeledMask(labels, 100, 15));
  });

  it("rejects counts outside 10..count, naming the field and the range", () => {
    for (const bad of [9, 0, -10, labels.length + 1, 50.5, Number.NaN]) {
      assert.throws(
        () => labeledMask(labels, bad, 1),
        (error: unknown) =>
          error instanceof DataError &&
          error.message.includes("labeled") &&
          error.message.includes(`from 10 (one per class) to ${labels.length}`) &&
          error.message.includes(`got ${bad}`),
      );
    }
  });

  it("rejects a count a class cannot supply", () => {
    // Class 0 has only 30 images; 400 labels would need 40 of each.
    assert.throws(() => labeledMask(labels, 400, 1), /labeled 400 needs 40 images of class 0, the set has only 30/);
  });
});
