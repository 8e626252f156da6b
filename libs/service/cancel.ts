import { cancelSweep } from "../db/index.ts";
import { publishControl, publishEvent } from "../queue/index.ts";
import type { CancelResponse } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";

/**
 * Cancels a sweep: waiting jobs are removed, running trainings stop within one batch. Null: no such
 * sweep; InvalidInputError when the id cannot be one (a write names what is wrong, a read says not found).
 */
export async function cancelSweepRuns(ctx: ServiceContext, sweepId: string): Promise<CancelResponse | null> {
  requireUuid(sweepId, "sweep");
  const result = await cancelSweep(ctx.db, sweepId);
  if (!result) return null;
  await ctx.queue.removeWaiting(result.cancelledQueued);
  if (result.running.length > 0) await publishControl(ctx.publisher, { type: "cancel", runIds: result.running });
  for (const runId of result.cancelledQueued) {
    await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "cancelled", workerId: null });
  }
  ctx.log.info({ sweepId, ...result }, "sweep cancelled");
  return { sweepId, cancelledQueued: result.cancelledQueued, stopping: result.running };
}
