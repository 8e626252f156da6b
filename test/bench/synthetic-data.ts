// Random images and labels for the speed benchmarks: what a step costs does not depend on the pixels.
import type { DataSplit, ImageSet } from "../../libs/data/index.ts";
import { createRng } from "../../libs/random/index.ts";

/** `count` images of `imgSize` px with pixels uniform in [-1, 1] and labels 0-9, from `rngSeed`. */
export function syntheticSet(count: number, imgSize: 28 | 32, rngSeed: number): ImageSet {
  const rng = createRng(rngSeed);
  const images = Float32Array.from({ length: count * imgSize * imgSize }, () => rng.next() * 2 - 1);
  return { images, labels: Int32Array.from({ length: count }, () => rng.int(10)), count, imgSize };
}

/** A split of `trainCount` training images and 16 test ones. */
export function syntheticSplit(trainCount: number, imgSize: 28 | 32): DataSplit {
  return { train: syntheticSet(trainCount, imgSize, 1), test: syntheticSet(16, imgSize, 2), source: "synthetic" };
}
