/**
 * Data for training the semi-supervised GAN: MNIST-like digits as [-1, 1] NHWC pixels, a seeded
 * stratified train/test split, the labeled subset, and per-epoch shuffled batches. Datasets named
 * over the API are folders under one data root (dataset-root.ts); files are read bounded.
 */
export type { DataSplit, DatasetSource, ImageSet, LoadOptions } from "./types.ts";
export type { Batch } from "./epoch-batches.ts";
export { DataError } from "./errors.ts";
export { EpochBatches } from "./epoch-batches.ts";
export { gatherBatch } from "./gather.ts";
export { labeledMask } from "./labeled-mask.ts";
export { datasetLabels, loadDataSplit, trainingSplitLabels } from "./load.ts";
export { readIdxFile, readIdxHeader } from "./idx-file.ts";
export { resizeBilinear } from "./resize.ts";
export { MAX_DATASET_BYTES } from "./limits.ts";
export {
  DATA_ROOT_ENV,
  DEFAULT_DATA_ROOT,
  DatasetNameError,
  MNIST,
  dataRoot,
  datasetNameProblem,
  locateDataset,
  type DatasetLocation,
} from "./dataset-root.ts";
