export type { ServiceContext } from "./context.ts";
export { submitSweep, storeSweep, cancelSweepRuns, bestOfSweep, type SubmitOptions } from "./sweeps.ts";
export { IDEMPOTENCY_HEADER, IdempotencyKeyReusedError, parseIdempotencyKey } from "./idempotency.ts";
export { reconcileQueue } from "./reconcile.ts";
export { storedParams } from "./stored.ts";
