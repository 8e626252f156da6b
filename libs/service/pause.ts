// Pausing a sweep holds it where it is; resuming lets it go on. Neither loses a run or a trial.
import { pauseSweep, resumeSweep } from "../db/index.ts";
import { isLiveJobState, publishControl } from "../queue/index.ts";
import type { PauseResponse, ResumeResponse } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";
import { StateConflictError } from "./state-conflict.ts";
import { askNewTrials } from "./study-after.ts";
import { storedParams } from "./stored.ts";

/**
 * Pauses an active sweep: its waiting jobs leave the queue (the runs stay queued, held), its running
 * runs are told to stop after their current epoch, checkpointed. Pausing a paused sweep changes
 * nothing; a completed or cancelled one is a StateConflictError. Null: no such sweep.
 */
export async function pauseSweepRuns(ctx: ServiceContext, sweepId: string): Promise<PauseResponse | null> {
  requireUuid(sweepId, "sweep");
  const result = await pauseSweep(ctx.db, sweepId);
  if (!result) return null;
  if (!result.changed) {
    if (result.status === "paused") return { sweepId, status: "paused", held: [], pausing: [] };
    throw new StateConflictError(`sweep ${sweepId} is ${result.status}: only an active sweep can be paused, and this one has no run left to hold`);
  }
  // A job a worker took after the sweep was paused is locked and stays: its run is stopped like the running ones.
  const claimed = await ctx.queue.removeWaiting(result.queued);
  const pausing = [...result.running, ...claimed];
  if (pausing.length > 0) await publishControl(ctx.publisher, { type: "pause", runIds: pausing });
  const held = result.queued.filter((runId) => !claimed.includes(runId));
  ctx.log.info({ sweepId, held: held.length, pausing }, "sweep paused");
  return { sweepId, status: "paused", held, pausing };
}

/**
 * Resumes a paused sweep: every queued run gets a live job again (a finished job still holding its id
 * is replaced), then its study asks for the trials it has room for. Resuming an active sweep only repairs missing jobs; a completed or cancelled one is a
 * StateConflictError. Null: no such sweep.
 */
export async function resumeSweepRuns(ctx: ServiceContext, sweepId: string): Promise<ResumeResponse | null> {
  requireUuid(sweepId, "sweep");
  const result = await resumeSweep(ctx.db, sweepId);
  if (!result) return null;
  if (result.status !== "active") {
    throw new StateConflictError(
      `sweep ${sweepId} is ${result.status}: only a paused sweep can be resumed; retry a run of it (sweeps retry) or add trials (sweeps extend)`,
    );
  }
  const states = await ctx.queue.ensureLive(result.queued.map((run) => ({ runId: run.id, sweepId, params: storedParams(run), priority: result.priority })));
  const requeued = result.queued.map((run) => run.id).filter((runId) => isLiveJobState(states.get(runId) ?? "missing"));
  // Left without a job (the queue refused): the reconciler tries again, the sweep being active.
  if (requeued.length < result.queued.length) ctx.log.warn({ sweepId, missing: result.queued.length - requeued.length }, "resumed runs still without a live job; the reconciler retries");
  const newRuns = await askNewTrials(ctx, sweepId);
  ctx.log.info({ sweepId, requeued: requeued.length, newRuns: newRuns.length, changed: result.changed }, "sweep resumed");
  return { sweepId, status: "active", requeued, newRuns };
}
