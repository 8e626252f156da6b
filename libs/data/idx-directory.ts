import { lstat, stat } from "node:fs/promises";
import { join } from "node:path";
import type { DatasetFileOptions } from "./dataset-file.ts";
import type { DatasetLocation } from "./dataset-root.ts";
import { DataError } from "./errors.ts";
import { readIdxFile, readIdxHeader } from "./idx-file.ts";
import type { ImageSet } from "./types.ts";

export interface IdxDataset {
  train: ImageSet;
  /** Present when the directory holds the t10k files, which then are the test split. */
  test?: ImageSet;
  description: string;
}

/**
 * Where an IDX directory is and how to speak of it: a path given on the trainer's command line, or
 * a dataset named over the API, whose files must stay inside the data root and whose messages name
 * the dataset, never the paths around it.
 */
export interface IdxSource {
  dir: string;
  root?: string;
  /** Prefix of messages about the folder and its files. */
  label: string;
  /** How the loaded split's description names it. */
  title: string;
}

export function idxSourceOf(location: DatasetLocation): IdxSource {
  const label = `dataset ${JSON.stringify(location.name)}`;
  return { dir: location.dir, root: location.root, label, title: label };
}

export function idxSourceAt(dir: string): IdxSource {
  return { dir, label: `IDX directory ${dir}`, title: `IDX ${dir}` };
}

type Part = "train-images" | "train-labels" | "t10k-images" | "t10k-labels";

/** Official names first, then the dotted spelling some mirrors use; each raw or gzipped. */
function candidateNames(part: Part): string[] {
  const [split, kind] = part.split("-");
  const suffix = kind === "images" ? "idx3-ubyte" : "idx1-ubyte";
  return [`${part}-${suffix}`, `${split}-${kind}.${suffix}`].flatMap((name) => [name, `${name}.gz`]);
}

interface PartFiles {
  train: { images: string; labels: string };
  test?: { images: string; labels: string };
}

/**
 * Finds the four files by their expected names only: the folder is never listed, so nothing else in
 * it shows up in a message.
 */
async function findParts(source: IdxSource): Promise<PartFiles> {
  await assertDirectory(source);
  const find = async (part: Part): Promise<string | undefined> => {
    for (const name of candidateNames(part)) if (await exists(source, name)) return name;
    return undefined;
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    (["train-images", "train-labels", "t10k-images", "t10k-labels"] as const).map(find),
  );
  const missing: Part[] = [];
  if (trainImages === undefined) missing.push("train-images");
  if (trainLabels === undefined) missing.push("train-labels");
  // Half a test pair is almost certainly an incomplete download, not a wish to split train.
  if ((testImages === undefined) !== (testLabels === undefined)) {
    missing.push(testImages === undefined ? "t10k-images" : "t10k-labels");
  }
  if (trainImages === undefined || trainLabels === undefined || missing.length > 0) {
    throw new DataError(
      `${source.label} lacks ${missing.join(", ")}; expected files: ` +
        missing.map((part) => candidateNames(part).join(" or ")).join("; ") +
        " (t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte are optional, together)",
    );
  }
  return {
    train: { images: trainImages, labels: trainLabels },
    test: testImages !== undefined && testLabels !== undefined ? { images: testImages, labels: testLabels } : undefined,
  };
}

async function assertDirectory(source: IdxSource): Promise<void> {
  const stats = await stat(source.dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new DataError(`${source.label} does not exist`);
    throw new DataError(`${source.label} cannot be read (${error.code ?? String(error)})`);
  });
  if (!stats.isDirectory()) throw new DataError(`${source.label} is not a directory`);
}

async function exists(source: IdxSource, name: string): Promise<boolean> {
  return lstat(join(source.dir, name)).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw new DataError(`${fileOptions(source, name).label}: cannot be read (${error.code ?? String(error)})`);
    },
  );
}

function fileOptions(source: IdxSource, name: string, signal?: AbortSignal): DatasetFileOptions & { path: string; label: string } {
  const path = join(source.dir, name);
  return { path, root: source.root, signal, label: source.root === undefined ? path : `${source.label}: ${name}` };
}

/** Loads an MNIST-style directory of IDX files (MNIST, Fashion-MNIST, or anything shaped like them). */
export async function loadIdxDirectory(source: IdxSource, signal?: AbortSignal): Promise<IdxDataset> {
  const parts = await findParts(source);
  const [train, test] = await Promise.all([
    readPair(source, parts.train, signal),
    parts.test === undefined ? undefined : readPair(source, parts.test, signal),
  ]);
  const description =
    test === undefined
      ? `${source.title} (${train.count.toLocaleString("en-US")} images, seeded split)`
      : `${source.title} (${train.count.toLocaleString("en-US")} train + ${test.count.toLocaleString("en-US")} t10k images)`;
  return { train, test, description };
}

/** The labels of an IDX directory's splits, with the image files checked by their headers only. */
export async function readIdxLabels(source: IdxSource, signal?: AbortSignal): Promise<{ train: Int32Array; test?: Int32Array }> {
  const parts = await findParts(source);
  const labelsOf = async (pair: { images: string; labels: string }) => {
    const images = fileOptions(source, pair.images, signal);
    const labels = fileOptions(source, pair.labels, signal);
    const [{ dims }, contents] = await Promise.all([readIdxHeader(images.path, images), readIdxFile(labels.path, labels)]);
    return checkedLabels(images.label, dims, labels.label, contents);
  };
  const [train, test] = await Promise.all([labelsOf(parts.train), parts.test === undefined ? undefined : labelsOf(parts.test)]);
  return { train, test };
}

async function readPair(source: IdxSource, pair: { images: string; labels: string }, signal?: AbortSignal): Promise<ImageSet> {
  const imagesFile = fileOptions(source, pair.images, signal);
  const labelsFile = fileOptions(source, pair.labels, signal);
  // Labels first: they are small, and a mismatch then fails before the images are read.
  const labels = await readIdxFile(labelsFile.path, labelsFile);
  const { dims } = await readIdxHeader(imagesFile.path, imagesFile);
  const labelValues = checkedLabels(imagesFile.label, dims, labelsFile.label, labels);
  const images = await readIdxFile(imagesFile.path, imagesFile);
  const [count, rows] = images.dims;
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (images.data[i] / 255) * 2 - 1;
  return { images: pixels, labels: labelValues, count, imgSize: rows };
}

function checkedLabels(imagesLabel: string, imageDims: number[], labelsLabel: string, labels: { dims: number[]; data: Uint8Array }): Int32Array {
  if (imageDims.length !== 3) {
    throw new DataError(`${imagesLabel}: expected images (magic 0x00000803, 3 dimensions), found ${imageDims.length} dimensions`);
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`${labelsLabel}: expected labels (magic 0x00000801, 1 dimension), found ${labels.dims.length} dimensions`);
  }
  const [count, rows, cols] = imageDims;
  if (rows !== cols) throw new DataError(`${imagesLabel}: images are ${rows}x${cols}; only square images are supported`);
  if (labels.dims[0] !== count) throw new DataError(`${imagesLabel} holds ${count} images but ${labelsLabel} holds ${labels.dims[0]} labels`);
  const values = Int32Array.from(labels.data);
  const bad = values.findIndex((label) => label > 9);
  if (bad >= 0) throw new DataError(`${labelsLabel}: label ${values[bad]} at index ${bad} is outside 0..9`);
  return values;
}
