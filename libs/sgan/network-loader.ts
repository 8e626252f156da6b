// Rebuilds a network exported by network-files.ts and runs the discriminator's class head, as
// SganTrainer.evaluate does: evaluation mode (running batch-norm statistics, no dropout), the 10
// real classes' logits, argmax.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { NUM_CLASSES } from "./class-head.ts";
import { trainingConfigSchema } from "./config.ts";
import { SganModel } from "./model.ts";
import { MODEL_FILE, NETWORK_FORMAT, NETWORK_FORMAT_VERSION, type NetworkFiles, type NetworkModelJson, type NetworkName } from "./network-files.ts";

/** Images classified per forward pass: SganTrainer.evaluate's chunk, so the sums run in the same shapes. */
const CLASSIFY_CHUNK = 500;

export class NetworkFilesError extends Error {
  override name = "NetworkFilesError";
}

/** DIR/model.json and the weights file its manifest names. */
export async function readNetworkFiles(dir: string): Promise<NetworkFiles> {
  const path = join(dir, MODEL_FILE);
  let modelJson: NetworkModelJson;
  try {
    modelJson = JSON.parse(await readFile(path, "utf8")) as NetworkModelJson;
  } catch (error) {
    throw new NetworkFilesError(`cannot read ${path} (${(error as Error).message}): --model is the folder sweeps model wrote`);
  }
  if (modelJson.format !== NETWORK_FORMAT || modelJson.userDefinedMetadata?.formatVersion !== NETWORK_FORMAT_VERSION) {
    throw new NetworkFilesError(`${path} is not an exported SGAN network (format ${NETWORK_FORMAT} version ${NETWORK_FORMAT_VERSION})`);
  }
  const paths = modelJson.weightsManifest.flatMap((group) => group.paths);
  const weights = Buffer.concat(await Promise.all(paths.map((file) => readFile(join(dir, file)))));
  return { modelJson, weights };
}

/** The networks' model with the exported tensors in place (the other network keeps its initial weights). */
export function loadNetwork(files: NetworkFiles, expected: NetworkName): SganModel {
  const { network, config } = files.modelJson.userDefinedMetadata;
  if (network !== expected) throw new NetworkFilesError(`the files hold the ${network}, not the ${expected}`);
  const model = new SganModel(trainingConfigSchema.parse(config));
  const specs = files.modelJson.weightsManifest.flatMap((group) => group.weights);
  const tensors = tf.io.decodeWeights(new Uint8Array(files.weights).buffer, specs);
  try {
    const retired: tf.Tensor[] = [];
    for (const [key, tensor] of Object.entries(tensors)) {
      if (model.store.weights.has(key)) model.store.weight(key).assign(tensor);
      else if (model.store.state.has(key)) model.store.replaceState(key, tensor.clone(), retired);
      else throw new NetworkFilesError(`the files hold ${key}, which a ${config.architecture} ${network} has not`);
    }
    tf.dispose(retired);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return model;
}

/** The class (0..9) of each of `count` images ([-1, 1] pixels, NHWC, the model's imgSize). */
export async function classify(model: SganModel, images: Float32Array, count: number): Promise<Int32Array> {
  const side = model.config.imgSize;
  const predictions = new Int32Array(count);
  for (let start = 0; start < count; start += CLASSIFY_CHUNK) {
    const size = Math.min(CLASSIFY_CHUNK, count - start);
    const classes = tf.tidy(() => {
      const batch = tf.tensor4d(images.subarray(start * side * side, (start + size) * side * side), [size, side, side, 1]);
      const { auxLogits } = model.discriminate(batch, { training: false, retired: [] });
      return tf.argMax(tf.slice(auxLogits, [0, 0], [size, NUM_CLASSES]), 1);
    });
    predictions.set(await classes.data(), start);
    classes.dispose();
  }
  return predictions;
}
