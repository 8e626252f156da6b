// Per-epoch results of a run: metrics, sample images, and the run's running summary.
import { Prisma, type PrismaClient } from "./generated/index.js";
import { RunNotFoundError, RunOwnershipLostError } from "./errors.ts";
import type { EpochMetric, EpochMetricInput, RunSummaryInput } from "./types.ts";
import { asBuffer, asBytes, asJson, isUuid } from "./values.ts";

/** The SQL type of every EpochMetricInput column; a Record, so a new column cannot be forgotten. */
const EPOCH_COLUMNS: Record<keyof EpochMetricInput, "int" | "float8" | "jsonb"> = {
  epoch: "int",
  batches: "int",
  dLossMean: "float8",
  dLossStd: "float8",
  dLossMin: "float8",
  dLossMax: "float8",
  gLossMean: "float8",
  gLossStd: "float8",
  gLossMin: "float8",
  gLossMax: "float8",
  dAccMean: "float8",
  dAccStd: "float8",
  dAccMin: "float8",
  dAccMax: "float8",
  testAccuracy: "float8",
  testClassLoss: "float8",
  confusion: "jsonb",
  samplesPerSec: "float8",
  wallSeconds: "float8",
};

/**
 * Stores one epoch of a run, idempotently: a retried job that replays the epoch overwrites it. In
 * one transaction: the metrics row and the sample image (when given) are upserted on (run, epoch);
 * the run's epochsDone becomes max(epochsDone, epoch), and its summary and accuracy columns take
 * this epoch's values unless a later epoch is already recorded. Throws RunNotFoundError.
 *
 * With owner (a worker id), the write is fenced: the run's row is locked and, unless it is running on
 * that worker, nothing is written and RunOwnershipLostError is thrown. A worker that stalled and lost
 * the job to another one thus never writes over the new owner's epochs.
 */
export async function recordEpoch(
  db: PrismaClient,
  runId: string,
  metrics: EpochMetricInput,
  png: Buffer | null,
  summary: RunSummaryInput,
  owner?: string,
): Promise<void> {
  if (!isUuid(runId)) throw new RunNotFoundError(runId);
  const { epoch } = metrics;
  await db.$transaction(async (tx) => {
    const [run] = await tx.$queryRaw<Array<{ status: string; workerId: string | null }>>`
      SELECT status::text AS status, "workerId" FROM "Run" WHERE id = ${runId}::uuid FOR UPDATE`;
    if (!run) throw new RunNotFoundError(runId);
    if (owner !== undefined && (run.status !== "running" || run.workerId !== owner)) throw new RunOwnershipLostError(runId, owner, run);
    await tx.$executeRaw(upsertEpochMetric(runId, metrics));
    if (png) {
      const bytes = asBytes(png);
      await tx.sampleImage.upsert({
        where: { runId_epoch: { runId, epoch } },
        create: { runId, epoch, png: bytes },
        // A replayed epoch is a new computation: its rows are dated by it, like the metrics.
        update: { png: bytes, createdAt: new Date() },
      });
    }
    await tx.run.updateMany({
      where: { id: runId, epochsDone: { lte: epoch } },
      data: {
        epochsDone: epoch,
        summary: asJson(summary),
        finalTestAccuracy: summary.finalTestAccuracy,
        bestTestAccuracy: summary.bestTestAccuracy,
      },
    });
  });
}

/**
 * Written as SQL rather than through Prisma's upsert, which turns NaN and ±Infinity into null (and
 * so fails on these NOT NULL columns), while a diverging GAN produces exactly such losses.
 * PostgreSQL's float8 stores them: each value travels as text ('NaN', 'Infinity', '0.25'), the
 * confusion matrix as JSON text.
 */
function upsertEpochMetric(runId: string, metrics: EpochMetricInput): Prisma.Sql {
  const columns = Object.keys(EPOCH_COLUMNS) as Array<keyof EpochMetricInput>;
  const names = columns.map((column) => Prisma.raw(`"${column}"`));
  const values = columns.map((column) => Prisma.sql`${columnText(metrics[column])}::${Prisma.raw(EPOCH_COLUMNS[column])}`);
  const updates = columns
    .filter((column) => column !== "epoch")
    .map((column) => Prisma.raw(`"${column}" = EXCLUDED."${column}"`));
  return Prisma.sql`
    INSERT INTO "EpochMetric" ("runId", ${Prisma.join(names)})
    VALUES (${runId}::uuid, ${Prisma.join(values)})
    ON CONFLICT ("runId", "epoch") DO UPDATE SET ${Prisma.join(updates)}, "createdAt" = now()`;
}

/** A value as the text its column's cast reads: a number as String writes it (NaN too), a matrix as JSON, null as NULL. */
function columnText(value: EpochMetricInput[keyof EpochMetricInput]): string | null {
  if (value === null) return null;
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

export async function getRunEpochs(db: PrismaClient, runId: string): Promise<EpochMetric[]> {
  if (!isUuid(runId)) return [];
  return db.epochMetric.findMany({ where: { runId }, orderBy: { epoch: "asc" } });
}

/** The PNG of the run's sample grid after that epoch, or null. */
export async function getSample(db: PrismaClient, runId: string, epoch: number): Promise<Buffer | null> {
  if (!isUuid(runId) || !Number.isInteger(epoch)) return null;
  const sample = await db.sampleImage.findUnique({
    where: { runId_epoch: { runId, epoch } },
    select: { png: true },
  });
  return sample ? asBuffer(sample.png) : null;
}

/** The epochs of the run that have a sample image, ascending. */
export async function listSampleEpochs(db: PrismaClient, runId: string): Promise<number[]> {
  if (!isUuid(runId)) return [];
  const rows = await db.sampleImage.findMany({ where: { runId }, orderBy: { epoch: "asc" }, select: { epoch: true } });
  return rows.map(({ epoch }) => epoch);
}
