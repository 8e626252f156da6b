// Docker healthcheck of a worker container: healthy while a worker process of this container (its
// hostname) is registered, not stopped, and has heartbeated in the last HEALTH_MAX_AGE_S seconds
// (default 60; workers heartbeat every 5 s). Plain JavaScript: runs without tsx, in well under a second.
import { hostname } from "node:os";
import pg from "pg";

const maxAge = Number(process.env.HEALTH_MAX_AGE_S ?? 60);
const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
try {
  await client.connect();
  const { rows } = await client.query(
    `SELECT count(*)::int AS alive FROM "Worker"
      WHERE host = $1 AND "stoppedAt" IS NULL AND "lastHeartbeat" > now() - make_interval(secs => $2)`,
    [hostname(), maxAge],
  );
  if (rows[0].alive > 0) process.exit(0);
  console.error(`no live worker registered for host ${hostname()} in the last ${maxAge} s`);
  process.exit(1);
} catch (error) {
  console.error(`healthcheck failed: ${error.message}`);
  process.exit(1);
} finally {
  await client.end().catch(() => undefined);
}
