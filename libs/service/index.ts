export type { ServiceContext } from "./context.ts";
export { submitSweep, storeSweep, cancelSweepRuns, bestOfSweep } from "./sweeps.ts";
export { reconcileQueue } from "./reconcile.ts";
export { storedParams } from "./stored.ts";
