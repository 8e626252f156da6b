import { readFile } from "node:fs/promises";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { DataError } from "./errors.ts";

const gunzipAsync = promisify(gunzip);

/** IDX type byte for unsigned bytes, the only type MNIST-style datasets use. */
const UNSIGNED_BYTE = 0x08;

/**
 * Reads an IDX file (the MNIST distribution format), gzipped or not. Gzip is recognised by its magic
 * bytes because downloads are often stored decompressed under a .gz name, or the other way round.
 */
export async function readIdxFile(path: string): Promise<{ dims: number[]; data: Uint8Array }> {
  const bytes = await decompressIfGzip(path, await readBytes(path));
  if (bytes.length < 4) {
    throw new DataError(`${path}: ${bytes.length} bytes is too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UNSIGNED_BYTE || rank === 0) {
    throw new DataError(
      `${path}: bad magic number ${hex(magic)}, expected 0x00000801 (labels) or 0x00000803 (images); ` +
        "is this an MNIST-style IDX file of unsigned bytes?",
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(`${path}: truncated header (${rank} dimensions need ${headerBytes} bytes, file has ${bytes.length})`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((product, dim) => product * dim, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new DataError(
      `${path}: truncated data: header says ${dims.join("x")} = ${expected} bytes, file has ${actual} after the header`,
    );
  }
  if (actual > expected) {
    throw new DataError(
      `${path}: ${actual - expected} extra bytes after the ${dims.join("x")} = ${expected} bytes the header announces`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataError(`${path}: file not found`);
    throw new DataError(`${path}: cannot read (${code ?? String(error)})`);
  }
}

async function decompressIfGzip(path: string, bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new DataError(`${path}: corrupt gzip data (${(error as Error).message})`);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
