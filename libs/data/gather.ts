import type { Batch } from "./epoch-batches.ts";
import type { ImageSet } from "./types.ts";

/** Copies the images and labels at `indices` into a fresh batch. */
export function gatherBatch(set: ImageSet, indices: Int32Array): Batch {
  const pixels = set.imgSize * set.imgSize;
  const images = new Float32Array(indices.length * pixels);
  indices.forEach((index, i) => images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels));
  return { images, labels: indices.map((index) => set.labels[index]), indices };
}
