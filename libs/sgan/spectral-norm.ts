import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../random/index.ts";
import { normalValues, type ParamStore } from "./params.ts";

/**
 * Spectral normalisation (Miyato et al.): W / sigma(W), sigma estimated by power iteration with
 * persistent vectors u, v, like torch.nn.utils.spectral_norm. The weight matrix is W reshaped to
 * [fan_in, out]; u lives in the output space, v in the input space.
 */
export function addSpectralNormState(store: ParamStore, weightKeys: string[], rng: Rng): void {
  for (const key of weightKeys) {
    const weight = store.weight(key);
    const outputs = weight.shape[weight.shape.length - 1];
    const inputs = weight.size / outputs;
    const u = normalValues(outputs, 0, 1, rng);
    store.addState(`${key}.sn.u`, tf.tidy(() => normalize(tf.tensor2d(u, [outputs, 1]))));
    store.addState(`${key}.sn.v`, tf.zeros([inputs, 1]));
  }
}

function normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), 1e-12));
}

function asMatrix(weight: tf.Tensor): tf.Tensor2D {
  const outputs = weight.shape[weight.shape.length - 1];
  return tf.reshape(weight, [-1, outputs]) as tf.Tensor2D;
}

/** One power-iteration step per weight, outside any gradient tape (u and v are not trained). */
export function powerIterate(store: ParamStore, weightKeys: string[], retired: tf.Tensor[]): void {
  for (const key of weightKeys) {
    const [u, v] = tf.tidy(() => {
      const matrix = asMatrix(store.weight(key));
      const nextV = normalize(tf.matMul(matrix, store.stateOf(`${key}.sn.u`)));
      const nextU = normalize(tf.matMul(matrix, nextV, true, false));
      return [nextU, nextV];
    });
    store.replaceState(`${key}.sn.u`, u, retired);
    store.replaceState(`${key}.sn.v`, v, retired);
  }
}

/** W / sigma with sigma = u^T W v; gradients flow through W only, as u and v are constants. */
export function spectrallyNormalized(store: ParamStore, key: string): tf.Tensor {
  const weight = store.weight(key);
  const projected = tf.matMul(asMatrix(weight), store.stateOf(`${key}.sn.v`), true, false);
  const sigma = tf.sum(tf.mul(store.stateOf(`${key}.sn.u`), projected));
  return tf.div(weight, sigma);
}
