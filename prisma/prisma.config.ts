// Prisma 6's native schema engine cannot be downloaded here, so the CLI runs its WebAssembly schema
// engine through the pg driver adapter. This file lives in prisma/, not the project root, so every
// CLI call passes `--config prisma/prisma.config.ts` (the db:* npm scripts and libs/db/migrate.ts do).
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { DEFAULT_DATABASE_URL } from "../libs/db/url.ts";

// Without a resolvable DATABASE_URL the CLI falls back to the classic engines and tries to
// download them, even for `generate`, which never connects. So schema.prisma keeps its `url`, and
// `migrate` warns that the url is unused (with this adapter it is): libs/db/prisma-cli.ts logs the
// CLI's lines at debug, so that warning is not shown at every start.
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;

const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;

type RowDescription = { fields: Array<{ dataTypeID: number }> };
const handleRowDescription = (
  pg.Client.prototype as unknown as { _handleRowDescription(msg: RowDescription): void }
)._handleRowDescription;

/**
 * @prisma/adapter-pg 6.19 rejects columns of PostgreSQL's catalog type `name`, which the schema
 * engine reads when it looks at _prisma_migrations, so every migrate command fails with "Column
 * type 'name' could not be deserialized" (prisma/orm#27403, fixed in 7.x by prisma/orm#28470).
 * `name` is text on the wire: relabel it before the adapter sees the row description.
 */
class CatalogNamesAsText extends pg.Client {
  _handleRowDescription(msg: RowDescription): void {
    for (const field of msg.fields) if (field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
    handleRowDescription.call(this, msg);
  }
}

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL,
      Client: CatalogNamesAsText,
      // The CLI never closes the adapter: idle connections would hold it open for idleTimeoutMillis.
      allowExitOnIdle: true,
    });
    return new PrismaPg(pool, { disposeExternalPool: true });
  },
});
