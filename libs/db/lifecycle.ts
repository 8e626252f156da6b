// A sweep's lifecycle after submit: pause, resume, extend, delete, and retrying one run. Each is one
// transaction under the sweep's row lock (lockSweep), the lock that runs finishing and the study loop
// take, so that none of them sees the sweep half-changed.
import { RunStatus, SweepStatus, type PrismaClient } from "./generated/index.js";
import { lockSweep } from "./sweeps.ts";
import type { Run } from "./types.ts";
import { isUuid } from "./values.ts";

/** The sweep was in this status, so nothing changed (a finished sweep cannot be paused or resumed). */
export interface Unchanged {
  changed: false;
  status: SweepStatus;
}

export interface HeldRuns {
  changed: true;
  /** Queued runs (oldest index first): their jobs go, they stay queued, held. */
  queued: string[];
  /** Running runs: told to stop after their epoch, checkpointed, back to queued. */
  running: string[];
}

/** An active sweep becomes paused; any other status is left as it is. Null: no such sweep. */
export async function pauseSweep(db: PrismaClient, sweepId: string): Promise<HeldRuns | Unchanged | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    const status = await lockSweep(tx, sweepId);
    if (status === null) return null;
    if (status !== SweepStatus.active) return { changed: false, status };
    await tx.sweep.update({ where: { id: sweepId }, data: { status: SweepStatus.paused } });
    const runs = await tx.run.findMany({
      where: { sweepId, status: { in: [RunStatus.queued, RunStatus.running] } },
      orderBy: { index: "asc" },
      select: { id: true, status: true },
    });
    const queued = runs.filter((run) => run.status === RunStatus.queued).map((run) => run.id);
    await tx.runEvent.createMany({ data: queued.map((runId) => ({ runId, status: "held", message: "sweep paused: waits for resume" })) });
    return { changed: true, queued, running: runs.filter((run) => run.status === RunStatus.running).map((run) => run.id) };
  });
}

/** A paused sweep becomes active again; any other status is left as it is. Returns the sweep's queued runs (to give jobs). */
export async function resumeSweep(
  db: PrismaClient,
  sweepId: string,
): Promise<{ changed: boolean; status: SweepStatus; priority: number; queued: Run[] } | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    const status = await lockSweep(tx, sweepId);
    if (status === null) return null;
    const changed = status === SweepStatus.paused;
    const { priority } = changed
      ? await tx.sweep.update({ where: { id: sweepId }, data: { status: SweepStatus.active }, select: { priority: true } })
      : await tx.sweep.findUniqueOrThrow({ where: { id: sweepId }, select: { priority: true } });
    const queued = await tx.run.findMany({ where: { sweepId, status: RunStatus.queued }, orderBy: { index: "asc" } });
    if (changed) await tx.runEvent.createMany({ data: queued.map((run) => ({ runId: run.id, status: "resumed", message: "sweep resumed: queued again" })) });
    return { changed, status: changed ? SweepStatus.active : status, priority, queued };
  });
}

/**
 * Raises the sweep's trial budget from `from` (what the caller read: the stored budget, or the
 * plan's when none is stored) to `to`, under the lock, only if nobody changed it meanwhile; a
 * completed sweep becomes active (the study asks the new trials). Null: no such sweep; false: the
 * budget was no longer `from` (read again and retry).
 */
export async function raiseTrialBudget(db: PrismaClient, sweepId: string, from: number | null, to: number): Promise<{ status: SweepStatus } | false | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    const status = await lockSweep(tx, sweepId);
    if (status === null) return null;
    const reopen = status === SweepStatus.completed;
    const { count } = await tx.sweep.updateMany({
      where: { id: sweepId, trialBudget: from },
      data: { trialBudget: to, ...(reopen ? { status: SweepStatus.active } : {}) },
    });
    if (count === 0) return false;
    return { status: reopen ? SweepStatus.active : status };
  });
}

/** The statuses a run may be retried from: what a person ended or a fault broke, not what the training or the pruner decided. */
export const RETRYABLE_RUN_STATUSES = [RunStatus.failed, RunStatus.cancelled] as const;

export interface RetriedRun {
  run: Run;
  /** The sweep's status after the retry: completed and cancelled sweeps are active again; paused stays paused. */
  sweepStatus: SweepStatus;
  /** The sweep's priority, for the run's job. */
  priority: number;
  /** Where training resumes: the epochs its checkpoint holds (0: none, from scratch). */
  checkpointEpochs: number;
}

/**
 * Puts a failed or cancelled run back to queued (error and finish time cleared; epochs, samples and
 * checkpoint kept) and logs the retry; a completed or cancelled sweep becomes active again. Null: no
 * such run; otherwise the run as it was when it cannot be retried.
 */
export async function retryRun(db: PrismaClient, runId: string): Promise<RetriedRun | { notRetryable: Run } | null> {
  if (!isUuid(runId)) return null;
  return db.$transaction(async (tx) => {
    const current = await tx.run.findUnique({ where: { id: runId }, select: { sweepId: true } });
    if (!current) return null;
    const sweepStatus = await lockSweep(tx, current.sweepId);
    const before = await tx.run.findUnique({ where: { id: runId }, include: { checkpoint: { select: { epochsDone: true } } } });
    if (!before || sweepStatus === null) return null;
    const { checkpoint, ...run } = before;
    if (!(RETRYABLE_RUN_STATUSES as readonly RunStatus[]).includes(run.status)) return { notRetryable: run };
    const retried = await tx.run.update({ where: { id: runId }, data: { status: RunStatus.queued, finishedAt: null, error: null, workerId: null } });
    const checkpointEpochs = checkpoint?.epochsDone ?? 0;
    const from = checkpointEpochs > 0 ? `resumes from its checkpoint after epoch ${checkpointEpochs}` : "starts from scratch (no checkpoint)";
    await tx.runEvent.create({ data: { runId, status: "retried", message: `retried after it was ${run.status}${run.error ? ` (${run.error})` : ""}: ${from}` } });
    const reopen = sweepStatus === SweepStatus.completed || sweepStatus === SweepStatus.cancelled;
    const where = { id: current.sweepId };
    const { priority } = reopen
      ? await tx.sweep.update({ where, data: { status: SweepStatus.active }, select: { priority: true } })
      : await tx.sweep.findUniqueOrThrow({ where, select: { priority: true } });
    return { run: retried, sweepStatus: reopen ? SweepStatus.active : sweepStatus, priority, checkpointEpochs };
  });
}

/**
 * Deletes the sweep and, by the schema's cascades, everything it stored: runs, epochs, samples,
 * checkpoints, status logs. Returns the ids of the runs it had; null: no such sweep.
 */
export async function deleteSweep(db: PrismaClient, sweepId: string): Promise<{ runIds: string[] } | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    if ((await lockSweep(tx, sweepId)) === null) return null;
    const runs = await tx.run.findMany({ where: { sweepId }, orderBy: { index: "asc" }, select: { id: true } });
    await tx.sweep.delete({ where: { id: sweepId } });
    return { runIds: runs.map((run) => run.id) };
  });
}
