// The study loop: when a run of a sweep ends, ask the sweep's sampler for the trials its free slots
// allow, store their runs under the sweep's row lock, and enqueue them. PostgreSQL is the record: a
// crash after the store and before the enqueue leaves queued runs without jobs, which the
// reconciler enqueues; asking again is harmless (the same study state asks the same trials, and the
// lock lets one process at a time see it).
import { advanceStudyRecord, listAdaptiveSweepIds, type Run, type StudyState, type StudyStep } from "../db/index.ts";
import { publishEvent } from "../queue/index.ts";
import { isFinalRunStatus, type LiveEvent } from "../results/index.ts";
import { nextTrials, studyConfig, studyRunOf, type StudyRun } from "../study/index.ts";
import type { ServiceContext } from "./context.ts";
import { newRun, storedParams } from "./stored.ts";

/** Asks and enqueues the sweep's next trials, if it has free slots and budget; returns the runs added. */
export async function advanceStudy(ctx: ServiceContext, sweepId: string): Promise<Run[]> {
  const result = await advanceStudyRecord(ctx.db, sweepId, studyStep);
  if (!result || (result.added.length === 0 && result.pruned.length === 0)) return [];
  const { added, pruned } = result;
  await ctx.queue.removeWaiting(pruned.map((entry) => entry.runId));
  // Stored first: if the queue is down now, the reconciler enqueues these runs once it is back.
  await ctx.queue.enqueue(added.map((run) => ({ runId: run.id, sweepId, params: storedParams(run), priority: result.priority })));
  for (const { runId, reason } of pruned) await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "pruned", workerId: null, reason });
  for (const run of added) await publishEvent(ctx.publisher, { type: "run-status", runId: run.id, sweepId, status: "queued", workerId: null });
  if (added.length > 0) ctx.log.info({ sweepId, runs: added.length, trials: new Set(added.map((run) => run.configKey)).size }, "study asked for new trials");
  return added;
}

/** What the study does next, decided from the stored state alone. */
function studyStep({ sweep, runs }: StudyState): StudyStep {
  const config = studyConfig(sweep.config);
  if (config === null || sweep.trialBudget === null) return { add: [], prune: [] };
  const study = runs.map(studyRunOf);
  return { add: nextTrials(config, config.objective, study, sweep.trialBudget).map(newRun), prune: prunedRepeats(study) };
}

/** Queued repeats of a configuration that was pruned: the decision is per configuration, they need not train. */
function prunedRepeats(runs: readonly StudyRun[]): StudyStep["prune"] {
  const pruned = new Map(runs.filter((run) => run.status === "pruned").map((run) => [run.configKey, run]));
  return runs.flatMap((run) => {
    const decided = pruned.get(run.configKey);
    return run.status === "queued" && decided ? [{ runId: run.id, reason: `not trained: its configuration was pruned (run #${decided.index})` }] : [];
  });
}

/** The live event that tells the loop a run ended: the API advances that run's study at once. */
export function advanceOnRunEnd(ctx: ServiceContext, event: LiveEvent): void {
  if (event.type !== "run-status" || !isFinalRunStatus(event.status)) return;
  void advanceStudy(ctx, event.sweepId).catch((error: Error) => ctx.log.warn({ err: error.message, sweepId: event.sweepId }, "study could not ask for trials; the reconciler retries"));
}

/** Every active sweep with a study, advanced: what the reconciler does, for events the API missed. */
export async function advanceAllStudies(ctx: ServiceContext): Promise<void> {
  for (const sweepId of await listAdaptiveSweepIds(ctx.db)) await advanceStudy(ctx, sweepId);
}
