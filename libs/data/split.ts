import { createRng, deriveSeed, permutation } from "../random/index.ts";
import { DataError } from "./errors.ts";
import { stratifiedTake } from "./stratify.ts";

export interface SplitIndices {
  /** Indices into the training source, shuffled. */
  train: Int32Array;
  /** Indices into the test source (the training source itself when there is no separate test set), shuffled. */
  test: Int32Array;
}

export interface SplitRequest {
  trainLabels: Int32Array;
  /** Labels of a separate test set (IDX t10k); without one, the test split is carved out of train. */
  testLabels?: Int32Array;
  testFraction: number;
  splitSeed: number;
  limit?: number;
}

/**
 * Picks the train and test images. Everything derives from deriveSeed(splitSeed, "split") and the
 * labels alone, so every run (and every resumed run) of a sweep sees the same split.
 */
export function chooseSplit(request: SplitRequest): SplitIndices {
  const { trainLabels, testLabels, testFraction, splitSeed, limit } = request;
  const rng = createRng(deriveSeed(splitSeed, "split"));
  let train: Int32Array;
  let test: Int32Array;
  let testLabelsOf: Int32Array;
  if (testLabels === undefined) {
    const order = permutation(trainLabels.length, rng);
    const testSize = Math.round(testFraction * trainLabels.length);
    if (testSize === 0 || testSize === trainLabels.length) {
      throw new DataError(
        `testFraction ${testFraction} of ${trainLabels.length} images leaves an empty ${testSize === 0 ? "test" : "train"} split`,
      );
    }
    test = stratifiedTake(trainLabels, order, testSize);
    const inTest = new Uint8Array(trainLabels.length);
    for (const index of test) inTest[index] = 1;
    train = order.filter((index) => inTest[index] === 0);
    testLabelsOf = trainLabels;
  } else {
    train = permutation(trainLabels.length, rng);
    test = permutation(testLabels.length, rng);
    testLabelsOf = testLabels;
  }
  if (limit === undefined) return { train, test };

  if (!Number.isInteger(limit) || limit < 1 || limit > train.length) {
    throw new DataError(`limit must be an integer from 1 to ${train.length} (the training split's size), got ${limit}`);
  }
  const testLimit = Math.max(1, Math.round((limit * test.length) / train.length));
  return {
    train: stratifiedTake(trainLabels, train, limit),
    test: stratifiedTake(testLabelsOf, test, testLimit),
  };
}
