// `npm run db:generate`: writes the Prisma client to libs/db/generated when it is missing or was
// generated from another schema or Prisma version (`--force`: regardless). npm 11 runs no install
// scripts here, so nothing else generates it after `npm ci`; and regenerating a client that is up to
// date would rewrite files under any process that is using them. `npm start` calls it too.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "../libs/log/index.ts";
import { GENERATED_SCHEMA, PRISMA_SCHEMA, PRISMA_VERSION, runPrismaCli } from "../libs/db/prisma-cli.ts";
import { resolveDatabaseUrl } from "../libs/db/url.ts";

/** The generated client's copy of the schema is its stamp: same schema and Prisma version, nothing to do. */
function upToDate(): boolean {
  if (!existsSync(GENERATED_SCHEMA)) return false;
  if (readFileSync(GENERATED_SCHEMA, "utf8") !== readFileSync(PRISMA_SCHEMA, "utf8")) return false;
  const client = readFileSync(join(GENERATED_SCHEMA, "..", "index.js"), "utf8");
  return client.includes(`"clientVersion": "${PRISMA_VERSION}"`);
}

/** Generates the client unless it is up to date; true when it did. */
export async function generateClientIfStale(log: Logger, options: { force?: boolean } = {}): Promise<boolean> {
  if (!options.force && upToDate()) {
    log.debug("Prisma client is up to date");
    return false;
  }
  // generate never connects, but the CLI needs a URL to resolve the schema's datasource.
  await runPrismaCli(["generate", "--no-hints"], resolveDatabaseUrl(), log);
  log.info(`Prisma client ${PRISMA_VERSION} generated in ${join("libs", "db", "generated")}`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await generateClientIfStale(createLogger("db"), { force: process.argv.includes("--force") });
}
