// `npm run db:generate`: writes the Prisma client to libs/db/generated when it is missing or was
// generated from another schema or Prisma version (`--force`: regardless). npm 11 runs no install
// scripts here, so nothing else generates it after `npm ci`; and regenerating a client that is up to
// date would rewrite files under any process that is using them. `npm start` calls it too.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "../libs/log/index.ts";
import { GENERATED_CLIENT, PRISMA_SCHEMA, PRISMA_VERSION, runPrismaCli } from "../libs/db/prisma-cli.ts";
import { resolveDatabaseUrl } from "../libs/db/url.ts";

/**
 * The schema as it was when the client was generated, byte for byte. Not Prisma's own copy beside the
 * client: that one is reformatted (aligned columns), so a schema not run through `prisma format` never
 * matched it and every start regenerated the client.
 */
const SCHEMA_STAMP = join(GENERATED_CLIENT, "generated-from.prisma");
const CLIENT_ENTRY = join(GENERATED_CLIENT, "index.js");

/** Same schema and Prisma version as at the last generate: nothing to do. */
function upToDate(schema: string): boolean {
  if (!existsSync(SCHEMA_STAMP) || !existsSync(CLIENT_ENTRY)) return false;
  if (readFileSync(SCHEMA_STAMP, "utf8") !== schema) return false;
  return readFileSync(CLIENT_ENTRY, "utf8").includes(`"clientVersion": "${PRISMA_VERSION}"`);
}

/** Generates the client unless it is up to date; true when it did. */
export async function generateClientIfStale(log: Logger, options: { force?: boolean } = {}): Promise<boolean> {
  // Read before generating: an edit made meanwhile must not be stamped as generated.
  const schema = readFileSync(PRISMA_SCHEMA, "utf8");
  if (!options.force && upToDate(schema)) {
    log.debug("Prisma client is up to date");
    return false;
  }
  // generate never connects, but the CLI needs a URL to resolve the schema's datasource.
  await runPrismaCli(["generate", "--no-hints"], resolveDatabaseUrl(), log);
  writeFileSync(SCHEMA_STAMP, schema);
  log.info(`Prisma client ${PRISMA_VERSION} generated in ${join("libs", "db", "generated")}`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await generateClientIfStale(createLogger("db"), { force: process.argv.includes("--force") });
}
