/**
 * Whether a sweep's runs can run at all, decided at submit: each run's memory estimated from its
 * shape against a cap, and the dataset's real size against limit and labeled.
 */
export { estimateRunMemory, modelSize, type MemoryEstimate, type ModelShape, type ModelSize, type RunShape } from "./run-memory.ts";
export {
  checkSweepFeasible,
  feasibilityLimits,
  DEFAULT_MAX_RUN_MEMORY_MB,
  MAX_RUN_MEMORY_ENV,
  type FeasibilityLimits,
} from "./sweep-feasibility.ts";
