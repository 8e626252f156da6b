import { listUnfinishedRuns, listWorkers } from "../db/index.ts";
import { isLiveJobState } from "../queue/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedParams } from "./stored.ts";

/**
 * PostgreSQL is the source of truth: every queued run, and every running run whose worker is gone,
 * must have a live job in the queue. Puts back the ones that lost theirs: none at all (Redis
 * restarted empty, or an enqueue failed after the sweep was stored), or a finished one still holding
 * the run's id (failed by BullMQ as stalled, or completed by a worker that skipped it), which is
 * replaced. Reads every job it touched back: returns the run ids that now have a live job, and logs
 * as an error the ones that still have none (tried again next time).
 */
export async function reconcileQueue(ctx: ServiceContext): Promise<string[]> {
  const [unfinished, pending, workers] = await Promise.all([
    listUnfinishedRuns(ctx.db),
    ctx.queue.pendingRunIds(),
    listWorkers(ctx.db),
  ]);
  const aliveWorkers = new Set(workers.filter((worker) => worker.alive).map((worker) => worker.id));
  const orphans = unfinished.filter(
    (run) => !pending.has(run.id) && (run.status === "queued" || !run.workerId || !aliveWorkers.has(run.workerId)),
  );
  if (orphans.length === 0) return [];
  const priorities = new Map<string, number>();
  for (const run of orphans) {
    if (!priorities.has(run.sweepId)) {
      const sweep = await ctx.db.sweep.findUnique({ where: { id: run.sweepId }, select: { priority: true } });
      priorities.set(run.sweepId, sweep?.priority ?? 0);
    }
  }
  const states = await ctx.queue.ensureLive(
    orphans.map((run) => ({ runId: run.id, sweepId: run.sweepId, params: storedParams(run), priority: priorities.get(run.sweepId)! })),
  );
  const live = orphans.filter((run) => isLiveJobState(states.get(run.id) ?? "missing")).map((run) => run.id);
  const stillWithout = orphans.filter((run) => !live.includes(run.id)).map((run) => ({ runId: run.id, jobState: states.get(run.id) ?? "missing" }));
  if (live.length > 0) ctx.log.warn({ runs: live }, "re-enqueued runs that had no live job in the queue");
  if (stillWithout.length > 0) ctx.log.error({ runs: stillWithout }, "runs still without a live job after re-enqueuing them; will retry");
  return live;
}
