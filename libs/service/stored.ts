import type { Run } from "../db/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";

/** A run's params column: validated by the sweep schema before it was stored, so trusted here. */
export function storedParams(run: Pick<Run, "params">): TrainingConfig {
  return run.params as unknown as TrainingConfig;
}
