// Runs alone in the suite (test/suite.sh): the outage is timed inside one epoch.
// Fault: PostgreSQL restarts mid-run. The worker keeps the epoch it trained in memory, retries the
// write with capped backoff (training pauses meanwhile; see libs/worker/retry.ts), and writes it once
// the database is back: nothing lost, nothing duplicated, no crash loop.
// A PostgreSQL of the test's own (libs/embedded-db) is stopped and started on the same data folder.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../libs/embedded-db/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, collectEvents, freePort, postSweep, spawnWorker, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("fault: PostgreSQL restarted mid-run", () => {
  const dataDir = join(tmpdir(), `sgan-faults-pg-${randomBytes(4).toString("hex")}`);
  const queueName = `faults-pg-${randomBytes(4).toString("hex")}`;
  let port: number;
  let pg: EmbeddedPostgres;
  let stack: RunningApi;
  let worker: WorkerProcess | null = null;

  before(async () => {
    port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir, port, database: "sgan_faults" });
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: pg.url, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
  });
  after(async () => {
    worker?.child.kill("SIGKILL");
    await stack?.close().catch(() => undefined);
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.log`, { force: true });
  });

  it("the worker holds the epoch in memory, retries with backoff and writes it once the database is back", async () => {
    worker = spawnWorker({ queueName, databaseUrl: pg.url, redisUrl: REDIS_URL });
    const submitted = await postSweep(stack.url, tinySweep("faults-pg", [2e-4], 2, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id;
    const runId = submitted.body.runs[0].id;
    // Progress events travel over Redis, so they keep coming while PostgreSQL is down.
    const live = collectEvents(stack.url, sweepId);
    await waitFor("epoch 1 to be half trained", async () =>
      live.events.some((e) => e.type === "run-progress" && e.data.runId === runId && e.data.epoch === 1 && e.data.batch >= 4),
    );
    const downAt = Date.now();
    await pg.stop();
    const retrying = await waitFor("the worker to retry a write of the run", async () =>
      worker!.lines().find((line) => line.msg?.startsWith("database unreachable") && /epoch 1|checkpoint after epoch 1/.test(line.what ?? "")),
    60_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    pg = await startEmbeddedPostgres({ dataDir, port, database: "sgan_faults" });
    const downMs = Date.now() - downAt;

    const done = await waitFor("the sweep to complete", async () => {
      const sweep = (await api(stack.url, `/api/sweeps/${sweepId}`)).body;
      return sweep.status === "completed" && sweep;
    }, 180_000);
    live.stop();
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    const run = (await api(stack.url, `/api/runs/${runId}`)).body;
    const retries = worker.lines().filter((line) => line.msg?.startsWith("database unreachable"));
    const recovered = worker.lines().filter((line) => line.msg === "database write succeeded after retrying");
    console.log(
      `# postgres restart: down ${downMs} ms; first retried write "${retrying.what}"; ${retries.length} retries logged; ` +
        `recovered writes: ${recovered.map((l) => `${l.what} after ${l.attempts} tries/${l.waitedMs} ms`).join(", ")}; ` +
        `final ${run.status}, attempts ${run.attempts}, epochs ${metrics.epochs.map((e: any) => e.epoch)}`,
    );
    assert.equal(done.runs[0].status, "completed");
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
    assert.equal(run.attempts, 1, "the attempt survived the outage: no retry of the job, no takeover");
    assert.deepEqual(run.events.map((e: { status: string }) => e.status), ["queued", "running", "completed"]);
    assert.ok(recovered.length >= 1, "a write succeeded after retrying");
    assert.equal(worker.child.exitCode, null, "the worker never exited");
    assert.equal(worker.child.signalCode, null);
    assert.ok(!/worker failed to start|run attempt failed/.test(worker.output()), worker.output().slice(-3000));
  });
});
