// Refused at submit, against the real API, with nothing stored: datasets outside the data root
// (issue 11 §1), runs too big for a worker's memory, and limit/labeled beyond the dataset's real
// training split (§2). Ordinary sweeps and the examples are still accepted.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeIdxDataset } from "../data/idx-fixtures.ts";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_feasibility_test";
const BIGGEST = { name: "biggest", samples: 1, fixed: { epochs: 1, limit: 4096, imgSize: 32 }, parameters: { batchSize: 4096, latentDim: 1024 } };

describe("submit refuses what no worker can run", { timeout: 120_000 }, () => {
  let api: TestApi;
  let base: string;
  let root: string;
  const saved = { root: process.env.SGAN_DATA_ROOT, cap: process.env.SGAN_MAX_RUN_MEMORY_MB };
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "sgan-feasibility-"));
    root = join(base, "datasets");
    await mkdir(join(root, "digits"), { recursive: true });
    await mkdir(join(base, "outside"));
    await writeIdxDataset(join(root, "digits"), { train: { size: 28, labels: Array.from({ length: 200 }, (_, i) => i % 10) }, gzip: true });
    await writeIdxDataset(join(base, "outside"), { train: { size: 28, labels: Array.from({ length: 200 }, (_, i) => i % 10) } });
    await symlink(join(base, "outside"), join(root, "escape"));
    process.env.SGAN_DATA_ROOT = root;
    delete process.env.SGAN_MAX_RUN_MEMORY_MB;
    api = await startTestApi(DATABASE);
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
    await rm(base, { recursive: true, force: true });
    for (const [name, value] of [["SGAN_DATA_ROOT", saved.root], ["SGAN_MAX_RUN_MEMORY_MB", saved.cap]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const submit = (config: unknown) =>
    call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(config) });
  /** The 400's issues by path; fails unless the submit was refused with 400 and nothing was stored. */
  const refused = async (config: unknown): Promise<Map<string, string>> => {
    const before = await api.sweepCount();
    const response = await submit(config);
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(await api.sweepCount(), before, "nothing stored");
    return new Map(response.body.issues.map((issue: { path: string; message: string }) => [issue.path, issue.message]));
  };
  const accepted = async (config: unknown) => {
    const response = await submit(config);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  };

  it("the 'biggest' sweep: 400 naming batchSize, latentDim and imgSize with the estimate against the cap", async () => {
    const issues = await refused(BIGGEST);
    for (const path of ["parameters.batchSize", "parameters.latentDim", "fixed.imgSize"]) {
      assert.match(issues.get(path) ?? "", /batchSize 4096, latentDim 1024, imgSize 32\) needs about \d+ MB, more than the 3072 MB a run may use \(SGAN_MAX_RUN_MEMORY_MB\)/, path);
    }
    assert.match(issues.get("parameters.batchSize")!, /lower batchSize to at most \d+$/);
    assert.match(issues.get("parameters.latentDim")!, /lowering latentDim alone is not enough/);
    assert.match(issues.get("fixed.imgSize")!, /imgSize 28 alone is not enough/);
    const most = Number(/at most (\d+)$/.exec(issues.get("parameters.batchSize")!)![1]);
    await accepted({ ...BIGGEST, parameters: { batchSize: most, latentDim: 1024 } });
    await refused({ ...BIGGEST, parameters: { batchSize: most + 1, latentDim: 1024 } });
  });

  it("a random range whose far end is too big is refused, whatever the draws", async () => {
    const issues = await refused({ name: "wide", strategy: "random", samples: 2, seed: 1, parameters: { batchSize: { log2int: [16, 4096] } } });
    assert.match(issues.get("parameters.batchSize")!, /largest run this sweep can plan \(batchSize 4096, latentDim 100, imgSize 32\)/);
    await refused({ name: "wide-int", parameters: { latentDim: { int: [8, 1024] }, batchSize: { choice: [32, 2048] } } });
  });

  it("the cap is configurable: SGAN_MAX_RUN_MEMORY_MB", async () => {
    process.env.SGAN_MAX_RUN_MEMORY_MB = "64";
    try {
      const issues = await refused({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, imgSize: 32 }, parameters: { batchSize: 128 } });
      assert.match(issues.get("parameters.batchSize")!, /more than the 64 MB a run may use/);
    } finally {
      delete process.env.SGAN_MAX_RUN_MEMORY_MB;
    }
  });

  it("limit beyond the training split (8,000 of mnist's 10,000 digits) is refused naming fixed.limit", async () => {
    const issues = await refused({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, limit: 8192 } });
    assert.equal(issues.get("fixed.limit"), 'dataset "mnist": limit must be an integer from 1 to 8000 (the training split\'s size), got 8192');
    await accepted({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, limit: 8000 } });
    const ours = await refused({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, dataset: "digits", limit: 161 } });
    assert.match(ours.get("fixed.limit")!, /from 1 to 160/);
  });

  it("labeled beyond what the split's classes hold is refused naming parameters.labeled, with the most it can take", async () => {
    const over = await refused({ ...TINY_SWEEP, parameters: { labeled: { choice: ["all", 100] } } });
    assert.match(over.get("parameters.labeled")!, /training split of dataset "mnist" with limit 64 cannot give 100 labels .*: at most 60/);
    // 7,000 <= 8,000 images, but class 5 has fewer than 700 in the split.
    const classes = await refused({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, limit: undefined }, parameters: { labeled: 7000 } });
    assert.match(classes.get("parameters.labeled")!, /labeled 7000 needs 700 images of class 5, the set has only \d+\): at most \d+/);
    await accepted({ ...TINY_SWEEP, parameters: { labeled: { int: [10, 60] } } });
  });

  it("fixed.dataset: absolute paths, .., /proc/self and symlinks leaving the root get a 400 naming the field", async () => {
    const dataset = (name: string) => ({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, dataset: name } });
    for (const name of ["/root", "/etc", "/proc/self", join(base, "outside")]) {
      assert.match((await refused(dataset(name))).get("fixed.dataset")!, /not an absolute path/, name);
    }
    assert.match((await refused(dataset("../outside"))).get("fixed.dataset")!, /must not contain '\.\.'/);
    assert.match((await refused(dataset("digits/../../outside"))).get("fixed.dataset")!, /must not contain '\.\.'/);
    assert.match((await refused(dataset("escape"))).get("fixed.dataset")!, /^dataset "escape" is a symlink that leads outside the data root/);
    assert.match((await refused(dataset("absent"))).get("fixed.dataset")!, /^dataset "absent" is not a folder under the data root/);
    const body = await accepted(dataset("digits"));
    assert.equal(body.runs[0].params.dataset, "digits");
  });

  it("ordinary sweeps are accepted: the tiny sweep and the examples", async () => {
    await accepted(TINY_SWEEP);
    for (const example of ["seed-study.yaml", "tiny.yaml", "ssl-100-labels.yaml"]) {
      const text = readFileSync(new URL(`../../examples/${example}`, import.meta.url), "utf8");
      const response = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: text });
      assert.equal(response.status, 201, `${example}: ${JSON.stringify(response.body)}`);
    }
  });
});
