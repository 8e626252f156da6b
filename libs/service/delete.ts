import { cancelSweep, deleteSweep } from "../db/index.ts";
import { publishControl } from "../queue/index.ts";
import type { DeleteResponse } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";

/**
 * Deletes a sweep with everything it stored (runs, epochs, samples, checkpoints, status logs) and its
 * jobs. Its running runs are cancelled first, so their workers stop within a batch; a write one of
 * them still makes is refused (the run is gone) and only ends its job. Null: no such sweep.
 */
export async function deleteSweepEverywhere(ctx: ServiceContext, sweepId: string): Promise<DeleteResponse | null> {
  requireUuid(sweepId, "sweep");
  const cancelled = await cancelSweep(ctx.db, sweepId);
  if (!cancelled) return null;
  if (cancelled.running.length > 0) await publishControl(ctx.publisher, { type: "cancel", runIds: cancelled.running });
  const deleted = await deleteSweep(ctx.db, sweepId);
  if (!deleted) return null;
  // Every job of its runs that no worker holds, finished ones included; a held one ends with its worker's stop.
  await ctx.queue.removeWaiting(deleted.runIds);
  ctx.log.info({ sweepId, runs: deleted.runIds.length, stopped: cancelled.running }, "sweep deleted");
  return { sweepId, deletedRuns: deleted.runIds.length, stopped: cancelled.running };
}
