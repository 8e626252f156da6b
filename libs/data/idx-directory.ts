import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "./errors.ts";
import { readIdxFile } from "./idx-file.ts";
import type { ImageSet } from "./types.ts";

export interface IdxDataset {
  train: ImageSet;
  /** Present when the directory holds the t10k files, which then are the test split. */
  test?: ImageSet;
  description: string;
}

type Part = "train-images" | "train-labels" | "t10k-images" | "t10k-labels";

/** Official names first, then the dotted spelling some mirrors use; each raw or gzipped. */
function candidateNames(part: Part): string[] {
  const [split, kind] = part.split("-");
  const suffix = kind === "images" ? "idx3-ubyte" : "idx1-ubyte";
  return [`${part}-${suffix}`, `${split}-${kind}.${suffix}`].flatMap((name) => [name, `${name}.gz`]);
}

/** Loads an MNIST-style directory of IDX files (MNIST, Fashion-MNIST, or anything shaped like them). */
export async function loadIdxDirectory(dir: string): Promise<IdxDataset> {
  const entries = await listDirectory(dir);
  const present = new Set(entries);
  const find = (part: Part): string | undefined => {
    const name = candidateNames(part).find((candidate) => present.has(candidate));
    return name === undefined ? undefined : join(dir, name);
  };
  const trainImages = find("train-images");
  const trainLabels = find("train-labels");
  const testImages = find("t10k-images");
  const testLabels = find("t10k-labels");

  const missing: Part[] = [];
  if (trainImages === undefined) missing.push("train-images");
  if (trainLabels === undefined) missing.push("train-labels");
  // Half a test pair is almost certainly an incomplete download, not a wish to split train.
  if ((testImages === undefined) !== (testLabels === undefined)) {
    missing.push(testImages === undefined ? "t10k-images" : "t10k-labels");
  }
  if (trainImages === undefined || trainLabels === undefined || missing.length > 0) {
    throw new DataError(
      `IDX directory ${dir} lacks ${missing.join(", ")}; expected files: ` +
        missing.map((part) => candidateNames(part).join(" or ")).join("; ") +
        ` (t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte are optional, together); ` +
        `found: ${entries.length === 0 ? "nothing" : entries.slice(0, 12).join(", ") + (entries.length > 12 ? ", ..." : "")}`,
    );
  }

  const [train, test] = await Promise.all([
    readPair(trainImages, trainLabels),
    testImages !== undefined && testLabels !== undefined ? readPair(testImages, testLabels) : undefined,
  ]);
  const description =
    test === undefined
      ? `IDX ${dir} (${train.count.toLocaleString("en-US")} images, seeded split)`
      : `IDX ${dir} (${train.count.toLocaleString("en-US")} train + ${test.count.toLocaleString("en-US")} t10k images)`;
  return { train, test, description };
}

async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(`IDX directory ${dir} does not exist`);
    if (code === "ENOTDIR") throw new DataError(`IDX directory ${dir} is not a directory`);
    throw new DataError(`IDX directory ${dir} cannot be read (${code ?? String(error)})`);
  }
}

async function readPair(imagesPath: string, labelsPath: string): Promise<ImageSet> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  if (images.dims.length !== 3) {
    throw new DataError(`${imagesPath}: expected images (magic 0x00000803, 3 dimensions), found ${images.dims.length} dimensions`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsPath}: expected labels (magic 0x00000801, 1 dimension), found ${labels.dims.length} dimensions`);
  }
  const [count, rows, cols] = images.dims;
  if (rows !== cols) {
    throw new DataError(`${imagesPath}: images are ${rows}x${cols}; only square images are supported`);
  }
  if (labels.dims[0] !== count) {
    throw new DataError(`${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.dims[0]} labels`);
  }
  const labelValues = Int32Array.from(labels.data);
  const bad = labelValues.findIndex((label) => label > 9);
  if (bad >= 0) {
    throw new DataError(`${labelsPath}: label ${labelValues[bad]} at index ${bad} is outside 0..9`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (images.data[i] / 255) * 2 - 1;
  return { images: pixels, labels: labelValues, count, imgSize: rows };
}
