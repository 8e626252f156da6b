// Fault: an unfinished run whose job still exists but is finished. A job keyed by the run id that is
// completed (taken and skipped by a worker of another deployment on the same queue) or failed (by
// BullMQ, e.g. stalled too often) blocks re-adding the run: the add is a silent no-op. The API's
// reconciler must replace such a job with a fresh one, read back that it is live, and never touch a
// live job. Real PostgreSQL, Redis, BullMQ and a real worker process.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { UnrecoverableError, Worker } from "bullmq";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
import { reconcileQueue } from "../../libs/service/index.ts";
import { api, ownDatabaseUrl, postSweep, spawnWorker, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_reconcile");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("fault: an unfinished run whose job is finished", () => {
  let stack: RunningApi;
  const queueName = `faults-reconcile-${randomBytes(4).toString("hex")}`;
  let worker: WorkerProcess | null = null;

  before(async () => {
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
    await stack.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
    // The API's start-up reconciliation queued the previous run's leftovers: gone with the truncate.
    await stack.ctx.queue.queue.obliterate({ force: true });
  });
  after(async () => {
    worker?.child.kill("SIGKILL");
    await stack?.close();
  });

  /** A bare BullMQ worker on the same queue that finishes the next job its own way, touching no database. */
  async function finishNextJobElsewhere(processor: () => Promise<string>): Promise<void> {
    const foreign = new Worker(queueName, processor, { connection: { url: REDIS_URL }, prefix: stack.ctx.queue.queue.opts.prefix });
    const done = new Promise((resolve) => {
      foreign.once("completed", resolve);
      foreign.once("failed", resolve);
    });
    await done;
    await foreign.close();
  }

  const jobState = async (runId: string) => (await stack.ctx.queue.queue.getJob(runId))?.getState() ?? "missing";

  it("replaces a job completed elsewhere with a live one, and the run then trains to the end", async () => {
    const submitted = await postSweep(stack.url, tinySweep("faults-reconcile-completed", [2e-4], 1, 64));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const runId: string = submitted.body.runs[0].id;
    await finishNextJobElsewhere(async () => "skipped");
    assert.equal(await jobState(runId), "completed");
    assert.equal((await api(stack.url, `/api/runs/${runId}`)).body.status, "queued");

    const reenqueued = await reconcileQueue(stack.ctx);
    const state = await jobState(runId);
    console.log(`# reconcile, completed job: reconciler returned ${JSON.stringify(reenqueued)}, job now ${state}`);
    assert.deepEqual(reenqueued, [runId]);
    assert.ok(["waiting", "prioritized"].includes(state), state);
    assert.deepEqual(await reconcileQueue(stack.ctx), [], "nothing left to repair");

    worker = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL });
    const run = await waitFor("the run to complete", async () => {
      const body = (await api(stack.url, `/api/runs/${runId}`)).body;
      return body.status === "completed" && body;
    }, 120_000);
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1]);
    assert.equal(run.attempts, 1);
    worker.child.kill("SIGTERM");
    await worker.exited;
    worker = null;
  });

  it("replaces a job BullMQ failed without the run's processor", async () => {
    const submitted = await postSweep(stack.url, tinySweep("faults-reconcile-failed", [3e-4], 1, 64));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const runId: string = submitted.body.runs[0].id;
    await finishNextJobElsewhere(async () => {
      throw new UnrecoverableError("job stalled more than allowable limit");
    });
    assert.equal(await jobState(runId), "failed");

    assert.deepEqual(await reconcileQueue(stack.ctx), [runId]);
    const job = await stack.ctx.queue.queue.getJob(runId);
    assert.ok(job && ["waiting", "prioritized"].includes(await job.getState()));
    assert.equal(job.failedReason ?? null, null, "a fresh job, not the failed one");
    assert.equal(job.attemptsMade, 0);
  });

  it("keeps a live job as it is", async () => {
    const submitted = await postSweep(stack.url, tinySweep("faults-reconcile-live", [4e-4], 1, 64));
    const runId: string = submitted.body.runs[0].id;
    const before = await stack.ctx.queue.queue.getJob(runId);
    const { sweep, runs } = submitted.body;
    const states = await stack.ctx.queue.ensureLive([{ runId, sweepId: sweep.id, params: runs[0].params, priority: 0 }]);
    const afterwards = await stack.ctx.queue.queue.getJob(runId);
    assert.ok(["waiting", "prioritized"].includes(states.get(runId)!));
    assert.equal(afterwards?.timestamp, before?.timestamp, "the same job, not a replacement");
  });
});
