import os from "node:os";
import { createRequire } from "node:module";
import { Worker as NodeWorker, type WorkerOptions } from "node:worker_threads";

/**
 * Makes tfjs-backend-wasm's threaded (pthreads) build start under Node.
 *
 * Out of the box it cannot, for three reasons, each handled here:
 * 1. tfjs gives Emscripten `blob:` URLs for the pthread worker script and for the
 *    main script the workers import; Node's worker_threads refuses blob URLs
 *    (ERR_WORKER_PATH) and the worker's `importScripts` shim reads files only.
 *    We serve the same scripts from the package's files instead: the worker code
 *    is evaluated directly (`eval: true`) and the main script is given by path.
 * 2. tfjs reports WASM_HAS_MULTITHREAD_SUPPORT = false under Node (tfjs #3830);
 *    the caller forces the flag (see wasm.ts).
 * 3. The XNNPACK pool is capped at os.cpus().length / 2, read once while the
 *    module initialises (it assumes hyper-threading), so a 2-vCPU box gets one
 *    thread. `withLogicalCoresReported` widens that view during initialisation.
 *
 * Also: Emscripten `ref()`s a worker while it runs a pthread, and XNNPACK's
 * pool threads never end, so the process would never exit by itself. Pool
 * workers only ever serve synchronous calls from the main thread, so keeping
 * them unref'd is safe and lets Node exit when the program is done.
 */

const require = createRequire(import.meta.url);
const WASM_OUT = "@tensorflow/tfjs-backend-wasm/wasm-out/";

let installed = false;
/** Live pthread workers (for shutdown); typed structurally because `this` in the subclass is not a plain Worker to TS. */
const workers = new Set<{ terminate(): Promise<number> }>();

function workerSource(): string {
  const { wasmWorkerContents } = require(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.worker.js`) as {
    wasmWorkerContents: string;
  };
  // The contents are stored with raw newlines inside string literals; tfjs
  // escapes them the same way before it builds its Blob.
  return wasmWorkerContents.replace(/\n/g, "\\n");
}

/**
 * Workers inherit the parent's execArgv, which breaks or slows the script:
 * `--input-type=module` makes the (CommonJS) worker code fail, and loaders such
 * as `--import tsx` would be set up again in each of the 8 pool workers. Only
 * wasm engine flags matter to them.
 */
function pthreadExecArgv(): string[] {
  return process.execArgv.filter((arg) => /^--(experimental-)?wasm/.test(arg));
}

/** Installs the Worker shim Emscripten will pick up. Idempotent. */
export function installNodeWorkerShim(): void {
  if (installed) return;
  const source = workerSource();
  const mainScript = require.resolve(`${WASM_OUT}tfjs-backend-wasm-threaded-simd.js`);

  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const isBlob = typeof url === "string" && url.startsWith("blob:");
      super(isBlob ? source : url, isBlob ? { ...options, eval: true, execArgv: pthreadExecArgv() } : options);
      workers.add(this);
      this.once("exit", () => workers.delete(this));
    }

    override postMessage(message: unknown, transferList?: Parameters<NodeWorker["postMessage"]>[1]): void {
      const msg = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (msg?.cmd === "load" && typeof msg.urlOrBlob !== "string") {
        message = { ...msg, urlOrBlob: mainScript };
      }
      super.postMessage(message, transferList);
    }

    override ref(): void {
      // Deliberately a no-op: see the module comment.
    }
  }

  // Emscripten assigns `global.Worker = worker_threads.Worker` when the module
  // loads; the accessor keeps our subclass in place through that assignment.
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {},
  });
  installed = true;
}

/**
 * Runs `init` while os.cpus() reports at least `2 * threads` entries, so the
 * backend's "logical cores / 2" cap admits `threads` XNNPACK threads.
 */
export async function withLogicalCoresReported<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const realCpus = os.cpus;
  const real = realCpus();
  const wanted = 2 * threads;
  if (real.length >= wanted) return init();
  os.cpus = () => Array.from({ length: wanted }, (_, i) => real[i % real.length]);
  try {
    return await init();
  } finally {
    os.cpus = realCpus;
  }
}

/** Terminates every pthread worker still alive (used by shutdownBackend). */
export async function terminatePthreadWorkers(): Promise<void> {
  await Promise.all([...workers].map((w) => w.terminate()));
  workers.clear();
}

export function pthreadWorkerCount(): number {
  return workers.size;
}
