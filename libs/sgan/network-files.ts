// A run's trained networks in TensorFlow.js's weights format (docs/models.md): per network a
// model.json whose weightsManifest lists each named tensor (float32, little-endian) in one
// weights.bin, which tf.io.decodeWeights (or tf.io.loadWeights over HTTP) reads. The nets are built
// from named tensors, not tf.LayersModel, so model.json has no modelTopology: its metadata carries
// the training config, and libs/sgan/network-loader.ts rebuilds the net from it.
import { decodeCheckpoint, type CheckpointContents } from "./checkpoint.ts";
import type { TrainingConfig } from "./config.ts";

export const NETWORKS = ["generator", "discriminator"] as const;
export type NetworkName = (typeof NETWORKS)[number];
export const NETWORK_FORMAT = "sgan-sweeps-network";
export const NETWORK_FORMAT_VERSION = 1;
export const WEIGHTS_FILE = "weights.bin";
export const MODEL_FILE = "model.json";

const PREFIX: Record<NetworkName, string> = { generator: "g.", discriminator: "d." };

export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: "float32";
}

/** model.json: tfjs's ModelJSON fields that apply (format, generatedBy, weightsManifest, userDefinedMetadata). */
export interface NetworkModelJson {
  format: typeof NETWORK_FORMAT;
  generatedBy: string;
  convertedBy: null;
  weightsManifest: Array<{ paths: string[]; weights: WeightsManifestEntry[] }>;
  userDefinedMetadata: NetworkMetadata;
}

export interface NetworkMetadata {
  formatVersion: number;
  network: NetworkName;
  /** The epochs the weights were trained for. */
  epoch: number;
  /** Whether the weights are the evalEma average that evaluation and the sample grids use. */
  averaged: boolean;
  config: TrainingConfig;
}

export interface NetworkFiles {
  modelJson: NetworkModelJson;
  weights: Buffer;
}

/** The weights of a checkpoint taken between epochs cannot be told apart from a finished epoch's. */
export class MidEpochCheckpointError extends Error {
  override name = "MidEpochCheckpointError";
}

/**
 * One network of a checkpoint as evaluation runs it: its weights (the evalEma average where there is
 * one, as SganTrainer.evaluate and sampleGrid swap it in) and its state (batch-norm statistics,
 * spectral- and weight-norm vectors). Throws MidEpochCheckpointError for a checkpoint taken inside an epoch.
 */
export function networkFiles(checkpoint: Buffer | CheckpointContents, network: NetworkName): NetworkFiles {
  const contents = Buffer.isBuffer(checkpoint) ? decodeCheckpoint(checkpoint) : checkpoint;
  if (contents.partialEpoch) {
    throw new MidEpochCheckpointError(
      `the checkpoint was taken inside epoch ${contents.partialEpoch.epoch} (batch ${contents.partialEpoch.batchesDone}); export it once that epoch is done`,
    );
  }
  const entries = [...contents.tensors].filter(([key]) => key.startsWith(PREFIX[network]));
  const averagedKey = (key: string) => `ema.${network}.${key}`;
  const averaged = entries.some(([key]) => contents.tensors.has(averagedKey(key)));
  const tensors = entries.map(([key, tensor]) => [key, contents.tensors.get(averagedKey(key)) ?? tensor] as const);
  const weights: WeightsManifestEntry[] = tensors.map(([name, tensor]) => ({ name, shape: tensor.shape, dtype: "float32" }));
  const data = Buffer.concat(tensors.map(([, tensor]) => littleEndianFloats(tensor.values)));
  return {
    modelJson: {
      format: NETWORK_FORMAT,
      generatedBy: "sgan-sweeps",
      convertedBy: null,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights }],
      userDefinedMetadata: { formatVersion: NETWORK_FORMAT_VERSION, network, epoch: contents.epochsDone, averaged, config: contents.config },
    },
    weights: data,
  };
}

function littleEndianFloats(values: Float32Array): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes;
}
