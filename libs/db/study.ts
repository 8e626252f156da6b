// The study loop's one write: under the sweep's row lock (the lock runs finishing take), read the
// study as it stands, and store what the caller decided from it: the runs of new trials, and queued
// runs to close as pruned. Serialised per sweep, so two processes advancing one study at once ask
// each trial once.
import { RunStatus, SweepStatus, type PrismaClient } from "./generated/index.js";
import { completeSweepIfDone, lockSweep, trialBudgetSpent } from "./sweeps.ts";
import type { NewRun, Run, RunWithEpochs, Sweep } from "./types.ts";
import { asJson, isUuid } from "./values.ts";

export interface StudyState {
  sweep: Sweep;
  /**
   * Every run of the sweep, in index order, with its epochs while the study may still ask for trials
   * (fewer configurations than its budget); once the budget is spent nothing reads them, and `epochs`
   * is empty (a static plan's runs never load them on this path).
   */
  runs: RunWithEpochs[];
}

export interface StudyStep {
  /** Runs of the trials asked now; their indexes continue the sweep's. */
  add: NewRun[];
  /** Queued runs that will not train, with why (a repeat of a configuration that was pruned). */
  prune: Array<{ runId: string; reason: string }>;
}

/**
 * Advances an active sweep's study by `decide`'s step, all or nothing. A paused, cancelled or
 * completed sweep is left alone (decide is not called). When the step adds nothing and no run is
 * left unfinished, the study is over: the sweep completes. Null: no such sweep.
 */
export async function advanceStudyRecord(
  db: PrismaClient,
  sweepId: string,
  decide: (state: StudyState) => StudyStep,
): Promise<{ added: Run[]; pruned: StudyStep["prune"]; priority: number } | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    const status = await lockSweep(tx, sweepId);
    if (status === null) return null;
    const sweep = (await tx.sweep.findUnique({ where: { id: sweepId } }))!;
    if (status !== SweepStatus.active) return { added: [], pruned: [], priority: sweep.priority };
    const runs = (await trialBudgetSpent(tx, sweepId))
      ? (await tx.run.findMany({ where: { sweepId }, orderBy: { index: "asc" } })).map((run) => ({ ...run, epochs: [] }))
      : await tx.run.findMany({ where: { sweepId }, orderBy: { index: "asc" }, include: { epochs: { orderBy: { epoch: "asc" } } } });
    const step = decide({ sweep, runs });
    const pruned = await tx.run.updateManyAndReturn({
      where: { id: { in: step.prune.map((entry) => entry.runId) }, sweepId, status: RunStatus.queued },
      data: { status: RunStatus.pruned, finishedAt: new Date() },
      select: { id: true },
    });
    const reasons = new Map(step.prune.map((entry) => [entry.runId, entry.reason]));
    for (const { id } of pruned) await tx.run.update({ where: { id }, data: { prunedReason: reasons.get(id) } });
    await tx.runEvent.createMany({ data: pruned.map(({ id }) => ({ runId: id, status: RunStatus.pruned, message: reasons.get(id) })) });
    const added = await tx.run.createManyAndReturn({ data: step.add.map((run) => ({ ...run, params: asJson(run.params), sweepId })) });
    await tx.runEvent.createMany({ data: added.map((run) => ({ runId: run.id, status: RunStatus.queued, message: "trial asked by the study" })) });
    if (added.length === 0) await completeSweepIfDone(tx, sweepId, { budgetSpent: false });
    return { added: added.sort((a, b) => a.index - b.index), pruned: pruned.map(({ id }) => ({ runId: id, reason: reasons.get(id)! })), priority: sweep.priority };
  });
}

/**
 * Active sweeps whose study may have something to do: fewer configurations than their trial budget,
 * or no run left unfinished (a study whose last event was missed, to be asked or completed).
 */
export async function listAdaptiveSweepIds(db: PrismaClient): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT s.id FROM "Sweep" s
    WHERE s.status = 'active'::"SweepStatus" AND s."trialBudget" IS NOT NULL
      AND ((SELECT count(DISTINCT r."configKey") FROM "Run" r WHERE r."sweepId" = s.id) < s."trialBudget"
        OR NOT EXISTS (SELECT 1 FROM "Run" r WHERE r."sweepId" = s.id AND r.status IN ('queued'::"RunStatus", 'running'::"RunStatus")))
    ORDER BY s."createdAt"`;
  return rows.map((row) => row.id);
}
