import { createRng, deriveSeed, permutation } from "../random/index.ts";
import { DataError } from "./errors.ts";
import { gatherBatch } from "./gather.ts";
import type { ImageSet } from "./types.ts";

export interface Batch {
  /** batch * imgSize * imgSize values, NHWC, a copy the caller may keep or hand to a tensor. */
  images: Float32Array;
  labels: Int32Array;
  /** Positions of these images in the set, e.g. to look up a labeled mask. */
  indices: Int32Array;
}

/**
 * Shuffled mini-batches, like a PyTorch DataLoader with shuffle=True and drop_last=False. Each
 * epoch's order derives from (seed, epoch index) alone, so a run resumed at epoch k sees the same
 * batches as one that never stopped.
 */
export class EpochBatches {
  readonly batchesPerEpoch: number;
  readonly #set: ImageSet;
  readonly #batchSize: number;
  readonly #seed: number;

  constructor(set: ImageSet, batchSize: number, seed: number) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new DataError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    this.#set = set;
    this.#batchSize = batchSize;
    this.#seed = seed;
    this.batchesPerEpoch = Math.ceil(set.count / batchSize);
  }

  /** The epoch's batches, from `firstBatch` on (to finish an epoch that was interrupted). */
  *epoch(epochIndex: number, firstBatch = 0): Generator<Batch> {
    const { count } = this.#set;
    const order = permutation(count, createRng(deriveSeed(this.#seed, "shuffle", epochIndex)));
    for (let start = firstBatch * this.#batchSize; start < count; start += this.#batchSize) {
      yield gatherBatch(this.#set, order.slice(start, start + this.#batchSize));
    }
  }
}
