/**
 * Images per run where a test must hit a run while it trains: with the native kernels a worker trains
 * ~150-200 samples/s here, so 1,024 images keep each epoch busy for several seconds.
 */
export const RUN_LONG_ENOUGH = 1024;

/** A grid sweep of one run per learning rate on `limit` MNIST digits, batch 32, img 28. */
export const tinySweep = (name: string, lrs: number[], epochs: number, limit: number) => ({
  name,
  strategy: "grid",
  fixed: { epochs, dataset: "mnist", imgSize: 28, limit },
  parameters: { batchSize: 32, lr: { choice: lrs } },
});
