// A sweep's or run's tags and note, changed under a row lock: two changes at once (one adding a tag,
// one removing another) each see what the other left.
import { Prisma, type PrismaClient } from "./generated/index.js";
import type { Run, Sweep } from "./types.ts";
import { isUuid } from "./values.ts";

export interface Labels {
  tags: string[];
  note: string | null;
}

/** What the labels become, from what they are; it may throw to change nothing. */
export type Relabel = (current: Labels) => Labels;

/** The sweep with its labels changed by `relabel`; null: no such sweep. */
export function relabelSweep(db: PrismaClient, sweepId: string, relabel: Relabel): Promise<Sweep | null> {
  return withLockedLabels(db, "Sweep", sweepId, relabel, (tx, labels) => tx.sweep.update({ where: { id: sweepId }, data: labels }));
}

/** The run with its labels changed by `relabel`; null: no such run. */
export function relabelRun(db: PrismaClient, runId: string, relabel: Relabel): Promise<Run | null> {
  return withLockedLabels(db, "Run", runId, relabel, (tx, labels) => tx.run.update({ where: { id: runId }, data: labels }));
}

async function withLockedLabels<T>(
  db: PrismaClient,
  table: "Sweep" | "Run",
  id: string,
  relabel: Relabel,
  write: (tx: Prisma.TransactionClient, labels: Labels) => Promise<T>,
): Promise<T | null> {
  if (!isUuid(id)) return null;
  return db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<Labels[]>`
      SELECT tags, note FROM ${Prisma.raw(`"${table}"`)} WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
    return current ? write(tx, relabel(current)) : null;
  });
}
