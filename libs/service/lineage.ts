import { getSweep, listPbtDecisions, listSweepRuns, type PbtDecision } from "../db/index.ts";
import type { LineageResponse, PbtDecisionRow, RunStatus } from "../results/index.ts";
import type { TrainingConfig } from "../sgan/index.ts";
import { pbtSchedule, replayConfig, studyConfig, type ScheduleExploit } from "../study/index.ts";
import { pbtOptionsOf, type PerturbedValue } from "../sweep/index.ts";
import type { ServiceContext } from "./context.ts";
import { StateConflictError } from "./state-conflict.ts";

/**
 * A pbt sweep's lineage: its decisions in the order they were made, and each run's hyperparameters
 * as a schedule over the epochs its weights were trained (docs/sweeps.md, Population-based training).
 * Null: no such sweep; a sweep of another strategy has no lineage (StateConflictError).
 */
export async function sweepLineage(ctx: Pick<ServiceContext, "db">, sweepId: string): Promise<LineageResponse | null> {
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  const config = studyConfig(sweep.config);
  if (config?.strategy !== "pbt") {
    throw new StateConflictError(`sweep ${sweepId} is a ${config?.strategy ?? "stored"} sweep: only a pbt sweep's runs copy each other, so it has no lineage`);
  }
  const [runs, decisions] = await Promise.all([listSweepRuns(ctx.db, sweepId), listPbtDecisions(ctx.db, sweepId)]);
  const indexOf = new Map(runs.map((run) => [run.id, run.index]));
  const scheduleRuns = runs.map((run) => ({ id: run.id, index: run.index, params: run.params as TrainingConfig }));
  const exploits = decisions.flatMap(exploitOf);
  const { perturb } = pbtOptionsOf(config);
  const scheduleOf = (runId: string, params: TrainingConfig, through: number) => {
    const schedule = pbtSchedule(scheduleRuns, exploits, perturb, runId, through);
    return { schedule, replay: replayConfig(params, schedule) };
  };
  return {
    sweepId,
    perturb,
    decisions: decisions.map((decision) => decisionRow(decision, indexOf)),
    runs: runs.map((run) => ({
      id: run.id,
      index: run.index,
      status: run.status as RunStatus,
      configKey: run.configKey,
      epochsDone: run.epochsDone,
      ...scheduleOf(run.id, run.params as TrainingConfig, run.epochsDone),
    })),
  };
}

function exploitOf(decision: PbtDecision): ScheduleExploit[] {
  if (decision.action !== "exploit" || decision.fromRunId === null || decision.fromEpoch === null) return [];
  const { runId, epoch, fromRunId, fromEpoch } = decision;
  return [{ runId, epoch, fromRunId, fromEpoch, params: decision.params as TrainingConfig, previousParams: decision.previousParams as TrainingConfig | null }];
}

function decisionRow(decision: PbtDecision, indexOf: ReadonlyMap<string, number>): PbtDecisionRow {
  return {
    id: decision.id,
    runId: decision.runId,
    runIndex: indexOf.get(decision.runId)!,
    epoch: decision.epoch,
    action: decision.action === "exploit" ? "exploit" : "continue",
    fromRunId: decision.fromRunId,
    fromRunIndex: decision.fromRunId === null ? null : indexOf.get(decision.fromRunId)!,
    fromEpoch: decision.fromEpoch,
    changes: (decision.changes ?? []) as unknown as PerturbedValue[],
    reason: decision.reason,
    at: decision.createdAt.toISOString(),
  };
}
