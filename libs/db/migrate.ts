// Brings a database to the committed schema: creates it if needed, then `prisma migrate deploy`.
// Imports no generated client, so it also runs where that client has not been generated yet.
import pg from "pg";
import { createLogger, type Logger } from "../log/index.ts";
import { connectionProblem, DatabaseUnavailableError, unavailableError } from "./errors.ts";
import { runPrismaCli } from "./prisma-cli.ts";
import { databaseTarget, maskDatabaseUrl, resolveDatabaseUrl, withDatabase } from "./url.ts";

/** What `prisma migrate deploy` 6.19 prints last when it succeeded. */
const MIGRATE_DEPLOY_DONE = /^(All migrations have been successfully applied\.|No pending migrations to apply\.)$/;

/** The maintenance database every PostgreSQL server has: where CREATE DATABASE is issued from. */
const MAINTENANCE_DATABASE = "postgres";

/**
 * Creates the database if it does not exist, then applies the migrations in prisma/migrations
 * that it lacks. Safe to run on every start and from several processes at once.
 */
export async function migrateDatabase(databaseUrl?: string): Promise<void> {
  const url = resolveDatabaseUrl(databaseUrl);
  // Created per call, not per module, so LOG_LEVEL set after import still applies.
  const log = createLogger("db");
  await ensureDatabaseExists(url, log);
  await runPrismaCli(["migrate", "deploy"], url, log, MIGRATE_DEPLOY_DONE);
  log.info({ database: maskDatabaseUrl(url) }, "database schema is up to date");
}

async function ensureDatabaseExists(url: string, log: Logger): Promise<void> {
  try {
    await withClient(url, async () => {});
    return;
  } catch (error) {
    const problem = connectionProblem(error);
    if (problem?.kind !== "no-database") throw problem ? unavailableError(problem, url) : error;
  }
  const { host, port, database } = databaseTarget(url);
  try {
    await withClient(withDatabase(url, MAINTENANCE_DATABASE), async (client) => {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    });
    log.info({ database, host, port }, "created database");
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 42P04 duplicate_database, or 23505 when a concurrent CREATE DATABASE wins the catalog insert.
    if (code === "42P04" || code === "23505") return;
    if (code === "42501") {
      throw new DatabaseUnavailableError(
        `database "${database}" does not exist on ${host}:${port} and the user of DATABASE_URL may ` +
          `not create databases: create it (CREATE DATABASE "${database}") or grant CREATEDB`,
      );
    }
    const problem = connectionProblem(error);
    throw problem ? unavailableError(problem, url) : error;
  }
}

async function withClient(url: string, use: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
