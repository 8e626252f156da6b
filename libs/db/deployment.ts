// The deployment a database belongs to: one row, made by the migration that created the table.
import type { PrismaClient } from "./generated/index.js";

/** This database's deployment id; made here if the row is missing (a restore without it). */
export async function deploymentId(db: PrismaClient): Promise<string> {
  const found = await db.deployment.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  if (found) return found.id;
  await db.$executeRaw`INSERT INTO "Deployment" ("id") SELECT gen_random_uuid() WHERE NOT EXISTS (SELECT 1 FROM "Deployment")`;
  return deploymentId(db);
}
