// Fault: a run's workers are SIGKILLed one after another, with a short job lock, until BullMQ fails
// the job itself ("job stalled more than allowable limit", after maxStalledCount takeovers) without
// calling the processor. The run must not stay `running` on a dead worker: the next healthy worker
// resumes it from its checkpoint and trains it to the end, each epoch written once.
// The API's reconciler is off here (reconcileMs 0): the worker side is what is under test;
// reconcile.test.ts covers the reconciler's own repair of a finished job.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, ownDatabaseUrl, postSweep, spawnWorker, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_stall_limit");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SHORT_LOCK = ["--lock-ms", "1000", "--stalled-check-ms", "500"];
/** The worker's maxStalledCount is 5: the 6th stall fails the job. */
const KILLS = 6;

describe("fault: a run whose workers keep dying until BullMQ fails its job as stalled", () => {
  let stack: RunningApi;
  const queueName = `faults-stall-limit-${randomBytes(4).toString("hex")}`;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
    await stack.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
    // The API's start-up reconciliation queued the previous run's leftovers: gone with the truncate.
    await stack.ctx.queue.queue.obliterate({ force: true });
  });
  after(async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await stack?.close();
  });

  it("is trained to the end by the next healthy worker, each epoch once", async () => {
    const submitted = await postSweep(stack.url, tinySweep("faults-stall-limit", [2e-4], 2, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const runId: string = submitted.body.runs[0].id;
    const getRun = async () => (await api(stack.url, `/api/runs/${runId}`)).body;

    for (let kill = 1; kill <= KILLS; kill++) {
      const worker = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, args: SHORT_LOCK });
      workers.push(worker);
      await waitFor(`worker ${kill} (pid ${worker.child.pid}) to claim the run`, async () => {
        const run = await getRun();
        return run.status === "running" && run.workerId?.includes(`-${worker.child.pid}-`);
      }, 60_000);
      worker.child.kill("SIGKILL");
      await worker.exited;
    }

    const healthy = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL });
    workers.push(healthy);
    const final = await waitFor("the run to end", async () => {
      const run = await getRun();
      return run.status !== "running" && run.status !== "queued" && run;
    }, 120_000).catch(async (error: Error) => {
      const run = await getRun();
      const job = await stack.ctx.queue.queue.getJob(runId);
      throw new Error(`${error.message}: run ${run.status} on ${run.workerId}, job ${job ? await job.getState() : "missing"} (${job?.failedReason ?? ""})`);
    });
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    const events = final.events as Array<{ status: string; message: string | null; workerId: string | null }>;
    console.log(`# stall limit: run ${final.status} after ${KILLS} SIGKILLs, attempts ${final.attempts}, epochs ${metrics.epochs.map((e: any) => e.epoch)}; events ${events.map((e) => e.status).join(",")}`);
    assert.equal(final.status, "completed", JSON.stringify(final));
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
    // BullMQ did fail the job as stalled, and the run went on in a fresh job on the healthy worker.
    assert.ok(events.some((e) => e.status === "requeued" && /failed by the queue without being processed/.test(e.message ?? "")), JSON.stringify(events));
    assert.match(healthy.output(), /job stalled more than allowable limit/);
    const last = events.at(-1)!;
    assert.equal(last.status, "completed");
    assert.ok(last.workerId?.includes(`-${healthy.child.pid}-`), JSON.stringify(last));
    assert.equal(final.attempts, KILLS + 1);
    assert.equal(healthy.child.exitCode, null, healthy.output().slice(-3000));
  });
});
