import { UnrecoverableError } from "bullmq";

/**
 * A training failed inside the compute backend: a wasm trap (out-of-bounds access when the heap
 * cannot grow further) or an allocation the backend could not make. Permanent for the run (its
 * shape does not fit, retrying elsewhere fails the same way), and the backend of this process is
 * suspect afterwards: a wasm memory never shrinks, and a trap may leave the heap inconsistent.
 */
export class BackendFailureError extends UnrecoverableError {
  constructor(cause: Error) {
    super(
      `the compute backend failed while training (${cause.name}: ${cause.message}); ` +
        "the run likely needs more memory than the backend has: lower batchSize, latentDim or imgSize",
    );
    this.name = "BackendFailureError";
    this.cause = cause;
  }
}

/** Allocation failures of typed arrays / array buffers (the cpu backend, or tensors read out of wasm). */
const ALLOCATION_FAILURE = /allocation failed|invalid typed array length|invalid array buffer length|array buffer allocation/i;

export function isBackendFailure(error: unknown): error is Error {
  if (error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof RangeError && ALLOCATION_FAILURE.test(error.message);
}
