import os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailableError, type BackendInfo } from "../types.ts";
import { describeError } from "../errors.ts";
import { installNodeWorkerShim, withLogicalCoresReported } from "./node-threads.ts";
import { registerWasmTrainingKernels } from "../kernels/register-kernels.ts";
import { enableNativeKernels, type NativeKernelsStatus } from "../native/index.ts";
import { createLogger } from "../../log/index.ts";

const log = createLogger("backends");

/** The threaded build's pthread pool holds 8 workers, and XNNPACK is capped at 8 threads. */
const MAX_THREADS = 8;

export function defaultWasmThreads(): number {
  return os.cpus().length;
}

let initialised: { threads: number; simd: boolean; native: NativeKernelsStatus } | undefined;

/**
 * Initialises tfjs-backend-wasm (SIMD, and threads when more than one is asked
 * for) with the conv training kernels registered, and makes it the active backend.
 * The thread count is fixed for the life of the process: the wasm module is
 * instantiated once.
 */
export async function initWasm(requestedThreads = defaultWasmThreads(), useNative = nativeKernelsWanted()): Promise<BackendInfo> {
  const threads = Math.max(1, Math.min(MAX_THREADS, Math.floor(requestedThreads)));
  if (initialised === undefined) {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    registerWasmTrainingKernels();
    if (threads > 1) {
      installNodeWorkerShim();
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
      wasm.setThreadsCount(threads);
    } else {
      tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    }
    const ok = await withoutEmscriptenProcessHandlers(() =>
      withLogicalCoresReported(threads, () => tf.setBackend("wasm")),
    ).catch((err: unknown) => {
      throw new BackendUnavailableError("wasm", `wasm backend failed to initialise: ${describeError(err)}`, {
        cause: err,
      });
    });
    if (!ok) {
      throw new BackendUnavailableError(
        "wasm",
        "wasm backend failed to initialise (tf.setBackend returned false; see the warning tfjs logged above)",
      );
    }
    const actualThreads = wasm.getThreadsCount();
    initialised = {
      threads: actualThreads,
      simd: (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) as boolean,
      native: useNative ? enableNativeKernels(actualThreads) : { enabled: false, reason: "switched off (SGAN_NATIVE_KERNELS=off)" },
    };
    if (!initialised.native.enabled && useNative) {
      log.warn({ reason: initialised.native.reason }, "native kernels unavailable: training runs on the slower wasm kernels");
    }
  } else if (tf.getBackend() !== "wasm" && !(await tf.setBackend("wasm"))) {
    throw new BackendUnavailableError("wasm", "wasm backend could not be re-activated");
  }
  await tf.ready();
  const { threads: actual, simd, native } = initialised;
  const conv = native.enabled ? `, native kernels (${native.blas}${native.convPrimitives ? ", oneDNN convolutions" : ""})` : "";
  return {
    name: "wasm",
    device: `wasm ${simd ? "simd" : "no-simd"}, ${actual} thread${actual === 1 ? "" : "s"}${conv}`,
    threads: actual,
  };
}

/** Native kernels are on unless SGAN_NATIVE_KERNELS=off (to compare, or to rule them out). */
function nativeKernelsWanted(): boolean {
  return process.env.SGAN_NATIVE_KERNELS !== "off";
}

/**
 * Emscripten's glue adds process-wide 'uncaughtException'/'unhandledRejection'
 * listeners that rethrow (tfjs means to remove them, but its filter is wrong).
 * They change nothing except that every later crash is reported from inside the
 * minified glue, with a multi-kilobyte source line. Remove the ones it added.
 */
async function withoutEmscriptenProcessHandlers<T>(run: () => Promise<T>): Promise<T> {
  type Listener = (...args: never[]) => unknown;
  const events = ["uncaughtException", "unhandledRejection"] as const;
  const listeners = (event: (typeof events)[number]): Listener[] => process.listeners(event as "uncaughtException");
  const before = new Set(events.flatMap(listeners));
  try {
    return await run();
  } finally {
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.has(listener) && isEmscriptenRethrow(listener)) {
          process.removeListener(event as "uncaughtException", listener as NodeJS.UncaughtExceptionListener);
        }
      }
    }
  }
}

function isEmscriptenRethrow(listener: (...args: never[]) => unknown): boolean {
  const source = Function.prototype.toString.call(listener);
  return source.includes("ExitStatus") || /throw\s+reason/.test(source);
}
