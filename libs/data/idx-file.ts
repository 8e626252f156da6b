import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { fileChunks, openDatasetFile, type DatasetFileOptions, type OpenedFile } from "./dataset-file.ts";
import { DataError } from "./errors.ts";
import { MAX_DATASET_BYTES } from "./limits.ts";

/** IDX type byte for unsigned bytes, the only type MNIST-style datasets use. */
const UNSIGNED_BYTE = 0x08;

export interface IdxContents {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads an IDX file (the MNIST distribution format), gzipped or not. Gzip is recognised by its magic
 * bytes because downloads are often stored decompressed under a .gz name, or the other way round.
 * The header is checked before the body is read: the body it announces must fit MAX_DATASET_BYTES
 * and, uncompressed, match the file's size; decompression stops at the size the header announces.
 */
export async function readIdxFile(path: string, options: DatasetFileOptions = {}): Promise<IdxContents> {
  return withIdx(path, options, async (reader, header) => {
    const data = new Uint8Array(header.bodyBytes);
    const read = await reader.fillInto(data);
    if (read < data.length) throw truncated(header, read);
    if (!(await reader.atEnd())) {
      throw new DataError(`${header.label}: more data than the ${header.dims.join("x")} = ${header.bodyBytes} bytes the header announces`);
    }
    return { dims: header.dims, data };
  });
}

/** The dimensions in an IDX file's header, checked as readIdxFile checks them, without reading the body. */
export async function readIdxHeader(path: string, options: DatasetFileOptions = {}): Promise<{ dims: number[] }> {
  return withIdx(path, options, async (_reader, header) => ({ dims: header.dims }));
}

interface Header {
  label: string;
  dims: number[];
  bodyBytes: number;
  /** Bytes after the header, known without decompressing: null for gzip. */
  storedBodyBytes: number | null;
}

async function withIdx<T>(path: string, options: DatasetFileOptions, use: (reader: ChunkReader, header: Header) => Promise<T>): Promise<T> {
  const file = await openDatasetFile(path, options);
  try {
    const gzip = await isGzip(file);
    if (gzip && file.size > MAX_DATASET_BYTES) {
      throw new DataError(`${file.label}: ${file.size} bytes of gzip is more than the maximum dataset size (${MAX_DATASET_BYTES} bytes)`);
    }
    const chunks = fileChunks(file, 0, file.size, options.signal);
    const reader = new ChunkReader(gzip ? gunzipped(chunks, file.label, options.signal) : chunks);
    try {
      return await use(reader, await readHeader(reader, file, gzip));
    } finally {
      reader.close();
    }
  } finally {
    await file.handle.close();
  }
}

async function readHeader(reader: ChunkReader, file: OpenedFile, gzip: boolean): Promise<Header> {
  const { label } = file;
  const start = await reader.take(4);
  if (start.length < 4) throw new DataError(`${label}: ${start.length} bytes is too short for an IDX header`);
  const rank = start[3];
  if (start[0] !== 0 || start[1] !== 0 || start[2] !== UNSIGNED_BYTE || rank === 0) {
    throw new DataError(
      `${label}: bad magic number ${hex(start.readUInt32BE(0))}, expected 0x00000801 (labels) or 0x00000803 (images); ` +
        "is this an MNIST-style IDX file of unsigned bytes?",
    );
  }
  const headerBytes = 4 + 4 * rank;
  const dimBytes = await reader.take(4 * rank);
  if (dimBytes.length < 4 * rank) {
    throw new DataError(`${label}: truncated header (${rank} dimensions need ${headerBytes} bytes, file has ${4 + dimBytes.length})`);
  }
  const dims = Array.from({ length: rank }, (_, i) => dimBytes.readUInt32BE(4 * i));
  const bodyBytes = dims.reduce((product, dim) => product * dim, 1);
  if (bodyBytes > MAX_DATASET_BYTES) {
    throw new DataError(
      `${label}: the header announces ${dims.join("x")} = ${bodyBytes} bytes, more than the maximum dataset size ` +
        `(${MAX_DATASET_BYTES} bytes); refused before reading it`,
    );
  }
  const header = { label, dims, bodyBytes, storedBodyBytes: gzip ? null : file.size - headerBytes };
  if (header.storedBodyBytes !== null && header.storedBodyBytes < bodyBytes) throw truncated(header, header.storedBodyBytes);
  if (header.storedBodyBytes !== null && header.storedBodyBytes > bodyBytes) {
    throw new DataError(
      `${label}: ${header.storedBodyBytes - bodyBytes} extra bytes after the ${dims.join("x")} = ${bodyBytes} bytes the header announces`,
    );
  }
  return header;
}

function truncated(header: Header, actual: number): DataError {
  return new DataError(
    `${header.label}: truncated data: header says ${header.dims.join("x")} = ${header.bodyBytes} bytes, file has ${actual} after the header`,
  );
}

async function isGzip(file: OpenedFile): Promise<boolean> {
  const magic = Buffer.alloc(2);
  const { bytesRead } = await file.handle.read(magic, 0, 2, 0);
  return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

/** Decompressed chunks, pulled as the reader needs them: what is not asked for is never inflated. */
async function* gunzipped(chunks: AsyncGenerator<Buffer>, label: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const gunzip = pipeline(Readable.from(chunks), createGunzip(), () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof DataError) throw error;
    throw new DataError(`${label}: corrupt gzip data (${(error as Error).message})`);
  } finally {
    gunzip.destroy();
  }
}

/** Exact-size reads over a stream of chunks. */
class ChunkReader {
  private held: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(private readonly chunks: AsyncGenerator<Buffer>) {}

  /** Up to `count` bytes; fewer only at the end of the stream. */
  async take(count: number): Promise<Buffer> {
    while (this.held.length < count && (await this.pull()));
    const taken = this.held.subarray(0, count);
    this.held = this.held.subarray(taken.length);
    return taken;
  }

  /** Fills `target` from the stream; returns how many bytes it got (fewer only at the end). */
  async fillInto(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (this.held.length === 0 && !(await this.pull())) break;
      const part = this.held.subarray(0, target.length - filled);
      target.set(part, filled);
      filled += part.length;
      this.held = this.held.subarray(part.length);
    }
    return filled;
  }

  async atEnd(): Promise<boolean> {
    while (this.held.length === 0 && (await this.pull()));
    return this.held.length === 0;
  }

  close(): void {
    void this.chunks.return(undefined);
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.held = this.held.length === 0 ? next.value : Buffer.concat([this.held, next.value]);
    return true;
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
