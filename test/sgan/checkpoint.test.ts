import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import {
  CheckpointError,
  ConfigError,
  decodeCheckpoint,
  directoryCheckpointStore,
  parseTrainingConfig,
  runTraining,
  SganTrainer,
  type EpochMetrics,
  MID_RUN_CHANGEABLE,
} from "../../libs/sgan/index.ts";
import { encodeCheckpoint } from "../../libs/sgan/checkpoint.ts";
import { RECIPE_FIELDS } from "../../libs/sweep/fields.ts";
import { PERTURBABLE_FIELDS } from "../../libs/sweep/index.ts";
import { metricNumbers } from "./helpers.ts";

// Tiny on purpose: these are real trainings.
const config = parseTrainingConfig({ imgSize: 28, batchSize: 4, epochs: 2, seed: 5, spectralNorm: true });

async function trainEpochs(trainer: SganTrainer, count: number): Promise<EpochMetrics[]> {
  const metrics: EpochMetrics[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await trainer.trainEpoch();
    if (outcome.kind !== "completed") throw new Error(`epoch ended ${outcome.kind}`);
    metrics.push(outcome.metrics);
  }
  return metrics;
}

/** Everything but samples/s, which is a timing. */
const comparable = (m: EpochMetrics) => metricNumbers(m).slice(0, -1);

function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, label);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst < 1e-5, `${label}: max abs difference ${worst}`);
}

describe("checkpoints", () => {
  let data: DataSplit;
  let directory: string;

  before(async () => {
    data = await loadDataSplit({ imgSize: 28, limit: 8 });
    directory = await mkdtemp(join(tmpdir(), "sgan-ckpt-"));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  // On wasm (deterministic: test/sgan/fingerprint.test.ts replays recorded losses bit for bit); the pure-JS
  // cpu backend took 50-120 s for the same 10 steps, and resuming is the trainer's logic, not the backend's.
  it("wasm: 2 epochs straight equal 1 epoch + checkpoint + restore in a new trainer + 1 epoch, also when stopped mid-epoch", async () => {
    await initBackend("wasm");
    const straight = SganTrainer.create(config, data);
    const straightMetrics = await trainEpochs(straight, 2);
    const straightState = decodeCheckpoint(await straight.checkpoint());
    straight.dispose();

    const first = SganTrainer.create(config, data);
    const firstMetrics = await trainEpochs(first, 1);
    const saved = await first.checkpoint();
    first.dispose();
    const resumed = SganTrainer.restore(saved, data);
    assert.equal(resumed.epochsDone, 1);
    const resumedMetrics = await trainEpochs(resumed, 1);
    const resumedState = decodeCheckpoint(await resumed.checkpoint());
    resumed.dispose();

    // Stopped between the two batches of epoch 2, checkpointed mid-epoch, finished by a new trainer.
    const interrupted = SganTrainer.restore(saved, data);
    const controller = new AbortController();
    const stopped = await interrupted.trainEpoch({ signal: controller.signal, onProgress: (p) => p.batch === 1 && controller.abort() });
    assert.deepEqual(stopped, { kind: "stopped", epoch: 2, batch: 1 });
    const midEpoch = await interrupted.checkpoint();
    interrupted.dispose();
    assert.equal(decodeCheckpoint(midEpoch).partialEpoch?.batchesDone, 1);
    const finisher = SganTrainer.restore(midEpoch, data);
    const finishedMetrics = await trainEpochs(finisher, 1);
    const finishedState = decodeCheckpoint(await finisher.checkpoint());
    finisher.dispose();
    for (const [key, tensor] of straightState.tensors) assertClose(finishedState.tensors.get(key)!.values, tensor.values, `mid-epoch resume: ${key}`);
    assertClose(Float32Array.from(comparable(finishedMetrics[0])), Float32Array.from(comparable(straightMetrics[1])), "mid-epoch resume: epoch 2 metrics");

    assert.equal(resumedState.epochsDone, 2);
    assert.deepEqual(resumedState.optimizerSteps, straightState.optimizerSteps);
    assert.deepEqual([...resumedState.tensors.keys()], [...straightState.tensors.keys()]);
    for (const [key, tensor] of straightState.tensors) assertClose(resumedState.tensors.get(key)!.values, tensor.values, key);
    for (const [index, metrics] of [...firstMetrics, ...resumedMetrics].entries()) {
      assertClose(Float32Array.from(comparable(metrics)), Float32Array.from(comparable(straightMetrics[index])), `epoch ${index + 1} metrics`);
    }
  });

  it("runTraining (wasm) resumes from its store, stops on an aborted signal, and refuses a checkpoint of another config", async () => {
    await initBackend("wasm");
    const store = directoryCheckpointStore(directory);
    const epochs: number[] = [];
    const first = await runTraining({ ...config, epochs: 1 }, data, { checkpoints: store, onEpoch: (m) => void epochs.push(m.epoch) });
    assert.deepEqual(first, { status: "completed", epochsDone: 1 });
    const second = await runTraining(config, data, { checkpoints: store, onEpoch: (m) => void epochs.push(m.epoch) });
    assert.deepEqual(second, { status: "completed", epochsDone: 2 });
    assert.deepEqual(epochs, [1, 2]);
    const stopped = await runTraining({ ...config, epochs: 3 }, data, { checkpoints: store, signal: AbortSignal.abort() });
    assert.deepEqual(stopped, { status: "stopped", epochsDone: 2 });
    await assert.rejects(runTraining({ ...config, lr: 1e-3 }, data, { checkpoints: store }), CheckpointError);
    // The same config with its keys in another order (as PostgreSQL's jsonb gives a run's params back) is the same config.
    const reordered = Object.fromEntries(Object.entries({ ...config, epochs: 3 }).reverse()) as typeof config;
    const resumed = await runTraining(reordered, data, { checkpoints: store, onEpoch: (m) => void epochs.push(m.epoch) });
    assert.deepEqual(resumed, { status: "completed", epochsDone: 3 });
  });

  it("with midRunChanges (pbt) resumes under other values of MID_RUN_CHANGEABLE only, and saves nothing over a checkpoint onEpoch replaced (wasm)", async () => {
    await initBackend("wasm");
    assert.deepEqual([...MID_RUN_CHANGEABLE].sort(), [...PERTURBABLE_FIELDS].sort(), "libs/sweep perturbs exactly what a resume may change");
    const pbtDirectory = await mkdtemp(join(tmpdir(), "sgan-pbt-ckpt-"));
    try {
      const store = directoryCheckpointStore(pbtDirectory);
      await runTraining({ ...config, epochs: 1 }, data, { checkpoints: store });
      const copied = await store.load();
      const perturbed = { ...config, lr: 1e-3, b1: 0.8, labelSmoothing: 0.1 };
      await assert.rejects(runTraining(perturbed, data, { checkpoints: store }), CheckpointError, "off a pbt sweep any change is refused");
      await assert.rejects(runTraining({ ...perturbed, latentDim: 64 }, data, { checkpoints: store, midRunChanges: true }), CheckpointError);
      const replaced = await runTraining(perturbed, data, { checkpoints: store, midRunChanges: true, onEpoch: () => "replaced" });
      assert.deepEqual(replaced, { status: "replaced", epochsDone: 2 });
      assert.ok((await store.load())?.equals(copied!), "the store's checkpoint is left as onEpoch made it");
      const resumed = await runTraining(perturbed, data, { checkpoints: store, midRunChanges: true });
      assert.deepEqual(resumed, { status: "completed", epochsDone: 2 });
      assert.deepEqual(decodeCheckpoint((await store.load())!).config, perturbed, "trained on under the new values");
    } finally {
      await rm(pbtDirectory, { recursive: true, force: true });
    }
  });

  it("a schedule changes mid-run fields from its epochs on, as a restore under the new values would (wasm); bad entries are refused by name", async () => {
    await initBackend("wasm");
    const scheduled = parseTrainingConfig({ ...config, schedule: [{ epoch: 2, lr: 1e-3, labelSmoothing: 0.1 }] });
    const epochs: EpochMetrics[] = [];
    await runTraining(scheduled, data, { onEpoch: (metrics) => void epochs.push(metrics) });
    const straight = SganTrainer.create(config, data);
    const [first] = await trainEpochs(straight, 1);
    const switched = SganTrainer.restore(await straight.checkpoint(), data, { ...config, lr: 1e-3, labelSmoothing: 0.1 });
    straight.dispose();
    const [second] = await trainEpochs(switched, 1);
    switched.dispose();
    assert.deepEqual(epochs.map(comparable), [first, second].map(comparable));
    const refused = (schedule: unknown[], path: RegExp) =>
      assert.throws(() => parseTrainingConfig({ ...config, schedule }), (error: unknown) => error instanceof ConfigError && error.issues.some((issue) => path.test(issue.path)));
    refused([{ epoch: 3, lr: 1e-3 }], /^schedule\.0\.epoch$/);
    refused([{ epoch: 2, lr: 1e-3 }, { epoch: 2, lr: 2e-3 }], /^schedule\.1\.epoch$/);
    refused([{ epoch: 2, batchSize: 8 }], /^schedule\.0/);
  });

  it("resumes a checkpoint written before the recipe fields (none in its header config) with their defaults (wasm)", async () => {
    await initBackend("wasm");
    const trainer = SganTrainer.create({ ...config, epochs: 1 }, data);
    await trainEpochs(trainer, 1);
    const current = await trainer.checkpoint();
    trainer.dispose();
    const old = withHeaderConfig(current, (stored) => Object.fromEntries(Object.entries(stored).filter(([field]) => !(RECIPE_FIELDS as readonly string[]).includes(field))));
    assert.ok(!JSON.stringify(headerOf(old).config).includes("lrSchedule"), "the old header has no recipe field");
    assert.deepEqual(decodeCheckpoint(old).config, { ...config, epochs: 1 });
    const resumedDirectory = await mkdtemp(join(tmpdir(), "sgan-old-ckpt-"));
    try {
      await directoryCheckpointStore(resumedDirectory).save(old, 1, true);
      const outcome = await runTraining(config, data, { checkpoints: directoryCheckpointStore(resumedDirectory) });
      assert.deepEqual(outcome, { status: "completed", epochsDone: 2 });
    } finally {
      await rm(resumedDirectory, { recursive: true, force: true });
    }
  });

  it("refuses a checkpoint whose stored config this version cannot train, naming the field", () => {
    const broken = withHeaderConfig(encodeCheckpoint({ config, epochsDone: 0, partialEpoch: null, optimizerSteps: { generator: 0, discriminator: 0 }, tensors: new Map() }),
      (stored) => ({ ...stored, batchSize: 1 }));
    assert.throws(() => decodeCheckpoint(broken), (error: unknown) => error instanceof CheckpointError && /batchSize/.test(error.message));
  });

  it("rejects bytes that are not a checkpoint with a clear error", () => {
    assert.throws(() => decodeCheckpoint(Buffer.from("not a checkpoint")), /not an SGAN checkpoint/);
  });
});

/** The JSON header of a checkpoint (magic, uint32 length, header, data). */
function headerOf(checkpoint: Buffer): { config: Record<string, unknown> } {
  const length = checkpoint.readUInt32LE(8);
  return JSON.parse(checkpoint.subarray(12, 12 + length).toString("utf8"));
}

/** The same checkpoint with its header's config rewritten, as an older (or a damaged) file would hold it. */
function withHeaderConfig(checkpoint: Buffer, rewrite: (stored: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const length = checkpoint.readUInt32LE(8);
  const header = headerOf(checkpoint);
  const bytes = Buffer.from(JSON.stringify({ ...header, config: rewrite(header.config) }), "utf8");
  const lengthBytes = Buffer.alloc(4);
  lengthBytes.writeUInt32LE(bytes.length);
  return Buffer.concat([checkpoint.subarray(0, 8), lengthBytes, bytes, checkpoint.subarray(12 + length)]);
}
