// /readyz against real services: 503 with the reason while the API migrates its database (the test
// holds the migration's own advisory lock, so the step lasts until it lets go), while a private
// Redis is killed, and while PostgreSQL is cut off behind a TCP relay (the PostgreSQL queue backend
// with it); 200 again once each is back. /healthz keeps answering as before.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import pg from "pg";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { resolveDatabaseUrl } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { freePort } from "../../libs/embedded-db/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { dropDatabase } from "../db/helpers.ts";
import { PrivateRedis } from "../faults/helpers.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/wait-for.ts";
import { call } from "./helpers.ts";

process.env.LOG_LEVEL ??= "warn";

/** The advisory lock `prisma migrate deploy` takes on PostgreSQL while it migrates. */
const PRISMA_MIGRATE_LOCK = 72707369;
const DATABASE = "sgan_readiness_test";
const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
const log = createLogger("readiness-test");
const queueName = (label: string) => `readiness-${label}-${process.pid}-${Date.now()}`;

/** The /readyz answer, or null while nothing answers on the port. */
async function readyz(base: string): Promise<{ status: number; body: any; headers: Headers } | null> {
  return call(base, "/readyz").catch(() => null);
}

async function createDatabase(): Promise<void> {
  await dropDatabase(databaseUrl, DATABASE);
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(DATABASE)}`).finally(() => admin.end());
}

describe("GET /readyz", { timeout: 60_000 }, () => {
  let api: RunningApi | null = null;
  after(async () => {
    await api?.close();
    await dropDatabase(databaseUrl, DATABASE);
  });

  it("is 503 saying so while the database is migrated (other paths are not answered yet); 200 once the API serves", async () => {
    await createDatabase();
    const lockHolder = new pg.Client({ connectionString: databaseUrl });
    await lockHolder.connect();
    await lockHolder.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const starting = startApi({ log, port, databaseUrl, redisUrl: redisUrl(), queueName: queueName("migrate"), reconcileMs: 0 });
    try {
      const migrating = await waitFor(
        "/readyz to say the database is being migrated",
        async () => {
          const answer = await readyz(base);
          return answer?.status === 503 && /migrating the database/.test(answer.body.reason) ? answer : null;
        },
        20_000,
        25,
      );
      assert.deepEqual(migrating.body, {
        ready: false,
        reason: "starting: migrating the database",
        checks: { database: "starting: migrating the database", queue: "starting: migrating the database" },
      });
      assert.equal(migrating.headers.get("retry-after"), "1");
      const health = await call(base, "/healthz");
      assert.deepEqual([health.status, health.body.ok], [503, false], "not alive as a service before it serves");
      // As if it were not listening yet: clients retry as they do while the API is down.
      await assert.rejects(fetch(`${base}/api/sweeps`), TypeError, "another path's connection is closed unanswered");
    } finally {
      await lockHolder.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]);
      await lockHolder.end();
    }
    api = await starting;
    const ready = await call(api.url, "/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true, checks: { database: "ok", queue: "ok" } });
    await api.close();
    api = null;
  });

  it("is 503 naming the queue while Redis is down, within a second, and 200 once it is back", async () => {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    try {
      api = await startApi({ log, port: 0, databaseUrl, redisUrl: redis.url, queueName: queueName("redis"), reconcileMs: 0 });
      assert.equal((await call(api.url, "/readyz")).status, 200);
      await redis.kill();
      const started = Date.now();
      const down = await call(api.url, "/readyz");
      assert.ok(Date.now() - started < 2_000, `answered in ${Date.now() - started} ms, not held by a connection that waits for Redis`);
      assert.equal(down.status, 503);
      assert.equal(down.body.ready, false);
      assert.equal(down.body.checks.database, "ok");
      assert.match(down.body.reason, /^queue unreachable: /);
      await redis.start();
      await waitFor("/readyz to be 200 with Redis back", async () => (await call(api!.url, "/readyz")).status === 200, 15_000, 100);
    } finally {
      await api?.close();
      api = null;
      await redis.kill();
    }
  });

  it("is 503 naming the database and the PostgreSQL queue while PostgreSQL is cut off, and 200 once it is reachable again", async () => {
    const target = new URL(databaseUrl);
    const relay = new TcpProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await relay.start();
    const relayed = new URL(databaseUrl);
    relayed.port = String(relay.port);
    const url = relayed.toString();
    try {
      api = await startApi({ log, port: 0, databaseUrl: url, queueBackend: { kind: "postgres", databaseUrl: url }, queueName: queueName("pg"), reconcileMs: 0 });
      assert.equal((await call(api.url, "/readyz")).status, 200);
      await relay.cut();
      const down = await call(api.url, "/readyz");
      assert.equal(down.status, 503);
      assert.match(down.body.reason, /^database unreachable: .+; queue unreachable: .+/);
      assert.notEqual(down.body.checks.database, "ok");
      assert.notEqual(down.body.checks.queue, "ok");
      assert.equal((await call(api.url, "/healthz")).status, 503, "/healthz says so too, as before");
      await relay.start();
      await waitFor("/readyz to be 200 with PostgreSQL reachable", async () => (await call(api!.url, "/readyz")).status === 200, 15_000, 100);
    } finally {
      await relay.start().catch(() => undefined);
      await api?.close();
      api = null;
      await relay.cut();
    }
  });
});
