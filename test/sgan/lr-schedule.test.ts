import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import { disableNativeKernels } from "../../libs/backends/native/index.ts";
import { loadDataSplit, type DataSplit } from "../../libs/data/index.ts";
import { decodeCheckpoint, parseTrainingConfig, SganTrainer, type EpochMetrics, type TrainingConfigInput } from "../../libs/sgan/index.ts";
import { scheduledLearningRate, warmupBatches } from "../../libs/sgan/lr-schedule.ts";
import { planStep } from "../../libs/sgan/training-step.ts";
import { metricNumbers } from "./helpers.ts";

const PEAK = 1e-3;
const close = (actual: number, expected: number, label: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-15 + 1e-12 * Math.abs(expected), `${label}: expected ${expected}, got ${actual}`);

function rates(input: TrainingConfigInput, batchesPerEpoch: number, steps: number): number[] {
  const config = parseTrainingConfig({ epochs: 10, ...input });
  return Array.from({ length: steps }, (_, step) => scheduledLearningRate(PEAK, step, batchesPerEpoch, config));
}

describe("learning-rate schedules, per optimiser step", () => {
  it("constant gives the peak at every step, exactly", () => {
    assert.deepEqual(rates({}, 7, 70), Array(70).fill(PEAK));
  });

  it("step multiplies by lrDecay every lrStepEpochs epochs, at the epoch boundary", () => {
    const got = rates({ lrSchedule: "step", lrDecay: 0.5, lrStepEpochs: 2 }, 5, 50);
    got.forEach((lr, step) => close(lr, PEAK * 0.5 ** Math.floor(step / 5 / 2), `step ${step}`));
    assert.equal(got[9], PEAK);
    assert.equal(got[10], PEAK / 2);
  });

  it("exponential multiplies by lrDecay per epoch, continuously per batch", () => {
    const got = rates({ lrSchedule: "exponential", lrDecay: 0.8 }, 4, 40);
    got.forEach((lr, step) => close(lr, PEAK * 0.8 ** (step / 4), `step ${step}`));
    close(got[6], PEAK * 0.8 ** 1.5, "one and a half epochs");
  });

  it("cosine anneals from the peak to lrMinFactor x peak over the run", () => {
    const batches = 4;
    const got = rates({ lrSchedule: "cosine", lrMinFactor: 0.1 }, batches, 40);
    const floor = 0.1 * PEAK;
    got.forEach((lr, step) => close(lr, floor + ((PEAK - floor) * (1 + Math.cos((Math.PI * step) / 40))) / 2, `step ${step}`));
    assert.equal(got[0], PEAK);
    close(got[20], (PEAK + floor) / 2, "half way");
    assert.ok(got[39] > floor && got[39] < floor + 0.01 * PEAK, `last step ${got[39]}`);
  });

  it("warm-up climbs linearly from peak/warmupBatches to the peak, then the schedule runs over the epochs after it", () => {
    const batches = 4;
    const got = rates({ lrSchedule: "cosine", warmupEpochs: 2 }, batches, 40);
    assert.equal(warmupBatches(batches, parseTrainingConfig({ warmupEpochs: 2 })), 8);
    got.slice(0, 8).forEach((lr, step) => close(lr, (PEAK * (step + 1)) / 8, `warm-up step ${step}`));
    // 10 epochs less 2 of warm-up: the cosine spans the 32 batches after it.
    got.slice(8).forEach((lr, i) => close(lr, (PEAK * (1 + Math.cos((Math.PI * i) / 32))) / 2, `step ${8 + i}`));
    const exponential = rates({ lrSchedule: "exponential", lrDecay: 0.5, warmupEpochs: 1 }, batches, 12);
    assert.equal(exponential[3], PEAK);
    assert.equal(exponential[4], PEAK);
    close(exponential[8], PEAK / 2, "one epoch after warm-up");
    assert.deepEqual(rates({ warmupEpochs: 1 }, batches, 8), [PEAK / 4, PEAK / 2, (3 * PEAK) / 4, PEAK, PEAK, PEAK, PEAK, PEAK]);
  });

  it("a fractional warm-up rounds to whole batches, at least one", () => {
    assert.equal(warmupBatches(3, parseTrainingConfig({ warmupEpochs: 0.5 })), 2);
    assert.equal(warmupBatches(3, parseTrainingConfig({ warmupEpochs: 0.01 })), 1);
    assert.equal(warmupBatches(3, parseTrainingConfig({})), 0);
  });

  it("each network's peak is its own rate (lrG, lrD; lr when unset), on the same schedule", () => {
    const config = parseTrainingConfig({ epochs: 10, lr: 2e-4, lrD: 4e-4, lrSchedule: "exponential", lrDecay: 0.5 });
    const plan = planStep(config, 10, 3, 5);
    close(plan.generatorLr, 2e-4 * 0.5 ** 2.5, "generator");
    close(plan.discriminatorLr, 4e-4 * 0.5 ** 2.5, "discriminator");
  });
});

describe("the step plan", () => {
  it("steps the generator on the batches whose index is a multiple of dStepsPerG", () => {
    const config = parseTrainingConfig({ dStepsPerG: 3 });
    assert.deepEqual(Array.from({ length: 7 }, (_, batch) => planStep(config, 7, 2, batch).trainGenerator), [true, false, false, true, false, false, true]);
    assert.ok(Array.from({ length: 7 }, (_, batch) => planStep(parseTrainingConfig({}), 7, 1, batch).trainGenerator).every(Boolean));
  });

  it("anneals the instance noise linearly from instanceNoise to 0 over the run", () => {
    const config = parseTrainingConfig({ instanceNoise: 0.4, epochs: 2 });
    assert.equal(planStep(config, 5, 1, 0).noiseStd, 0.4);
    close(planStep(config, 5, 2, 0).noiseStd, 0.2, "half way");
    close(planStep(config, 5, 2, 4).noiseStd, 0.4 * (1 / 10), "last batch");
    assert.equal(planStep(parseTrainingConfig({}), 5, 1, 0).noiseStd, 0);
  });
});

describe("a run resumed mid-schedule trains exactly as a straight one (wasm kernels)", () => {
  let data: DataSplit;

  before(async () => {
    await initBackend("wasm");
    disableNativeKernels();
    data = await loadDataSplit({ imgSize: 28, limit: 24 });
  });

  it("cosine with warm-up, per-network rates, dStepsPerG, smoothing, noise, feature matching and EMA: checkpointed between epochs and mid-epoch", async () => {
    // 3 batches per epoch, 3 epochs: warm-up ends mid-epoch 1, the G rests on batch 1 of every epoch.
    const config = parseTrainingConfig({
      imgSize: 28, batchSize: 8, epochs: 3, seed: 7, lrSchedule: "cosine", lrMinFactor: 0.2, warmupEpochs: 0.5, lrD: 4e-4, lrG: 1e-4,
      b1G: 0.6, dStepsPerG: 2, labelSmoothing: 0.1, instanceNoise: 0.2, generatorLoss: "featureMatching", evalEma: 0.9,
    });
    const straight = SganTrainer.create(config, data);
    const straightMetrics = await epochs(straight, 3);
    const straightState = decodeCheckpoint(await straight.checkpoint());
    straight.dispose();

    const first = SganTrainer.create(config, data);
    const firstMetrics = await epochs(first, 1);
    const betweenEpochs = await first.checkpoint();
    first.dispose();
    const second = SganTrainer.restore(betweenEpochs, data);
    const controller = new AbortController();
    const stopped = await second.trainEpoch({ signal: controller.signal, onProgress: (p) => p.batch === 2 && controller.abort() });
    assert.deepEqual(stopped, { kind: "stopped", epoch: 2, batch: 2 });
    const midEpoch = await second.checkpoint();
    second.dispose();
    const last = SganTrainer.restore(midEpoch, data);
    const lastMetrics = await epochs(last, 2);
    const resumedState = decodeCheckpoint(await last.checkpoint());
    last.dispose();

    assert.deepEqual(resumedState.optimizerSteps, { generator: 6, discriminator: 9 });
    assert.deepEqual(resumedState.optimizerSteps, straightState.optimizerSteps);
    assert.deepEqual([...resumedState.tensors.keys()], [...straightState.tensors.keys()]);
    assert.ok([...straightState.tensors.keys()].some((key) => key.startsWith("ema.generator.")), "the averages are checkpointed");
    for (const [key, tensor] of straightState.tensors) assert.deepEqual(resumedState.tensors.get(key)!.values, tensor.values, key);
    const comparable = (m: EpochMetrics) => metricNumbers(m).slice(0, -1);
    assert.deepEqual([...firstMetrics, ...lastMetrics].map(comparable), straightMetrics.map(comparable));
  });
});

async function epochs(trainer: SganTrainer, count: number): Promise<EpochMetrics[]> {
  const metrics: EpochMetrics[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await trainer.trainEpoch();
    if (outcome.kind !== "completed") throw new Error(`epoch ended ${outcome.kind}`);
    metrics.push(outcome.metrics);
  }
  return metrics;
}
