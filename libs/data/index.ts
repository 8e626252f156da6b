/**
 * Data for training the semi-supervised GAN: MNIST-like digits as [-1, 1] NHWC pixels, a seeded
 * stratified train/test split, the labeled subset, and per-epoch shuffled batches.
 */
export type { DataSplit, DatasetSource, ImageSet, LoadOptions } from "./types.ts";
export type { Batch } from "./epoch-batches.ts";
export { DataError } from "./errors.ts";
export { EpochBatches } from "./epoch-batches.ts";
export { gatherBatch } from "./gather.ts";
export { labeledMask } from "./labeled-mask.ts";
export { loadDataSplit } from "./load.ts";
export { readIdxFile } from "./idx-file.ts";
export { resizeBilinear } from "./resize.ts";
