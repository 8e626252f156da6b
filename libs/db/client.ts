// Opening the database: a Prisma client over the pg driver adapter, checked before it is handed out.
import { PrismaPg } from "@prisma/adapter-pg";
import { connectionProblem, DatabaseUnavailableError, unavailableError } from "./errors.ts";
import { PrismaClient } from "./generated/index.js";
import { databaseTarget, resolveDatabaseUrl } from "./url.ts";

export interface Database {
  prisma: PrismaClient;
  close(): Promise<void>;
}

/**
 * Connects to databaseUrl (default: DATABASE_URL, then DEFAULT_DATABASE_URL) and verifies that it
 * is reachable and migrated, so that a misconfiguration fails here with a message saying what to
 * do rather than at the first query.
 */
export async function openDatabase(databaseUrl?: string): Promise<Database> {
  const url = resolveDatabaseUrl(databaseUrl);
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
    // The default "pretty" format quotes the call site, which here is minified runtime code.
    errorFormat: "minimal",
  });
  try {
    const [{ migrated }] = await prisma.$queryRaw<Array<{ migrated: boolean }>>`
      SELECT to_regclass('"Run"') IS NOT NULL AS migrated`;
    if (!migrated) {
      const { host, port, database } = databaseTarget(url);
      throw new DatabaseUnavailableError(
        `database "${database}" on ${host}:${port} has no tables yet: run \`npm run db:migrate\` ` +
          `(migrateDatabase) first`,
      );
    }
  } catch (error) {
    await prisma.$disconnect();
    const problem = connectionProblem(error);
    throw problem ? unavailableError(problem, url) : error;
  }
  return { prisma, close: () => prisma.$disconnect() };
}
