// Counts for the API's /metrics: read at each scrape, so they are what PostgreSQL holds now.
import type { PrismaClient, RunStatus } from "./generated/index.js";

/** How many runs are in each status; statuses with no run are left out. */
export async function countRunsByStatus(db: PrismaClient): Promise<Map<RunStatus, number>> {
  const groups = await db.run.groupBy({ by: ["status"], _count: { _all: true } });
  return new Map(groups.map((group) => [group.status, group._count._all]));
}
