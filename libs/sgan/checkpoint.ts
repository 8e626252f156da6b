import { inputIssues } from "../validation/index.ts";
import { trainingConfigSchema, type TrainingConfig } from "./config.ts";

const MAGIC = Buffer.from("SGANCKPT", "ascii");
const FORMAT_VERSION = 1;

export interface CheckpointTensor {
  shape: number[];
  values: Float32Array;
}

/** How far an epoch stopped between batches got, so it can be finished after a restore. */
export interface EpochProgress {
  epoch: number;
  batchesDone: number;
  samples: number;
  trainSeconds: number;
  wallSeconds: number;
  /** g_loss, d_loss and d_acc of each batch done so far. */
  perBatch: [number[], number[], number[]];
}

/** Everything needed to continue a run where it stopped: weights, state, optimisers, progress. */
export interface CheckpointContents {
  config: TrainingConfig;
  epochsDone: number;
  partialEpoch: EpochProgress | null;
  optimizerSteps: { generator: number; discriminator: number };
  tensors: Map<string, CheckpointTensor>;
}

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

interface Header {
  version: number;
  /** Read through trainingConfigSchema: fields added since the checkpoint was written take their defaults. */
  config: unknown;
  epochsDone: number;
  partialEpoch: EpochProgress | null;
  optimizerSteps: { generator: number; discriminator: number };
  entries: Array<{ key: string; shape: number[]; offset: number; length: number }>;
}

/** Layout: magic, uint32 header length, JSON header, then float32 little-endian tensor data. */
export function encodeCheckpoint(contents: CheckpointContents): Buffer {
  let offset = 0;
  const entries: Header["entries"] = [];
  for (const [key, tensor] of contents.tensors) {
    entries.push({ key, shape: tensor.shape, offset, length: tensor.values.length });
    offset += tensor.values.length;
  }
  const header: Header = {
    version: FORMAT_VERSION,
    config: contents.config,
    epochsDone: contents.epochsDone,
    partialEpoch: contents.partialEpoch,
    optimizerSteps: contents.optimizerSteps,
    entries,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const data = new Float32Array(offset);
  for (const [index, tensor] of [...contents.tensors.values()].entries()) data.set(tensor.values, entries[index].offset);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  return Buffer.concat([MAGIC, length, headerBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function decodeCheckpoint(buffer: Buffer): CheckpointContents {
  if (buffer.length < MAGIC.length + 4 || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CheckpointError("not an SGAN checkpoint (bad magic bytes)");
  }
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(buffer.subarray(MAGIC.length + 4, dataStart).toString("utf8")) as Header;
  if (header.version !== FORMAT_VERSION) {
    throw new CheckpointError(`checkpoint format ${header.version} is not supported (expected ${FORMAT_VERSION})`);
  }
  // Copy so the floats are aligned whatever the Buffer's offset in its pool.
  const data = new Float32Array(new Uint8Array(buffer.subarray(dataStart)).buffer);
  const tensors = new Map<string, CheckpointTensor>();
  for (const entry of header.entries) {
    if (entry.offset + entry.length > data.length) throw new CheckpointError(`checkpoint is truncated at ${entry.key}`);
    tensors.set(entry.key, { shape: entry.shape, values: data.slice(entry.offset, entry.offset + entry.length) });
  }
  return {
    config: storedConfig(header.config),
    epochsDone: header.epochsDone,
    partialEpoch: header.partialEpoch ?? null,
    optimizerSteps: header.optimizerSteps,
    tensors,
  };
}

function storedConfig(stored: unknown): TrainingConfig {
  const parsed = trainingConfigSchema.safeParse(stored);
  if (!parsed.success) {
    const problems = inputIssues(parsed.error, stored).map(({ path, message }) => `${path}: ${message}`).join("; ");
    throw new CheckpointError(`the checkpoint's training config is not one this version can train (${problems}); start the run afresh`);
  }
  return parsed.data;
}
