import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import pg from "pg";
import {
  DatabaseUnavailableError,
  maskDatabaseUrl,
  migrateDatabase,
  openDatabase,
  resolveDatabaseUrl,
} from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { dropDatabase } from "./helpers.ts";
import { freePort } from "../../libs/embedded-db/index.ts";

describe("migrateDatabase", () => {
  const name = `sgan_sweeps_test_migrate_${process.pid}`;
  const url = withDatabase(resolveDatabaseUrl(), name);
  after(() => dropDatabase(url, name));

  it("creates a missing database, applies the migrations, and is a no-op the second time", async () => {
    await migrateDatabase(url);
    await migrateDatabase(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
      );
      assert.ok(rows.length >= 1);
      assert.ok(rows.every((row) => row.finished_at !== null));
      const tables = await client.query(`SELECT to_regclass('"Run"') AS run, to_regclass('"RunEvent"') AS event`);
      assert.deepEqual(tables.rows[0], { run: '"Run"', event: '"RunEvent"' });
    } finally {
      await client.end();
    }
    const db = await openDatabase(url);
    assert.equal(await db.prisma.sweep.count(), 0);
    await db.close();
  });

  it("says which host:port is unreachable and never shows the password", async () => {
    const port = await freePort();
    const secretUrl = `postgresql://sgan:s3cret-pw@127.0.0.1:${port}/sgan_sweeps`;
    for (const attempt of [() => migrateDatabase(secretUrl), () => openDatabase(secretUrl)]) {
      await assert.rejects(attempt, (error: Error) => {
        assert.ok(error instanceof DatabaseUnavailableError, String(error));
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.match(error.message, /start PostgreSQL|DATABASE_URL/);
        assert.doesNotMatch(error.message, /s3cret-pw/);
        return true;
      });
    }
  });

  it("fails with the CLI's message, password masked, when a migration cannot be applied", async () => {
    const clash = `sgan_sweeps_test_clash_${process.pid}`;
    // Trust authentication ignores the password, so it only has to stay out of the message.
    const clashUrl = withDatabase(resolveDatabaseUrl(), clash).replace("//postgres@", "//postgres:t0p-secret@");
    const admin = new pg.Client({ connectionString: withDatabase(clashUrl, "postgres") });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(clash)}`);
    await admin.end();
    const client = new pg.Client({ connectionString: clashUrl });
    await client.connect();
    await client.query(`CREATE TYPE "RunStatus" AS ENUM ('other')`);
    await client.end();
    try {
      await assert.rejects(() => migrateDatabase(clashUrl), (error: Error) => {
        assert.match(error.message, /prisma migrate deploy failed/);
        assert.match(error.message, /RunStatus.*already exists/s);
        assert.match(error.message, /postgres:\*\*\*@/);
        assert.doesNotMatch(error.message, /t0p-secret/);
        return true;
      });
    } finally {
      await dropDatabase(clashUrl, clash);
    }
  });

  it("tells to migrate when the database exists but has no tables", async () => {
    const empty = `sgan_sweeps_test_empty_${process.pid}`;
    const emptyUrl = withDatabase(resolveDatabaseUrl(), empty);
    const admin = new pg.Client({ connectionString: withDatabase(emptyUrl, "postgres") });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(empty)}`);
    await admin.end();
    try {
      await assert.rejects(() => openDatabase(emptyUrl), /has no tables yet: run `npm run db:migrate`/);
      await assert.rejects(
        () => openDatabase(withDatabase(emptyUrl, `${empty}_missing`)),
        /does not exist on .*npm run db:migrate/,
      );
    } finally {
      await dropDatabase(emptyUrl, empty);
    }
  });
});

describe("maskDatabaseUrl", () => {
  it("masks the password in the authority and in the query string", () => {
    assert.equal(maskDatabaseUrl("postgresql://u:p%40ss@h:5432/d"), "postgresql://u:***@h:5432/d");
    assert.equal(
      maskDatabaseUrl("postgresql://u@h/d?password=hunter2&sslmode=require"),
      "postgresql://u@h/d?password=***&sslmode=require",
    );
    assert.equal(maskDatabaseUrl("postgresql://postgres@127.0.0.1:5432/x"), "postgresql://postgres@127.0.0.1:5432/x");
    assert.equal(maskDatabaseUrl("not a url://u:pw@x"), "not a url://u:***@x");
  });
});
