// The latest checkpoint of each run, kept in the database so that any worker can resume the run, and
// the one of its best epoch, so that the networks of that epoch can be exported after later epochs.
//
// Checkpoints are megabytes. Through Prisma's Bytes handling (the pg adapter turns a bytea value
// into a JavaScript array of numbers) a 5 MB one takes over a second each way; moved as base64 text
// and converted by PostgreSQL it takes a tenth of that. Hence raw SQL here.
import type { PrismaClient } from "./generated/index.js";
import { RunNotFoundError, RunOwnershipLostError } from "./errors.ts";
import { Prisma } from "./generated/index.js";
import { isUuid } from "./values.ts";

/**
 * Replaces the run's checkpoint; with best (taken at the end of the run's best epoch so far), its
 * best checkpoint too, in the same write. Throws RunNotFoundError. With owner (a worker id), writes
 * only while the run is running on that worker, else throws RunOwnershipLostError.
 */
export async function saveCheckpoint(
  db: PrismaClient,
  runId: string,
  epochsDone: number,
  data: Buffer,
  owner?: string,
  { best = false }: { best?: boolean } = {},
): Promise<void> {
  if (!isUuid(runId)) throw new RunNotFoundError(runId);
  // Selecting from "Run" makes a missing run insert nothing instead of violating the foreign key.
  // The bytes are sent once and decoded once, in the subquery, for both copies.
  const written = await db.$executeRaw`
    INSERT INTO "Checkpoint" ("runId", "epochsDone", data, "bestEpoch", "bestData", "updatedAt")
    SELECT id, ${epochsDone}::int, bytes, CASE WHEN ${best} THEN ${epochsDone}::int END, CASE WHEN ${best} THEN bytes END, now()
    FROM (SELECT id, decode(${data.toString("base64")}, 'base64') AS bytes FROM "Run"
          WHERE id = ${runId}::uuid ${owner === undefined ? Prisma.empty : Prisma.sql`AND status = 'running' AND "workerId" = ${owner}`}) AS run
    ON CONFLICT ("runId") DO UPDATE
    SET "epochsDone" = EXCLUDED."epochsDone", data = EXCLUDED.data, "updatedAt" = EXCLUDED."updatedAt",
        "bestEpoch" = COALESCE(EXCLUDED."bestEpoch", "Checkpoint"."bestEpoch"),
        "bestData" = COALESCE(EXCLUDED."bestData", "Checkpoint"."bestData")`;
  if (written === 0) {
    const [run] = await db.$queryRaw<Array<{ status: string; workerId: string | null }>>`
      SELECT status::text AS status, "workerId" FROM "Run" WHERE id = ${runId}::uuid`;
    if (!run || owner === undefined) throw new RunNotFoundError(runId);
    throw new RunOwnershipLostError(runId, owner, run);
  }
}

export async function loadCheckpoint(db: PrismaClient, runId: string): Promise<Buffer | null> {
  if (!isUuid(runId)) return null;
  const rows = await db.$queryRaw<Array<{ data: string }>>`
    SELECT encode(data, 'base64') AS data FROM "Checkpoint" WHERE "runId" = ${runId}::uuid`;
  // encode() wraps base64 lines at 76 characters; Buffer.from skips the newlines.
  return rows.length > 0 ? Buffer.from(rows[0].data, "base64") : null;
}

/** The checkpoint taken at the end of the run's best epoch (as it was when saved); null when none was kept. */
export async function loadBestCheckpoint(db: PrismaClient, runId: string): Promise<{ epoch: number; data: Buffer } | null> {
  if (!isUuid(runId)) return null;
  const rows = await db.$queryRaw<Array<{ epoch: number; data: string }>>`
    SELECT "bestEpoch" AS epoch, encode("bestData", 'base64') AS data FROM "Checkpoint" WHERE "runId" = ${runId}::uuid AND "bestData" IS NOT NULL`;
  return rows.length > 0 ? { epoch: rows[0].epoch, data: Buffer.from(rows[0].data, "base64") } : null;
}

/**
 * Puts run `fromRunId`'s latest checkpoint in place of run `toRunId`'s (population-based training's
 * exploit), inside the caller's transaction. The target keeps its own best checkpoint: that epoch was
 * its own. False when the source has no checkpoint.
 */
export async function copyCheckpoint(tx: Prisma.TransactionClient, fromRunId: string, toRunId: string): Promise<boolean> {
  const copied = await tx.$executeRaw`
    INSERT INTO "Checkpoint" ("runId", "epochsDone", data, "updatedAt")
    SELECT ${toRunId}::uuid, "epochsDone", data, now() FROM "Checkpoint" WHERE "runId" = ${fromRunId}::uuid
    ON CONFLICT ("runId") DO UPDATE
    SET "epochsDone" = EXCLUDED."epochsDone", data = EXCLUDED.data, "updatedAt" = EXCLUDED."updatedAt"`;
  return copied > 0;
}
