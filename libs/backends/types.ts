export type BackendChoice = "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu";

export type BackendName = Exclude<BackendChoice, "auto">;

export interface BackendInfo {
  /** The backend that actually runs (never "auto"). */
  name: BackendName;
  /** Human readable, for logs and run metadata, e.g. "wasm simd, 2 threads". */
  device: string;
  /** Compute threads, where the backend exposes the number (wasm). */
  threads?: number;
}

export interface InitOptions {
  /** wasm only: XNNPACK threads; defaults to os.cpus().length. 1 selects the single-threaded build. */
  threads?: number;
}

/** The requested backend cannot run in this process; the message says why and how to fix it. */
export class BackendUnavailableError extends Error {
  readonly backend: BackendName;

  constructor(backend: BackendName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackendUnavailableError";
    this.backend = backend;
  }
}
