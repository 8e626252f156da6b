import { retryRun, type Run } from "../db/index.ts";
import { isLiveJobState, publishEvent } from "../queue/index.ts";
import type { RetryResponse } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";
import { StateConflictError } from "./state-conflict.ts";
import { storedParams } from "./stored.ts";

/**
 * Retries a failed or cancelled run: it is queued again with a fresh job and resumes from its
 * checkpoint (its last checkpointed epoch; the epochs it recorded stay); its sweep is active again.
 * In a paused sweep it waits, queued, for resume. A run in any other status is a StateConflictError
 * saying why; null: no such run.
 */
export async function retrySweepRun(ctx: ServiceContext, runId: string): Promise<RetryResponse | null> {
  requireUuid(runId, "run");
  const result = await retryRun(ctx.db, runId);
  if (!result) return null;
  if ("notRetryable" in result) throw new StateConflictError(whyNotRetryable(result.notRetryable));
  const { run, sweepStatus, priority, checkpointEpochs } = result;
  let enqueued = false;
  if (sweepStatus !== "paused") {
    const states = await ctx.queue.ensureLive([{ runId, sweepId: run.sweepId, params: storedParams(run), priority }]);
    enqueued = isLiveJobState(states.get(runId) ?? "missing");
  }
  await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId: run.sweepId, status: "queued", workerId: null });
  ctx.log.info({ runId, sweepId: run.sweepId, resumesAfterEpoch: checkpointEpochs, sweepStatus, enqueued }, "run retried");
  return { runId, sweepId: run.sweepId, status: run.status, sweepStatus, resumesAfterEpoch: checkpointEpochs, enqueued };
}

function whyNotRetryable(run: Run): string {
  const it = `run ${run.id} (#${run.index})`;
  switch (run.status) {
    case "queued":
    case "running":
      return `${it} is ${run.status}: only a failed or cancelled run can be retried`;
    case "completed":
      return `${it} completed: there is nothing to retry`;
    case "diverged":
      return `${it} diverged${run.divergedEpoch === null ? "" : ` at epoch ${run.divergedEpoch}`}: a retry would train the same config from the same seed and diverge again; submit it with a lower lr instead`;
    case "pruned":
      return `${it} was pruned by its sweep's pruner${run.prunedReason ? ` (${run.prunedReason})` : ""}: a retry would be judged by the same rule at its next epoch; to train it to the end, submit its configuration with pruner none`;
    default:
      return `${it} is ${run.status}: only a failed or cancelled run can be retried`;
  }
}
