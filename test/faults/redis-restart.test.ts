// Runs alone in the suite (test/suite.sh): the restart is timed inside the running run's epoch.
// Fault: Redis restarts empty mid-sweep (it keeps nothing on disk). PostgreSQL is the source of
// truth: the API's reconciler re-enqueues the queued runs; the running run keeps training on its
// worker (alive, so not re-enqueued) and is finished in PostgreSQL even though its job is gone.
// A Redis of the test's own is killed and started again on the same port.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, freePort, ownDatabaseUrl, postSweep, PrivateRedis, spawnWorker, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_redis");

describe("fault: Redis restarted empty mid-sweep", () => {
  let redis: PrivateRedis;
  let stack: RunningApi;
  let worker: WorkerProcess | null = null;
  const queueName = `faults-redis-${randomBytes(4).toString("hex")}`;

  before(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: redis.url, queueName, reconcileMs: 1_000 });
    await stack.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
  });
  after(async () => {
    worker?.child.kill("SIGKILL");
    await stack?.close().catch(() => undefined);
    await redis?.kill();
  });

  it("queued runs are re-enqueued from PostgreSQL, the running one is not trained twice, and the sweep completes", async () => {
    worker = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: redis.url, args: ["--lock-ms", "10000"] });
    const submitted = await postSweep(stack.url, tinySweep("faults-redis", [1e-4, 2e-4, 3e-4], 1, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id;
    const runIds: string[] = submitted.body.runs.map((run: { id: string }) => run.id);
    const running = await waitFor("a run to be training", async () => {
      const { workers: listed } = (await api(stack.url, "/api/workers")).body;
      const progress = listed.flatMap((w: any) => Object.entries(w.progress ?? {})) as Array<[string, { batch: number }]>;
      return progress.find(([, p]) => p.batch >= 1)?.[0];
    });
    assert.equal((await stack.ctx.queue.pendingRunIds()).size, 3, "one active job, two waiting");

    const restartedAt = Date.now();
    await redis.kill();
    await redis.start();
    // Empty: whatever is queued now was added after the restart (the reconciler, every second, may already have run).
    const survivors = (await stack.ctx.queue.queue.getJobs(["waiting", "delayed", "prioritized", "active", "completed", "failed"])).filter((job) => job.timestamp < restartedAt);
    assert.deepEqual(survivors.map((job) => job.id), [], "Redis came back empty");
    const requeued = await waitFor("the reconciler to re-enqueue the queued runs", async () => {
      const pending = await stack.ctx.queue.pendingRunIds();
      return runIds.filter((id) => id !== running).every((id) => pending.has(id) || false) && pending;
    }, 30_000).catch(() => null);
    const reenqueueMs = Date.now() - restartedAt;

    const done = await waitFor("the sweep to complete", async () => {
      const sweep = (await api(stack.url, `/api/sweeps/${sweepId}`)).body;
      return sweep.status === "completed" && sweep;
    }, 240_000);
    const completeMs = Date.now() - restartedAt;
    const runs = await Promise.all(runIds.map(async (id) => ({ id, run: (await api(stack.url, `/api/runs/${id}`)).body, metrics: (await api(stack.url, `/api/runs/${id}/metrics`)).body })));
    console.log(
      `# redis restart: queued runs re-enqueued ${requeued ? `within ${reenqueueMs} ms` : "(finished before observed)"}; sweep completed ${completeMs} ms after the restart; ` +
        runs.map(({ id, run, metrics }) => `${id === running ? "running-at-restart" : "queued-at-restart"}: ${run.status}, attempts ${run.attempts}, epochs ${metrics.epochs.map((e: any) => e.epoch)}`).join("; "),
    );
    assert.deepEqual(done.counts, { queued: 0, running: 0, completed: 3, failed: 0, cancelled: 0, diverged: 0, pruned: 0 });
    for (const { run, metrics } of runs) {
      assert.equal(run.status, "completed");
      assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1]);
      // One attempt each: the running run was neither re-enqueued nor trained a second time.
      assert.equal(run.attempts, 1, JSON.stringify(run.events));
      assert.deepEqual(run.events.map((e: { status: string }) => e.status), ["queued", "running", "completed"]);
    }
    assert.equal(worker.child.exitCode, null, worker.output().slice(-3000));
    assert.equal(worker.child.signalCode, null);
  });
});
