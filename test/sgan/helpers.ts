import { createHash } from "node:crypto";
import { PNG } from "pngjs";
import type { DataSplit } from "../../libs/data/index.ts";
import { decodeCheckpoint, SganTrainer, type EpochMetrics, type TrainingConfig } from "../../libs/sgan/index.ts";
import type { CheckpointContents } from "../../libs/sgan/checkpoint.ts";

/** Every number in the metrics, flattened, for finiteness checks and comparisons. */
export function metricNumbers(metrics: EpochMetrics): number[] {
  const { dLoss, gLoss, dAcc, testAccuracy, testClassLoss, samplesPerSec } = metrics;
  return [...Object.values(dLoss), ...Object.values(gLoss), ...Object.values(dAcc), testAccuracy, testClassLoss, samplesPerSec];
}

export function decodePng(buffer: Buffer): PNG {
  return PNG.sync.read(buffer);
}

/** A copy of a split whose first training image is NaN, to make a run diverge for real. */
export function poisoned(data: DataSplit): DataSplit {
  const images = data.train.images.slice();
  images.fill(Number.NaN, 0, data.train.imgSize * data.train.imgSize);
  return { ...data, train: { ...data.train, images } };
}

/**
 * A run's checkpoint before its first batch and after each of its first `batches` batches (fewer
 * than an epoch's): one trainer, stopped after every batch and continued.
 */
export async function checkpointsPerBatch(data: DataSplit, config: TrainingConfig, batches: number): Promise<CheckpointContents[]> {
  const trainer = SganTrainer.create(config, data);
  const checkpoints = [decodeCheckpoint(await trainer.checkpoint())];
  for (let batch = 1; batch <= batches; batch++) {
    const controller = new AbortController();
    const outcome = await trainer.trainEpoch({ signal: controller.signal, onProgress: (p) => p.batch === batch && controller.abort() });
    if (outcome.kind !== "stopped") throw new Error(`the epoch ended ${outcome.kind} at batch ${batch}`);
    checkpoints.push(decodeCheckpoint(await trainer.checkpoint()));
  }
  trainer.dispose();
  return checkpoints;
}

/** A run's checkpoint after its first `batches` batches (fewer than an epoch's), on the active backend. */
export async function checkpointAfter(data: DataSplit, config: TrainingConfig, batches: number, onBatch?: (batch: number) => void): Promise<CheckpointContents> {
  const trainer = SganTrainer.create(config, data);
  const controller = new AbortController();
  const outcome = await trainer.trainEpoch({
    signal: controller.signal,
    onProgress: (p) => {
      onBatch?.(p.batch);
      if (p.batch === batches) controller.abort();
    },
  });
  const contents = decodeCheckpoint(await trainer.checkpoint());
  trainer.dispose();
  if (outcome.kind !== "stopped") throw new Error(`the epoch ended ${outcome.kind} before batch ${batches}`);
  return contents;
}

/**
 * Per-batch [g_loss, d_loss, d_acc] of a run's first `batches` batches and a sha256 of every tensor
 * its checkpoint holds after them: equal fingerprints mean the same training, bit for bit.
 */
export async function trainingFingerprint(data: DataSplit, config: TrainingConfig, batches: number, onBatch?: (batch: number) => void): Promise<{ perBatch: number[][]; tensors: string }> {
  return fingerprintOf(await checkpointAfter(data, config, batches, onBatch));
}

/** A checkpoint's per-batch figures and the sha256 of every tensor it holds. */
export function fingerprintOf(contents: CheckpointContents): { perBatch: number[][]; tensors: string } {
  const hash = createHash("sha256");
  for (const [key, tensor] of contents.tensors) hash.update(key).update(new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength));
  return { perBatch: contents.partialEpoch!.perBatch, tensors: hash.digest("hex") };
}
