// How the CLI counts and lists a sweep's runs by status (the statuses: libs/results).
import { isFinalRunStatus, type RunCounts, type RunStatus } from "../../../libs/results/index.ts";

/** Runs by status in the order the CLI lists them: where runs are headed, then how they ended. */
export const RUN_STATUS_ORDER: readonly RunStatus[] = ["running", "queued", "completed", "pruned", "diverged", "failed", "cancelled"];

/** Runs that reached a final state, of all runs. */
export function runTally(counts: RunCounts): { final: number; total: number } {
  const entries = Object.entries(counts) as Array<[RunStatus, number]>;
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  return { final: entries.reduce((sum, [status, count]) => sum + (isFinalRunStatus(status) ? count : 0), 0), total };
}
