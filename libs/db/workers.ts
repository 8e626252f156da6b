// Training workers: registered at start, heartbeating with their progress, stopped on shutdown.
import { Prisma, type PrismaClient, RunStatus } from "./generated/index.js";
import type { Worker, WorkerOverview, WorkerRegistration } from "./types.ts";
import { asJson } from "./values.ts";

/** A worker whose last heartbeat is older than this is presumed dead. */
export const WORKER_ALIVE_MS = 30_000;

/** Registers the worker, or re-registers it under the same id as freshly started. */
export async function registerWorker(db: PrismaClient, worker: WorkerRegistration): Promise<Worker> {
  const now = new Date();
  const fresh = { startedAt: now, lastHeartbeat: now, stoppedAt: null, progress: Prisma.DbNull };
  const { id, ...details } = worker;
  return db.worker.upsert({
    where: { id },
    create: { ...worker, ...fresh },
    update: { ...details, ...fresh },
  });
}

/**
 * Records that the worker is alive, with its live progress (null: no active run). Returns false
 * when the worker is not registered (e.g. the database was reset): it should register again.
 */
export async function heartbeatWorker(db: PrismaClient, id: string, progress: object | null): Promise<boolean> {
  const { count } = await db.worker.updateMany({
    where: { id },
    data: { lastHeartbeat: new Date(), progress: progress === null ? Prisma.DbNull : asJson(progress) },
  });
  return count > 0;
}

/** Marks the worker stopped. Its runs are not touched: the worker requeues or finishes them itself. */
export async function stopWorker(db: PrismaClient, id: string): Promise<void> {
  await db.worker.updateMany({ where: { id }, data: { stoppedAt: new Date(), progress: Prisma.DbNull } });
}

/**
 * Every worker, latest started first, with whether it is alive, the runs it is running and their
 * progress. The progress is the last heartbeat's, kept only for those runs: a heartbeat written as
 * a run's last batch ended still holds that run until the next one, after the run finished.
 */
export async function listWorkers(db: PrismaClient): Promise<WorkerOverview[]> {
  const workers = await db.worker.findMany({
    orderBy: [{ startedAt: "desc" }, { id: "asc" }],
    include: {
      runs: { where: { status: RunStatus.running }, orderBy: { startedAt: "asc" }, select: { id: true, sweepId: true } },
    },
  });
  const now = Date.now();
  return workers.map(({ runs, progress, ...worker }) => ({
    ...worker,
    alive: worker.stoppedAt === null && now - worker.lastHeartbeat.getTime() <= WORKER_ALIVE_MS,
    currentRuns: runs,
    progress: progressOf(progress, new Set(runs.map((run) => run.id))),
  }));
}

function progressOf(progress: Prisma.JsonValue, runIds: Set<string>): Prisma.JsonValue {
  if (progress === null || typeof progress !== "object" || Array.isArray(progress)) return progress;
  return Object.fromEntries(Object.entries(progress).filter(([runId]) => runIds.has(runId)));
}
