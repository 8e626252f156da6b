import { constants } from "node:fs";
import { open, realpath, type FileHandle } from "node:fs/promises";
import { isWithin } from "./dataset-root.ts";
import { DataError } from "./errors.ts";
import { READ_CHUNK_BYTES } from "./limits.ts";

export interface DatasetFileOptions {
  /** Set for datasets named over the API: the file, symlinks resolved, must lie inside this folder. */
  root?: string;
  /** How messages name the file: a path on the trainer's command line, `dataset "x": file` for a named dataset. */
  label?: string;
  signal?: AbortSignal;
}

export interface OpenedFile {
  handle: FileHandle;
  size: number;
  label: string;
}

/**
 * Opens a dataset file for reading if it is a regular file. O_NONBLOCK so that a FIFO does not block
 * the open (it is then refused like a device, by fstat of the handle); O_NOFOLLOW on the resolved
 * path so that the file cannot be swapped for a symlink between the check and the open.
 */
export async function openDatasetFile(path: string, options: DatasetFileOptions = {}): Promise<OpenedFile> {
  const label = options.label ?? path;
  options.signal?.throwIfAborted();
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    throw new DataError(error.code === "ENOENT" ? `${label}: file not found` : `${label}: cannot be read (${error.code ?? String(error)})`);
  });
  if (options.root !== undefined && !isWithin(real, options.root)) {
    throw new DataError(`${label}: is a symlink to a file outside the data root; only files inside it are read`);
  }
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    throw new DataError(`${label}: cannot be opened (${error.code ?? String(error)})`);
  });
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new DataError(`${label}: is not a regular file (a device, FIFO or socket); only regular files are read`);
  }
  return { handle, size: stats.size, label };
}

/** The file's bytes from `position`, READ_CHUNK_BYTES at a time, until `end`; the signal stops it between chunks. */
export async function* fileChunks(file: OpenedFile, position: number, end: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
  for (let at = position; at < end; ) {
    signal?.throwIfAborted();
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, end - at));
    const { bytesRead } = await file.handle.read(chunk, 0, chunk.length, at);
    if (bytesRead === 0) return;
    at += bytesRead;
    yield chunk.subarray(0, bytesRead);
  }
}
