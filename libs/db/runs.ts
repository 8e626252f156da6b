// A run's life cycle: started by a worker, finished, handed back to the queue; and reading it.
import { Prisma, type PrismaClient, RunStatus, SweepStatus } from "./generated/index.js";
import { endReason } from "../results/index.ts";
import { WorkerNotRegisteredError } from "./errors.ts";
import { completeSweepIfDone, lockSweep } from "./sweeps.ts";
import type { FinalRunStatus, Run, RunDetails } from "./types.ts";
import { UNFINISHED_RUN_STATUSES } from "./types.ts";
import { isUuid } from "./values.ts";

/**
 * Moves a queued run to running on this worker and counts the attempt. Only a queued run can be
 * started: a run that is running (on any worker, this one included) or final yields null and no
 * change, so a duplicate or late job never trains a run twice. A job whose run was left running
 * by a dead worker must requeueRun it first. The update is conditional on the status, so of two
 * concurrent calls exactly one gets the run.
 */
export async function startRun(
  db: PrismaClient,
  runId: string,
  workerId: string,
  backend: string,
  device: string,
): Promise<Run | null> {
  if (!isUuid(runId)) return null;
  try {
    return await db.$transaction(async (tx) => {
      const [run] = await tx.run.updateManyAndReturn({
        where: { id: runId, status: RunStatus.queued },
        data: { status: RunStatus.running, attempts: { increment: 1 }, workerId, backend, device },
      });
      if (!run) return null;
      await tx.runEvent.create({
        data: {
          runId,
          status: RunStatus.running,
          workerId,
          message: `attempt ${run.attempts} on ${backend} (${device})`,
        },
      });
      if (run.startedAt) return run;
      return tx.run.update({ where: { id: runId }, data: { startedAt: new Date() } });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") {
      throw new WorkerNotRegisteredError(workerId);
    }
    throw error;
  }
}

/**
 * Puts a final status on a run that is queued or running and logs it; a run already final keeps
 * its status (a cancelled run stays cancelled). The run keeps its workerId: the worker that ran it
 * last, shown with its results (a worker's current runs are its running ones). When this was the
 * sweep's last unfinished run, an active sweep becomes completed. Returns whether the run changed.
 */
export async function finishRun(
  db: PrismaClient,
  runId: string,
  status: FinalRunStatus,
  details: { error?: string; divergedEpoch?: number; prunedReason?: string } = {},
  /** Fence: only when the run is on this worker, or on none (not taken over by another worker). */
  owner?: string,
): Promise<boolean> {
  if (!isUuid(runId)) return false;
  return db.$transaction(async (tx) => {
    const current = await tx.run.findUnique({ where: { id: runId }, select: { sweepId: true, workerId: true } });
    if (!current) return false;
    await lockSweep(tx, current.sweepId);
    const { count } = await tx.run.updateMany({
      where: { id: runId, status: { in: [...UNFINISHED_RUN_STATUSES] }, ...(owner === undefined ? {} : { OR: [{ workerId: owner }, { workerId: null }] }) },
      data: {
        status,
        finishedAt: new Date(),
        error: details.error ?? null,
        divergedEpoch: details.divergedEpoch ?? null,
        prunedReason: details.prunedReason ?? null,
      },
    });
    if (count === 0) return false;
    const message = endReason(details);
    await tx.runEvent.create({ data: { runId, status, workerId: current.workerId, message } });
    await completeSweepIfDone(tx, current.sweepId);
    return true;
  });
}

/**
 * Hands a running run back to the queue (its worker shuts down, or its job stalled), keeping its
 * attempts, epochs and checkpoint. Returns whether the run was running.
 */
export async function requeueRun(db: PrismaClient, runId: string, reason: string, /** Fence: only when running on this worker. */ owner?: string): Promise<boolean> {
  if (!isUuid(runId)) return false;
  return db.$transaction(async (tx) => {
    const current = await tx.run.findUnique({ where: { id: runId }, select: { workerId: true } });
    if (!current) return false;
    const { count } = await tx.run.updateMany({
      where: { id: runId, status: RunStatus.running, ...(owner === undefined ? {} : { workerId: owner }) },
      data: { status: RunStatus.queued, workerId: null },
    });
    if (count === 0) return false;
    await tx.runEvent.create({
      data: { runId, status: "requeued", workerId: current.workerId, message: reason },
    });
    return true;
  });
}

/**
 * The run's status and worker, and its sweep's status, read cheaply (a worker checking that its run
 * is still its own and not cancelled); null when gone.
 */
export async function runOwner(db: PrismaClient, runId: string): Promise<{ status: string; workerId: string | null; sweepStatus: string } | null> {
  if (!isUuid(runId)) return null;
  const run = await db.run.findUnique({ where: { id: runId }, select: { status: true, workerId: true, sweep: { select: { status: true } } } });
  return run && { status: run.status, workerId: run.workerId, sweepStatus: run.sweep.status };
}

/** How many times the run was handed back to the queue with exactly this reason. */
export async function countRequeues(db: PrismaClient, runId: string, reason: string): Promise<number> {
  if (!isUuid(runId)) return 0;
  return db.runEvent.count({ where: { runId, status: "requeued", message: reason } });
}

/**
 * Runs that are queued or running, oldest first, except those of paused sweeps (held until resumed):
 * what a reconciler makes sure has a job.
 */
export async function listUnfinishedRuns(db: PrismaClient): Promise<Run[]> {
  return db.run.findMany({
    where: { status: { in: [...UNFINISHED_RUN_STATUSES] }, sweep: { status: { not: SweepStatus.paused } } },
    orderBy: [{ createdAt: "asc" }, { index: "asc" }],
  });
}

/** The run with its events in order and its sweep's name; null when there is no such run. */
export async function getRun(db: PrismaClient, id: string): Promise<RunDetails | null> {
  if (!isUuid(id)) return null;
  return db.run.findUnique({
    where: { id },
    include: { events: { orderBy: [{ at: "asc" }, { id: "asc" }] }, sweep: { select: { name: true, strategy: true } } },
  });
}
