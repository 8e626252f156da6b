import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailableError, type BackendInfo } from "./types.ts";
import { describeError, isModuleNotFound } from "./errors.ts";

/**
 * The native libtensorflow bindings. They cannot be a dependency here (their
 * install script downloads libtensorflow from a host these machines cannot
 * reach), so they are only used when a deployment has installed one.
 */
const CANDIDATES = [
  { specifier: "@tensorflow/tfjs-node-gpu", device: "tfjs-node-gpu CUDA (libtensorflow)" },
  { specifier: "@tensorflow/tfjs-node", device: "tfjs-node CPU (libtensorflow)" },
] as const;

let active: BackendInfo | undefined;

export async function initTensorflow(): Promise<BackendInfo> {
  if (active !== undefined) {
    if (tf.getBackend() !== "tensorflow") await tf.setBackend("tensorflow");
    await tf.ready();
    return active;
  }
  const problems: string[] = [];
  for (const { specifier, device } of CANDIDATES) {
    try {
      // A specifier held in a variable: TypeScript does not try to resolve (or
      // demand types for) packages that are normally absent.
      const name: string = specifier;
      await import(name);
    } catch (err) {
      problems.push(
        isModuleNotFound(err, specifier) ? `${specifier} is not installed` : `${specifier} failed to load: ${describeError(err)}`,
      );
      continue;
    }
    if (tf.findBackendFactory("tensorflow") == null) {
      // The binding registered its backend with another copy of tfjs-core.
      problems.push(
        `${specifier} loaded but registered no 'tensorflow' backend with this process's @tensorflow/tfjs-core ` +
          `(${tf.version_core}); install the ${specifier} version matching @tensorflow/tfjs-core so npm dedupes it`,
      );
      continue;
    }
    if (!(await tf.setBackend("tensorflow"))) {
      problems.push(`${specifier} loaded but its backend failed to initialise (see tfjs warning above)`);
      continue;
    }
    await tf.ready();
    active = { name: "tensorflow", device };
    return active;
  }
  throw new BackendUnavailableError(
    "tensorflow",
    `tensorflow backend unavailable: ${problems.join("; ")}. ` +
      "Install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA 11 + cuDNN 8) in this deployment, " +
      `at the version of @tensorflow/tfjs-core (${tf.version_core}); npm install must be able to download libtensorflow.`,
  );
}
