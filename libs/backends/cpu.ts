import * as tf from "@tensorflow/tfjs-core";
import { registerCpuTrainingKernels } from "./kernels/register-kernels.ts";
import type { BackendInfo } from "./types.ts";

export async function initCpu(): Promise<BackendInfo> {
  await import("@tensorflow/tfjs-backend-cpu");
  registerCpuTrainingKernels();
  if (tf.getBackend() !== "cpu" && !(await tf.setBackend("cpu"))) {
    throw new Error("tfjs cpu backend failed to initialise");
  }
  await tf.ready();
  return { name: "cpu", device: "cpu (pure JS)" };
}
