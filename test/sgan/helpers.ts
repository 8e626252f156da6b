import { PNG } from "pngjs";
import type { DataSplit } from "../../libs/data/index.ts";
import type { EpochMetrics } from "../../libs/sgan/index.ts";

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
