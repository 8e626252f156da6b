import * as tf from "@tensorflow/tfjs";
import { CheckpointError, type CheckpointTensor } from "./checkpoint.ts";
import type { SganModel } from "./model.ts";
import type { TrainedNetwork } from "./training-step.ts";

/** The two networks by the names their tensors carry in a checkpoint. */
export interface Networks {
  generator: TrainedNetwork;
  discriminator: TrainedNetwork;
}

/**
 * Every tensor a run needs to continue: weights, batch-norm and spectral-norm state, both Adam
 * optimisers' moments (`adam.<network>.m|v.<key>`) and, with evalEma, the averages (`ema.<network>.<key>`).
 */
export async function stateTensors(model: SganModel, networks: Networks): Promise<Map<string, CheckpointTensor>> {
  const tensors = new Map<string, CheckpointTensor>();
  const add = async (key: string, tensor: tf.Tensor) =>
    tensors.set(key, { shape: tensor.shape, values: new Float32Array(await tensor.data()) });
  for (const [key, variable] of model.store.weights) await add(key, variable);
  for (const [key, tensor] of model.store.state) await add(key, tensor);
  for (const [name, { optimizer, weights }] of Object.entries(networks)) {
    const state = await optimizer.state();
    const moment = (key: string, values: Float32Array) => ({ shape: weights.get(key)!.shape, values });
    for (const [key, values] of state.firstMoments) tensors.set(`adam.${name}.m.${key}`, moment(key, values));
    for (const [key, values] of state.secondMoments) tensors.set(`adam.${name}.v.${key}`, moment(key, values));
  }
  for (const [name, { average }] of Object.entries(networks)) {
    for (const [key, tensor] of average?.values() ?? []) await add(`ema.${name}.${key}`, tensor);
  }
  return tensors;
}

/** Puts a checkpoint's tensors back into the model and the networks; CheckpointError names a missing one. */
export function loadStateTensors(
  tensors: Map<string, CheckpointTensor>,
  model: SganModel,
  networks: Networks,
  steps: Record<keyof Networks, number>,
): void {
  const take = (key: string): Float32Array => {
    const entry = tensors.get(key);
    if (!entry) throw new CheckpointError(`checkpoint has no tensor ${key}`);
    return entry.values;
  };
  tf.tidy(() => {
    for (const [key, variable] of model.store.weights) variable.assign(tf.tensor(take(key), variable.shape));
  });
  const retired: tf.Tensor[] = [];
  for (const [key, tensor] of [...model.store.state]) model.store.replaceState(key, tf.tensor(take(key), tensor.shape), retired);
  tf.dispose(retired);
  for (const name of ["generator", "discriminator"] as const) {
    const { weights, optimizer, average } = networks[name];
    const keys = [...weights.keys()];
    optimizer.load({
      step: steps[name],
      firstMoments: new Map(keys.map((key) => [key, take(`adam.${name}.m.${key}`)])),
      secondMoments: new Map(keys.map((key) => [key, take(`adam.${name}.v.${key}`)])),
    });
    average?.load((key) => take(`ema.${name}.${key}`));
  }
}
