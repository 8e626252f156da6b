import * as tf from "@tensorflow/tfjs-core";
import { terminatePthreadWorkers } from "./wasm/node-threads.ts";

let shutDown = false;

/**
 * Disposes every initialised backend (and all tensors) and stops the wasm
 * pthread workers. Final: backends cannot be initialised again in this process.
 *
 * Not needed for the process to exit (the workers are kept unref'd); use it for
 * an orderly teardown, e.g. before process.exit in a worker that trains and
 * then carries on with other work, or to release the wasm heap and GPU device.
 */
export async function shutdownBackend(): Promise<void> {
  if (shutDown) return;
  shutDown = true;
  tf.engine().reset();
  await terminatePthreadWorkers();
}

export function assertNotShutDown(): void {
  if (shutDown) throw new Error("initBackend after shutdownBackend: the backends of this process were disposed");
}
