/**
 * Most bytes of pixels one IDX images file may hold (count x rows x cols, after decompression):
 * 128 MiB, about 170,000 28x28 images (Fashion-MNIST's 60,000 training images are 47 MB). A worker
 * holds a loaded set as float32 at 32x32, about 5x that, and caches a few sets.
 */
export const MAX_DATASET_BYTES = 128 * 2 ** 20;

/** Reads go this many bytes at a time, so that a cancel stops a long read between two of them. */
export const READ_CHUNK_BYTES = 2 ** 20;
