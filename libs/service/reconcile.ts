import { listUnfinishedRuns, listWorkers } from "../db/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedParams } from "./stored.ts";

/**
 * PostgreSQL is the source of truth: every queued run, and every running run whose worker is gone,
 * must have a job in the queue. Puts back the ones that lost theirs (Redis restarted empty, or an
 * enqueue failed after the sweep was stored). Returns the run ids it enqueued.
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
  await ctx.queue.enqueue(
    orphans.map((run) => ({ runId: run.id, sweepId: run.sweepId, params: storedParams(run), priority: priorities.get(run.sweepId)! })),
  );
  ctx.log.warn({ runs: orphans.map((run) => run.id) }, "re-enqueued runs that had no job in the queue");
  return orphans.map((run) => run.id);
}
