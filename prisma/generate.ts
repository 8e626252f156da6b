// `npm run db:generate`: writes the Prisma client to libs/db/generated when it is missing or was
// generated from another schema or Prisma version. npm 11 runs no install scripts here, so nothing
// else generates it after `npm ci`; and regenerating a client that is up to date would rewrite files
// under any process that is using them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../libs/log/index.ts";
import { GENERATED_SCHEMA, PRISMA_SCHEMA, PRISMA_VERSION, runPrismaCli } from "../libs/db/prisma-cli.ts";
import { resolveDatabaseUrl } from "../libs/db/url.ts";

function upToDate(): boolean {
  if (!existsSync(GENERATED_SCHEMA)) return false;
  if (readFileSync(GENERATED_SCHEMA, "utf8") !== readFileSync(PRISMA_SCHEMA, "utf8")) return false;
  const client = readFileSync(join(GENERATED_SCHEMA, "..", "index.js"), "utf8");
  return client.includes(`"clientVersion": "${PRISMA_VERSION}"`);
}

const log = createLogger("db");
if (process.argv.includes("--force") || !upToDate()) {
  // generate never connects, but the CLI needs a URL to resolve the schema's datasource.
  await runPrismaCli(["generate", "--no-hints"], resolveDatabaseUrl(), log);
} else {
  log.debug("Prisma client is up to date");
}
