// Sweeps: creating one with its runs, the overviews that list them, cancelling one.
import { Prisma, type PrismaClient, RunStatus, SweepStatus } from "./generated/index.js";
import type {
  BestRun,
  NewRun,
  NewSweep,
  Run,
  RunStatusCounts,
  RunWithEpochCount,
  RunWithEpochs,
  Sweep,
  SweepOverview,
} from "./types.ts";
import { UNFINISHED_RUN_STATUSES } from "./types.ts";
import { asJson, isUuid } from "./values.ts";
import { IdempotencyKeyTakenError } from "./errors.ts";

/**
 * The sweep, its runs (status queued) and a 'queued' event per run, all or nothing. Throws
 * IdempotencyKeyTakenError when another sweep holds the sweep's idempotency key.
 */
export async function createSweepWithRuns(
  db: PrismaClient,
  sweep: NewSweep,
  runs: NewRun[],
): Promise<{ sweep: Sweep; runs: Run[] }> {
  try {
    return await insertSweepWithRuns(db, sweep, runs);
  } catch (error) {
    const unique = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
    if (unique && sweep.idempotencyKey !== undefined) throw new IdempotencyKeyTakenError(sweep.idempotencyKey);
    throw error;
  }
}

/** The sweep created by the submit with this Idempotency-Key, with its runs in index order; null if none. */
export async function findSweepByIdempotencyKey(db: PrismaClient, key: string): Promise<{ sweep: Sweep; runs: Run[] } | null> {
  const sweep = await db.sweep.findUnique({ where: { idempotencyKey: key }, include: { runs: { orderBy: { index: "asc" } } } });
  if (!sweep) return null;
  const { runs, ...row } = sweep;
  return { sweep: row, runs };
}

function insertSweepWithRuns(db: PrismaClient, sweep: NewSweep, runs: NewRun[]): Promise<{ sweep: Sweep; runs: Run[] }> {
  return db.$transaction(async (tx) => {
    const created = await tx.sweep.create({
      data: { ...sweep, config: asJson(sweep.config) },
    });
    const createdRuns = await tx.run.createManyAndReturn({
      data: runs.map((run) => ({ ...run, params: asJson(run.params), sweepId: created.id })),
    });
    await tx.runEvent.createMany({
      data: createdRuns.map((run) => ({ runId: run.id, status: RunStatus.queued })),
    });
    return { sweep: created, runs: createdRuns.sort((a, b) => a.index - b.index) };
  });
}

/** Sweeps newest first, page 1 being the first, each with its run counts and best run; with `tags`, only those with every one of them. */
export async function listSweeps(
  db: PrismaClient,
  { page, pageSize, tags = [] }: { page: number; pageSize: number; tags?: readonly string[] },
): Promise<{ total: number; items: SweepOverview[] }> {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`page must be an integer >= 1, got ${page}`);
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be an integer >= 1, got ${pageSize}`);
  }
  const where = withTags(tags);
  const [total, sweeps] = await db.$transaction([
    db.sweep.count({ where }),
    db.sweep.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
  ]);
  return { total, items: await withOverview(db, sweeps) };
}

export async function getSweep(db: PrismaClient, id: string): Promise<SweepOverview | null> {
  if (!isUuid(id)) return null;
  const sweep = await db.sweep.findUnique({ where: { id } });
  return sweep ? (await withOverview(db, [sweep]))[0] : null;
}

/** Every run of the sweep in index order, with its epochs in order: what ranking reads. */
export async function getSweepRuns(db: PrismaClient, sweepId: string): Promise<RunWithEpochs[]> {
  if (!isUuid(sweepId)) return [];
  return db.run.findMany({
    where: { sweepId },
    orderBy: { index: "asc" },
    include: { epochs: { orderBy: { epoch: "asc" } } },
  });
}

/** A filter on tags: rows that have every one of them (none: every row). */
function withTags(tags: readonly string[]): { tags?: { hasEvery: string[] } } {
  return tags.length > 0 ? { tags: { hasEvery: [...tags] } } : {};
}

/** Every run of the sweep in index order (with `tags`, those that have every one) with how many epochs it has recorded, without the rows themselves. */
export async function listSweepRuns(db: PrismaClient, sweepId: string, { tags = [] }: { tags?: readonly string[] } = {}): Promise<RunWithEpochCount[]> {
  if (!isUuid(sweepId)) return [];
  const runs = await db.run.findMany({
    where: { sweepId, ...withTags(tags) },
    orderBy: { index: "asc" },
    include: { _count: { select: { epochs: true } } },
  });
  return runs.map(({ _count, ...run }) => ({ ...run, epochCount: _count.epochs }));
}

/**
 * Marks the sweep cancelled (an active or paused one; a completed one stays completed) and its queued
 * runs cancelled. Running runs are left to the caller, who stops them and then calls
 * finishRun(..., "cancelled"). Null when the sweep does not exist.
 */
export async function cancelSweep(
  db: PrismaClient,
  sweepId: string,
): Promise<{ cancelledQueued: string[]; running: string[] } | null> {
  if (!isUuid(sweepId)) return null;
  return db.$transaction(async (tx) => {
    const status = await lockSweep(tx, sweepId);
    if (status === null) return null;
    if (status === SweepStatus.active || status === SweepStatus.paused) {
      await tx.sweep.update({ where: { id: sweepId }, data: { status: SweepStatus.cancelled } });
    }
    // Conditional on status, so a run a worker starts meanwhile is reported as running instead.
    const cancelled = await tx.run.updateManyAndReturn({
      where: { sweepId, status: RunStatus.queued },
      data: { status: RunStatus.cancelled, finishedAt: new Date() },
      select: { id: true, index: true },
    });
    await tx.runEvent.createMany({
      data: cancelled.map(({ id }) => ({
        runId: id,
        status: RunStatus.cancelled,
        message: "sweep cancelled before the run started",
      })),
    });
    const running = await tx.run.findMany({
      where: { sweepId, status: RunStatus.running },
      orderBy: { index: "asc" },
      select: { id: true },
    });
    return {
      cancelledQueued: cancelled.sort((a, b) => a.index - b.index).map(({ id }) => id),
      running: running.map(({ id }) => id),
    };
  });
}

/**
 * Row-locks the sweep for the rest of the transaction and returns its status (null: no such
 * sweep). Transactions that finish a sweep's runs take this lock first, so that the last two runs
 * finishing at once cannot each see the other still unfinished and leave the sweep active.
 */
export async function lockSweep(tx: Prisma.TransactionClient, sweepId: string): Promise<SweepStatus | null> {
  const rows = await tx.$queryRaw<Array<{ status: SweepStatus }>>`
    SELECT status::text AS status FROM "Sweep" WHERE id = ${sweepId}::uuid FOR NO KEY UPDATE`;
  return rows[0]?.status ?? null;
}

/**
 * After a run of the sweep reached a final state: an active sweep with no unfinished run completed,
 * unless its study may still ask for trials (fewer configurations than its trial budget): then the
 * study loop completes it once it finds nothing more to ask (`budgetSpent: false` from there).
 */
export async function completeSweepIfDone(tx: Prisma.TransactionClient, sweepId: string, options: { budgetSpent?: boolean } = {}): Promise<void> {
  const unfinished = await tx.run.count({
    where: { sweepId, status: { in: [...UNFINISHED_RUN_STATUSES] } },
  });
  if (unfinished > 0) return;
  if (options.budgetSpent !== false && !(await trialBudgetSpent(tx, sweepId))) return;
  await tx.sweep.updateMany({
    where: { id: sweepId, status: SweepStatus.active },
    data: { status: SweepStatus.completed },
  });
}

/** Whether the sweep has as many configurations as its trial budget (or has no budget: a plan fixed at submit). */
export async function trialBudgetSpent(tx: Prisma.TransactionClient, sweepId: string): Promise<boolean> {
  const sweep = await tx.sweep.findUnique({ where: { id: sweepId }, select: { trialBudget: true } });
  if (sweep?.trialBudget === null || sweep?.trialBudget === undefined) return true;
  const trials = await tx.run.groupBy({ by: ["configKey"], where: { sweepId } });
  return trials.length >= sweep.trialBudget;
}

async function withOverview(db: PrismaClient, sweeps: Sweep[]): Promise<SweepOverview[]> {
  if (sweeps.length === 0) return [];
  const ids = sweeps.map((sweep) => sweep.id);
  const [groups, best] = await Promise.all([
    db.run.groupBy({ by: ["sweepId", "status"], where: { sweepId: { in: ids } }, _count: { _all: true } }),
    bestRuns(db, ids),
  ]);
  return sweeps.map((sweep) => {
    const counts = emptyCounts();
    for (const group of groups) if (group.sweepId === sweep.id) counts[group.status] = group._count._all;
    return { ...sweep, counts, best: best.get(sweep.id) ?? null };
  });
}

/**
 * Per sweep, the completed run with the highest final test accuracy (ties: lowest index). Only
 * completed runs count: an unfinished or diverged run's accuracy is not a result.
 */
async function bestRuns(db: PrismaClient, sweepIds: string[]): Promise<Map<string, BestRun>> {
  const rows = await db.$queryRaw<Array<{ sweepId: string; runId: string; finalTestAccuracy: number }>>`
    SELECT DISTINCT ON ("sweepId") "sweepId", id AS "runId", "finalTestAccuracy"
    FROM "Run"
    WHERE "sweepId" = ANY(${sweepIds}::uuid[])
      AND status = ${RunStatus.completed}::"RunStatus"
      AND "finalTestAccuracy" IS NOT NULL
    ORDER BY "sweepId", "finalTestAccuracy" DESC, index ASC`;
  return new Map(rows.map(({ sweepId, runId, finalTestAccuracy }) => [sweepId, { runId, finalTestAccuracy }]));
}

function emptyCounts(): RunStatusCounts {
  return Object.fromEntries(Object.values(RunStatus).map((status) => [status, 0])) as RunStatusCounts;
}
