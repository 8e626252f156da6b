// A trained model out of the product: a real worker trains a tiny run on an IDX dataset, `sweeps
// model` saves its networks from the checkpoints in PostgreSQL, and `npm run classify` in a fresh
// process classifies the held-out split (the dataset's t10k files, the run's test split) with the
// test accuracy of the run's stored epoch row, for the last epoch and for the best one (the
// run's accuracy peaks at epoch 3 of 4 with this seed); a PNG of one digit gets the same class.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PNG } from "pngjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type ImageSet } from "../../libs/data/index.ts";
import { DATA_ROOT_ENV } from "../../libs/data/dataset-name.ts";
import { openDatabase, resolveDatabaseUrl, type Database } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import type { RunMetrics, SweepDetail } from "../../libs/results/index.ts";
import { TrainingWorker } from "../../libs/worker/index.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "../api/helpers.ts";
import { runSweepsCli, type CliResult } from "../support/sweeps-cli.ts";
import { waitFor } from "../support/wait-for.ts";

const DATABASE = `sgan_model_export_test_${process.pid}`;
/** A sweep seed whose run's test accuracy peaks before its last epoch (0.125, 0.21875, 0.53125, 0.4375 on wasm). */
const SWEEP_SEED = 5;

/** IDX bytes of a set: its [-1, 1] pixels back to 0..255. */
function idxImages(set: ImageSet): Buffer {
  const header = Buffer.alloc(16);
  [0x803, set.count, set.imgSize, set.imgSize].forEach((value, i) => header.writeUInt32BE(value, i * 4));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(set.images, (value) => Math.round(((value + 1) / 2) * 255)))]);
}

function idxLabels(set: ImageSet): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0);
  header.writeUInt32BE(set.count, 4);
  return Buffer.concat([header, Buffer.from(Uint8Array.from(set.labels))]);
}

function classifyCli(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/cli/classify.ts", "--backend", "wasm", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("trained models out", { timeout: 120_000 }, () => {
  let api: TestApi;
  let workerDb: Database;
  let worker: TrainingWorker;
  let dir: string;
  let dataset: string;
  let runId: string;
  const savedRoot = process.env[DATA_ROOT_ENV];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-export-"));
    dataset = join(dir, "datasets", "tiny");
    await mkdir(dataset, { recursive: true });
    const split = await loadDataSplit({ imgSize: 28, limit: 128 });
    await writeFile(join(dataset, "train-images-idx3-ubyte"), idxImages(split.train));
    await writeFile(join(dataset, "train-labels-idx1-ubyte"), idxLabels(split.train));
    await writeFile(join(dataset, "t10k-images-idx3-ubyte"), idxImages(split.test));
    await writeFile(join(dataset, "t10k-labels-idx1-ubyte"), idxLabels(split.test));
    process.env[DATA_ROOT_ENV] = join(dir, "datasets");

    api = await startTestApi(DATABASE);
    workerDb = await openDatabase(withDatabase(resolveDatabaseUrl(), DATABASE));
    worker = new TrainingWorker({ db: workerDb.prisma, redisUrl: redisUrl(), queueName: api.ctx.queue.queue.name, backend: await initBackend("wasm"), log: createLogger("model-export-test") });
    await worker.start();
    const submitted = await call(api.url, "/api/sweeps", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "model-export", strategy: "grid", seed: SWEEP_SEED, fixed: { epochs: 4, dataset: "tiny", imgSize: 28 }, parameters: { batchSize: 32, lr: 1e-2, evalEma: 0.5 } }),
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id as string;
    const detail = await waitFor("the run to complete", async () => {
      const body: SweepDetail = (await call(api.url, `/api/sweeps/${sweepId}`)).body;
      return body.runs[0]?.status === "completed" && body;
    });
    runId = detail.runs[0].id;
  });

  after(async () => {
    await worker?.stop();
    await workerDb?.close();
    await api?.close();
    await dropTestDatabase(DATABASE);
    if (savedRoot === undefined) delete process.env[DATA_ROOT_ENV];
    else process.env[DATA_ROOT_ENV] = savedRoot;
    await rm(dir, { recursive: true, force: true });
  });

  it("sweeps model saves both networks; classify in a fresh process gets the run's test accuracy", async () => {
    const out = join(dir, "model");
    const saved = await runSweepsCli(["model", runId, "--out", out], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(saved.stdout, /wrote .*generator .*\nwrote .*discriminator /);
    assert.match(saved.stdout, /weights\.bin: \d+ bytes\), epoch 4\n/);
    const manifest = JSON.parse(await readFile(join(out, "discriminator", "model.json"), "utf8"));
    assert.equal(manifest.userDefinedMetadata.epoch, 4);
    assert.equal(manifest.userDefinedMetadata.averaged, true);

    const metrics: RunMetrics = (await call(api.url, `/api/runs/${runId}/metrics`)).body;
    const stored = metrics.epochs.at(-1)!.testAccuracy!;
    const firstDigit = (await readFile(join(dataset, "t10k-images-idx3-ubyte"))).subarray(16, 16 + 28 * 28);
    const png = new PNG({ width: 28, height: 28 });
    firstDigit.forEach((byte, i) => png.data.set([byte, byte, byte, 255], i * 4));
    await writeFile(join(dir, "digit.png"), PNG.sync.write(png));
    // Two fresh processes at once: the held-out split with its labels, and its first digit as a PNG.
    const [classified, single] = await Promise.all([
      classifyCli(["--model", out, "--labels", join(dataset, "t10k-labels-idx1-ubyte"), join(dataset, "t10k-images-idx3-ubyte")]),
      classifyCli(["--model", join(out, "discriminator"), join(dir, "digit.png")]),
    ]);
    assert.equal(classified.code, 0, classified.stderr);
    const lines = classified.stdout.trimEnd().split("\n");
    const accuracy = /^accuracy (\S+) \((\d+)\/(\d+)\)$/.exec(lines.at(-1)!);
    assert.ok(accuracy, classified.stdout);
    assert.equal(Number(accuracy[1]), stored, `classify ${accuracy[1]}, the run's epoch row ${stored}`);
    assert.equal(lines.length - 1, Number(accuracy[3]));
    assert.equal(single.code, 0, single.stderr);
    assert.equal(single.stdout, `0 ${lines[0].split(" ")[1]}\n`);
  });

  it("--epoch best saves the best test-accuracy epoch's networks, which classify with that epoch's accuracy", async () => {
    const metrics: RunMetrics = (await call(api.url, `/api/runs/${runId}/metrics`)).body;
    const accuracies = metrics.epochs.map((row) => row.testAccuracy!);
    const bestEpoch = metrics.epochs[accuracies.indexOf(Math.max(...accuracies))].epoch;
    console.log(`# test accuracy by epoch: ${accuracies.join(", ")}; best epoch ${bestEpoch} of ${accuracies.length}`);
    const out = join(dir, "best");
    const saved = await runSweepsCli(["model", runId, "--out", out, "--epoch", "best"], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout.match(new RegExp(`\\), epoch ${bestEpoch}\n`, "g"))?.length, 2, saved.stdout);
    const manifest = JSON.parse(await readFile(join(out, "discriminator", "model.json"), "utf8"));
    assert.equal(manifest.userDefinedMetadata.epoch, bestEpoch);
    const classified = await classifyCli(["--model", out, "--labels", join(dataset, "t10k-labels-idx1-ubyte"), join(dataset, "t10k-images-idx3-ubyte")]);
    assert.equal(classified.code, 0, classified.stderr);
    const accuracy = /^accuracy (\S+) /.exec(classified.stdout.trimEnd().split("\n").at(-1)!);
    assert.equal(Number(accuracy?.[1]), accuracies[bestEpoch - 1], `classify ${accuracy?.[1]}, the run's epoch ${bestEpoch} row ${accuracies[bestEpoch - 1]}`);

    // The API says which epoch it served, asked by name or by number; the best is not the last here.
    const byName = await fetch(`${api.url}/api/runs/${runId}/model/best/discriminator/weights.bin`);
    const byNumber = await fetch(`${api.url}/api/runs/${runId}/model/${bestEpoch}/discriminator/weights.bin`);
    const last = await fetch(`${api.url}/api/runs/${runId}/model/last/discriminator/weights.bin`);
    assert.deepEqual([byName.status, byNumber.status, last.status], [200, 200, 200]);
    assert.deepEqual([byName.headers.get("model-epoch"), byNumber.headers.get("model-epoch"), last.headers.get("model-epoch")], [String(bestEpoch), String(bestEpoch), "4"]);
    const [bestWeights, numberedWeights, lastWeights] = await Promise.all([byName, byNumber, last].map(async (response) => Buffer.from(await response.arrayBuffer())));
    assert.ok(bestWeights.equals(numberedWeights));
    assert.ok(bestEpoch < 4 && !bestWeights.equals(lastWeights), `best epoch ${bestEpoch}, accuracies ${accuracies.join(", ")}`);
  });

  it("an epoch neither last nor best, or a malformed one: a 409 naming the epochs kept, a 400 naming the field", async () => {
    const detail = (await call(api.url, `/api/runs/${runId}`)).body;
    const other = [1, 2, 3].find((epoch) => epoch !== detail.summary.bestEpoch)!;
    const gone = await call(api.url, `/api/runs/${runId}/model/${other}/discriminator/model.json`);
    assert.equal(gone.status, 409);
    assert.equal(gone.body.error, `run ${runId} has no weights of epoch ${other}: the weights kept are those of epoch 4 (last) and ${detail.summary.bestEpoch} (best when checkpointed)`);
    for (const epoch of ["first", "0", "-1"]) {
      const bad = await call(api.url, `/api/runs/${runId}/model/${epoch}/discriminator/model.json`);
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /epoch is last, best or an epoch number/);
    }
    const usage = await runSweepsCli(["model", runId, "--out", join(dir, "x"), "--epoch", "first"], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /--epoch is last, best or an epoch number/);
  });
});
