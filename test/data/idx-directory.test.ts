import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DataError, loadDataSplit } from "../../libs/data/index.ts";
import { decodeIds, idxBytes, tempDir, unevenLabels, writeIdxDataset } from "./idx-fixtures.ts";

const isDataError = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof DataError, `expected DataError, got ${String(error)}`);
  assert.match(error.message, pattern);
  return true;
};

describe("loadDataSplit from an IDX directory", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir: root, cleanup } = await tempDir()));
  after(() => cleanup());
  let dirs = 0;
  const freshDir = async () => {
    const dir = join(root, `case-${dirs++}`);
    await mkdir(dir);
    return dir;
  };

  const trainLabels = unevenLabels(20);
  const testLabels = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 0];

  it("uses the t10k files as the test split and ignores testFraction", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels }, test: { size: 28, labels: testLabels }, gzip: true });
    const split = await loadDataSplit({ source: { idxDir: dir }, imgSize: 28, testFraction: 0.5 });

    assert.equal(split.train.count, trainLabels.length);
    assert.equal(split.test.count, testLabels.length);
    assert.match(split.source, new RegExp(`IDX ${dir} \\(${trainLabels.length} train \\+ 16 t10k images\\)`));
    const trainIds = decodeIds(split.train.images, split.train.count, 28);
    assert.deepEqual([...trainIds].sort((a, b) => a - b), trainLabels.map((_, i) => i));
    trainIds.forEach((id, i) => assert.equal(split.train.labels[i], trainLabels[id]));
    const testIds = decodeIds(split.test.images, split.test.count, 28);
    testIds.forEach((id, i) => assert.equal(split.test.labels[i], testLabels[id]));
    assert.deepEqual([...testIds].sort((a, b) => a - b), testLabels.map((_, i) => i));
  });

  it("scales bytes to [-1, 1] and resizes 28 -> 32", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels }, dotted: true });
    const split = await loadDataSplit({ source: { idxDir: dir } });
    assert.equal(split.train.imgSize, 32);
    assert.equal(split.train.images.length, split.train.count * 32 * 32);
    assert.equal(split.test.images.length, split.test.count * 32 * 32);
    // Away from the id-carrying corner, an image is flat at label * 20 / 255, which resizing keeps.
    const n = 0;
    const expected = ((split.train.labels[n] * 20) / 255) * 2 - 1;
    assert.ok(Math.abs(split.train.images[n * 1024 + 16 * 32 + 16] - expected) < 1e-6);

    const raw = await loadDataSplit({ source: { idxDir: dir }, imgSize: 28 });
    const min = raw.train.images.reduce((a, b) => Math.min(a, b));
    const max = raw.train.images.reduce((a, b) => Math.max(a, b));
    assert.equal(min, -1); // byte 0
    assert.ok(max <= 1 && max > 0.4, `max ${max}`); // label 9 -> byte 180
  });

  it("splits train with a seed when there are no t10k files", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels } });
    const split = await loadDataSplit({ source: { idxDir: dir }, imgSize: 28, testFraction: 0.25 });
    assert.equal(split.test.count, Math.round(trainLabels.length * 0.25));
    assert.equal(split.train.count + split.test.count, trainLabels.length);
    assert.match(split.source, /seeded split/);
  });

  it("rejects image and label counts that differ, naming both files", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels } });
    await writeFile(join(dir, "train-labels-idx1-ubyte"), idxBytes([5], Uint8Array.of(1, 2, 3, 4, 5)));
    await assert.rejects(
      loadDataSplit({ source: { idxDir: dir } }),
      isDataError(new RegExp(`train-images-idx3-ubyte holds ${trainLabels.length} images but .*train-labels-idx1-ubyte holds 5 labels`)),
    );
  });

  it("rejects labels outside 0..9", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: [0, 1, 2, 12, 4] } });
    await assert.rejects(
      loadDataSplit({ source: { idxDir: dir } }),
      isDataError(/train-labels-idx1-ubyte: label 12 at index 3 is outside 0\.\.9/),
    );
  });

  it("rejects labels where images belong", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels } });
    await writeFile(join(dir, "train-images-idx3-ubyte"), idxBytes([3], Uint8Array.of(1, 2, 3)));
    await assert.rejects(loadDataSplit({ source: { idxDir: dir } }), isDataError(/train-images-idx3-ubyte: expected images/));
  });

  it("names the expected files when some are missing, never the folder's other entries", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels } });
    await rm(join(dir, "train-labels-idx1-ubyte"));
    await writeFile(join(dir, "private-notes.txt"), "secret");
    await assert.rejects(loadDataSplit({ source: { idxDir: dir } }), (error: unknown) => {
      isDataError(new RegExp(`${dir} lacks train-labels; expected files: train-labels-idx1-ubyte or .*train-labels\\.idx1-ubyte\\.gz`))(error);
      assert.doesNotMatch((error as Error).message, /private-notes|train-images-idx3-ubyte/);
      return true;
    });
  });

  it("rejects half a t10k pair", async () => {
    const dir = await freshDir();
    await writeIdxDataset(dir, { train: { size: 28, labels: trainLabels }, test: { size: 28, labels: testLabels } });
    await rm(join(dir, "t10k-images-idx3-ubyte"));
    await assert.rejects(loadDataSplit({ source: { idxDir: dir } }), isDataError(/lacks t10k-images; expected files: t10k-images-idx3-ubyte/));
  });

  it("reports a directory that does not exist", async () => {
    const dir = join(root, "nowhere");
    await assert.rejects(loadDataSplit({ source: { idxDir: dir } }), isDataError(new RegExp(`${dir} does not exist`)));
  });
});
