import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** Bytes of an IDX file of unsigned bytes; `magic` overrides the header's first four bytes. */
export function idxBytes(dims: number[], data: Uint8Array, magic = 0x00000800 + dims.length): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

export interface Digits {
  size: number;
  labels: number[];
}

/**
 * Images whose first two pixels encode their own index (low byte, high byte), so a test can tell
 * which source image ended up where; the rest of the image is its label * 20.
 */
export function digitImages({ size, labels }: Digits): Uint8Array {
  const pixels = size * size;
  const data = new Uint8Array(labels.length * pixels);
  labels.forEach((label, n) => {
    data.fill(label * 20, n * pixels, (n + 1) * pixels);
    data[n * pixels] = n & 0xff;
    data[n * pixels + 1] = n >> 8;
  });
  return data;
}

/** Recovers the source indices written by digitImages from [-1, 1] pixels at the original size. */
export function decodeIds(images: Float32Array, count: number, size: number): number[] {
  const toByte = (value: number) => Math.round(((value + 1) / 2) * 255);
  return Array.from({ length: count }, (_, n) => {
    const at = n * size * size;
    return toByte(images[at]) + 256 * toByte(images[at + 1]);
  });
}

/** Labels 0..9 with deliberately unequal class sizes (class c has base + 3c images), in class-cycling order. */
export function unevenLabels(base: number): number[] {
  const labels: number[] = [];
  for (let round = 0; round < base + 27; round++) {
    for (let c = 0; c < 10; c++) if (round < base + 3 * c) labels.push(c);
  }
  return labels;
}

export interface DatasetFiles {
  train: Digits;
  test?: Digits;
  gzip?: boolean;
  /** The dotted spelling (train-images.idx3-ubyte) some mirrors use. */
  dotted?: boolean;
}

export async function writeIdxDataset(dir: string, files: DatasetFiles): Promise<void> {
  const write = async (split: string, kind: "images" | "labels", bytes: Buffer) => {
    const suffix = kind === "images" ? "idx3-ubyte" : "idx1-ubyte";
    const name = files.dotted ? `${split}-${kind}.${suffix}` : `${split}-${kind}-${suffix}`;
    await writeFile(join(dir, files.gzip ? `${name}.gz` : name), files.gzip ? gzipSync(bytes) : bytes);
  };
  const parts = [["train", files.train] as const, ...(files.test ? [["t10k", files.test] as const] : [])];
  for (const [split, digits] of parts) {
    await write(split, "images", idxBytes([digits.labels.length, digits.size, digits.size], digitImages(digits)));
    await write(split, "labels", idxBytes([digits.labels.length], Uint8Array.from(digits.labels)));
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "sgan-data-test-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
