import { createLogger } from "../log/index.ts";
import { initCpu } from "./cpu.ts";
import { describeError } from "./errors.ts";
import { initTensorflow } from "./tensorflow.ts";
import { BackendUnavailableError, type BackendChoice, type BackendInfo, type BackendName, type InitOptions } from "./types.ts";
import { defaultWasmThreads, initWasm } from "./wasm/init.ts";
import { initWebgpu } from "./webgpu.ts";
import { assertNotShutDown } from "./shutdown.ts";

const log = createLogger("backends");

/** Fastest first. */
const AUTO_ORDER: readonly BackendName[] = ["tensorflow", "webgpu", "wasm", "cpu"];

/**
 * Outcome of the first attempt per backend. Availability does not change within
 * a process and a failed probe can be slow or noisy (Dawn prints to stderr), so
 * failures are remembered too.
 */
const attempts = new Map<string, Promise<BackendInfo>>();
let autoResolved: BackendName | undefined;

function attempt(name: BackendName, options: InitOptions, auto: boolean): Promise<BackendInfo> {
  if (name === "wasm") {
    // initWasm is itself idempotent and re-activates wasm if another backend was set in between.
    return initWasm(options.threads ?? defaultWasmThreads());
  }
  // "auto" refuses software WebGPU adapters, an explicit "webgpu" accepts them.
  const key = name === "webgpu" && auto ? "webgpu:auto" : name;
  const first = attempts.get(key);
  if (first !== undefined) {
    // Re-activate through the backend's own init (cheap once initialised), which
    // also makes it the active backend again.
    return first.then(() => start(name, auto));
  }
  const p = start(name, auto);
  attempts.set(key, p);
  return p;
}

function start(name: Exclude<BackendName, "wasm">, auto: boolean): Promise<BackendInfo> {
  switch (name) {
    case "tensorflow":
      return initTensorflow();
    case "webgpu":
      return initWebgpu({ allowSoftware: !auto });
    case "cpu":
      return initCpu();
  }
}

/**
 * Picks, initialises and activates the TensorFlow.js compute backend (after it
 * resolves, tf.getBackend() is that backend and tf.ready() has completed).
 *
 * "auto" tries tensorflow (tfjs-node-gpu, then tfjs-node), webgpu (a hardware
 * adapter only), wasm, then cpu, and logs why each one before the winner was
 * skipped. An explicit choice that cannot run rejects with
 * BackendUnavailableError. Calling again with the same choice is cheap.
 *
 * wasm: `threads` (default os.cpus().length) is fixed by the first wasm
 * initialisation in the process; later calls report the actual count.
 */
export async function initBackend(choice: BackendChoice, options: InitOptions = {}): Promise<BackendInfo> {
  assertNotShutDown();
  if (choice !== "auto") {
    const info = await attempt(choice, options, false);
    logThreadMismatch(info, options);
    return info;
  }
  if (autoResolved !== undefined) return attempt(autoResolved, options, true);

  const skipped: { backend: BackendName; reason: string }[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const info = await attempt(name, options, true);
      autoResolved = name;
      const unavailable = skipped.length ? ` (unavailable here: ${skipped.map((s) => s.backend).join(", ")})` : "";
      log.info({ backend: info.name, device: info.device, threads: info.threads, skipped }, `compute backend: ${info.device}${unavailable}`);
      logThreadMismatch(info, options);
      return info;
    } catch (err) {
      const reason = describeError(err);
      skipped.push({ backend: name, reason });
      const expected = err instanceof BackendUnavailableError;
      log[expected ? "debug" : "warn"]({ backend: name, err: expected ? undefined : err }, `skipping ${name}: ${reason}`);
    }
  }
  throw new BackendUnavailableError(
    "cpu",
    `no TensorFlow.js backend could be initialised: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join("; ")}`,
  );
}

function logThreadMismatch(info: BackendInfo, options: InitOptions): void {
  if (info.name === "wasm" && options.threads !== undefined && info.threads !== undefined && info.threads !== options.threads) {
    log.warn(
      { requested: options.threads, actual: info.threads },
      "wasm runs with a different thread count than requested (fixed at the first wasm initialisation, max 8)",
    );
  }
}
