// The latest checkpoint of each run, kept in the database so that any worker can resume the run.
//
// Checkpoints are megabytes. Through Prisma's Bytes handling (the pg adapter turns a bytea value
// into a JavaScript array of numbers) a 5 MB one takes over a second each way; moved as base64 text
// and converted by PostgreSQL it takes a tenth of that. Hence raw SQL here.
import type { PrismaClient } from "./generated/index.js";
import { RunNotFoundError, RunOwnershipLostError } from "./errors.ts";
import { Prisma } from "./generated/index.js";
import { isUuid } from "./values.ts";

/**
 * Replaces the run's checkpoint. Throws RunNotFoundError. With owner (a worker id), writes only while
 * the run is running on that worker, else throws RunOwnershipLostError.
 */
export async function saveCheckpoint(
  db: PrismaClient,
  runId: string,
  epochsDone: number,
  data: Buffer,
  owner?: string,
): Promise<void> {
  if (!isUuid(runId)) throw new RunNotFoundError(runId);
  // Selecting from "Run" makes a missing run insert nothing instead of violating the foreign key.
  const written = await db.$executeRaw`
    INSERT INTO "Checkpoint" ("runId", "epochsDone", data, "updatedAt")
    SELECT id, ${epochsDone}::int, decode(${data.toString("base64")}, 'base64'), now()
    FROM "Run" WHERE id = ${runId}::uuid ${owner === undefined ? Prisma.empty : Prisma.sql`AND status = 'running' AND "workerId" = ${owner}`}
    ON CONFLICT ("runId") DO UPDATE
    SET "epochsDone" = EXCLUDED."epochsDone", data = EXCLUDED.data, "updatedAt" = EXCLUDED."updatedAt"`;
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
