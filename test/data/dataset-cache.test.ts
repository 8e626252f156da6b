// The worker's dataset cache: names resolve under the worker's own data root on every load (a job's
// params are never trusted as a path), and a run's stop ends its wait, and the load once no run waits.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DatasetNameError } from "../../libs/data/index.ts";
import { DatasetCache } from "../../libs/worker/index.ts";
import { tempDir, unevenLabels, writeIdxDataset } from "./idx-fixtures.ts";

describe("DatasetCache", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const labels = unevenLabels(20);
  before(async () => {
    let base: string;
    ({ dir: base, cleanup } = await tempDir());
    root = join(base, "root");
    await mkdir(join(root, "digits"), { recursive: true });
    await writeIdxDataset(join(root, "digits"), { train: { size: 28, labels }, gzip: true });
  });
  after(() => cleanup());

  it("loads a dataset by its name under its root, and refuses a path even if it reached the job", async () => {
    const cache = new DatasetCache(4, root);
    const split = await cache.get({ dataset: "digits", imgSize: 28 });
    assert.equal(split.train.count + split.test.count, labels.length);
    assert.equal(await cache.get({ dataset: "digits", imgSize: 28 }), split, "cached");
    await assert.rejects(cache.get({ dataset: join(root, "digits"), imgSize: 28 }), DatasetNameError);
    await assert.rejects(cache.get({ dataset: "../root/digits", imgSize: 28 }), DatasetNameError);
  });

  it("a stopped run stops waiting with its reason; another run waiting for the same load still gets it", async () => {
    const cache = new DatasetCache(4, root);
    const stopping = new AbortController();
    const first = cache.get({ dataset: "digits", imgSize: 32 }, stopping.signal);
    const second = cache.get({ dataset: "digits", imgSize: 32 }, new AbortController().signal);
    stopping.abort(new Error("run cancelled"));
    await assert.rejects(first, /run cancelled/);
    assert.equal((await second).train.imgSize, 32);
  });

  it("when the only waiting run stops, the load stops and is not cached: the next run loads afresh", async () => {
    const cache = new DatasetCache(4, root);
    const stopping = new AbortController();
    const stopped = cache.get({ dataset: "digits", imgSize: 28, limit: 100 }, stopping.signal);
    stopping.abort(new Error("run cancelled"));
    await assert.rejects(stopped, /run cancelled/);
    const again = await cache.get({ dataset: "digits", imgSize: 28, limit: 100 }, new AbortController().signal);
    assert.equal(again.train.count, 100);
    const already = new AbortController();
    already.abort(new Error("stopped before"));
    await assert.rejects(cache.get({ dataset: "digits", imgSize: 28 }, already.signal), /stopped before/);
  });
});
