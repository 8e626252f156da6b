import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataError, EpochBatches, type ImageSet } from "../../libs/data/index.ts";

/** 2x2 images whose pixels all equal the image's index, labels index % 10. */
function numberedSet(count: number): ImageSet {
  const images = new Float32Array(count * 4);
  for (let n = 0; n < count; n++) images.fill(n, n * 4, n * 4 + 4);
  return { images, labels: Int32Array.from({ length: count }, (_, n) => n % 10), count, imgSize: 2 };
}

const order = (batches: EpochBatches, epoch: number) => [...batches.epoch(epoch)].flatMap((batch) => Array.from(batch.indices));

describe("EpochBatches", () => {
  const set = numberedSet(103);
  const batches = new EpochBatches(set, 16, 42);

  it("has ceil(count / batchSize) batches, the last one smaller", () => {
    assert.equal(batches.batchesPerEpoch, 7);
    const sizes = [...batches.epoch(0)].map((batch) => batch.indices.length);
    assert.deepEqual(sizes, [16, 16, 16, 16, 16, 16, 7]);
    assert.equal(new EpochBatches(numberedSet(96), 16, 1).batchesPerEpoch, 6);
  });

  it("visits every image exactly once per epoch", () => {
    for (const epoch of [0, 1, 5]) {
      assert.deepEqual([...order(batches, epoch)].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
    }
  });

  it("copies each image's pixels and label with its index", () => {
    for (const batch of batches.epoch(2)) {
      assert.equal(batch.images.length, batch.indices.length * 4);
      assert.equal(batch.labels.length, batch.indices.length);
      batch.indices.forEach((index, i) => {
        assert.deepEqual(Array.from(batch.images.subarray(i * 4, i * 4 + 4)), [index, index, index, index]);
        assert.equal(batch.labels[i], index % 10);
      });
      assert.notEqual(batch.images.buffer, set.images.buffer);
    }
  });

  it("repeats an epoch's order for the same epoch index, also from a fresh instance", () => {
    assert.deepEqual(order(batches, 3), order(batches, 3));
    assert.deepEqual(order(new EpochBatches(set, 16, 42), 3), order(batches, 3));
    // The order is per image, not per batch layout: another batch size walks the same sequence.
    assert.deepEqual(order(new EpochBatches(set, 10, 42), 3), order(batches, 3));
  });

  it("shuffles differently between epochs and seeds", () => {
    assert.notDeepEqual(order(batches, 0), order(batches, 1));
    assert.notDeepEqual(order(new EpochBatches(set, 16, 43), 0), order(batches, 0));
    assert.notDeepEqual(order(batches, 0), Array.from({ length: 103 }, (_, i) => i));
  });

  it("rejects a batch size that is not a positive integer", () => {
    for (const bad of [0, -1, 2.5]) {
      assert.throws(() => new EpochBatches(set, bad, 1), (error: unknown) => error instanceof DataError && /batchSize/.test(error.message));
    }
  });
});
