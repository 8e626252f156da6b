// The latest checkpoint of each run, kept in the database so that any worker can resume the run.
import { Prisma, type PrismaClient } from "./generated/index.js";
import { RunNotFoundError } from "./errors.ts";
import { asBuffer, asBytes, isUuid } from "./values.ts";

/** Replaces the run's checkpoint. Throws RunNotFoundError. */
export async function saveCheckpoint(
  db: PrismaClient,
  runId: string,
  epochsDone: number,
  data: Buffer,
): Promise<void> {
  if (!isUuid(runId)) throw new RunNotFoundError(runId);
  const bytes = asBytes(data);
  try {
    await db.checkpoint.upsert({
      where: { runId },
      create: { runId, epochsDone, data: bytes },
      update: { epochsDone, data: bytes },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") {
      throw new RunNotFoundError(runId);
    }
    throw error;
  }
}

export async function loadCheckpoint(db: PrismaClient, runId: string): Promise<Buffer | null> {
  if (!isUuid(runId)) return null;
  const checkpoint = await db.checkpoint.findUnique({ where: { runId }, select: { data: true } });
  return checkpoint ? asBuffer(checkpoint.data) : null;
}
