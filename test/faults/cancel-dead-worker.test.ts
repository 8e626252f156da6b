// Fault: a sweep is cancelled while its running run's worker is dead (SIGKILLed): the cancel message
// reaches no one and the run stays `running`. The next worker that gets the job must not take the
// run over and train it again: it ends the run `cancelled`, untrained.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, ownDatabaseUrl, postSweep, spawnWorker, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_cancel_dead");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("fault: a sweep cancelled while its run's worker is dead", () => {
  let stack: RunningApi;
  const queueName = `faults-cancel-dead-${randomBytes(4).toString("hex")}`;
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

  it("ends the run cancelled when the next worker gets its job, without training it", async () => {
    const first = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL });
    workers.push(first);
    const submitted = await postSweep(stack.url, tinySweep("faults-cancel-dead", [2e-4], 3, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    const runId: string = submitted.body.runs[0].id;
    await waitFor("the first worker to train a few batches", async () => {
      const { workers: listed } = (await api(stack.url, "/api/workers")).body;
      return listed.some((w: any) => (w.progress?.[runId]?.batch ?? 0) >= 2);
    });
    first.child.kill("SIGKILL");
    await first.exited;

    const cancelled = await api(stack.url, `/api/sweeps/${sweepId}/cancel`, { method: "POST" });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.deepEqual(cancelled.body.stopping, [runId], "the run was running: only its (dead) worker could stop it");
    const epochsAtCancel = (await api(stack.url, `/api/runs/${runId}/metrics`)).body.epochs.length;

    const next = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL });
    workers.push(next);
    const run = await waitFor("the run to end", async () => {
      const body = (await api(stack.url, `/api/runs/${runId}`)).body;
      return body.status !== "running" && body.status !== "queued" && body;
    }, 120_000);
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    const sweep = (await api(stack.url, `/api/sweeps/${sweepId}`)).body;
    console.log(`# cancel with a dead worker: run ${run.status}, attempts ${run.attempts}, epochs ${metrics.epochs.length} (at cancel ${epochsAtCancel}); events ${run.events.map((e: any) => e.status).join(",")}`);
    assert.equal(run.status, "cancelled", JSON.stringify(run.events));
    assert.equal(run.attempts, 1, "not started again");
    assert.equal(metrics.epochs.length, epochsAtCancel, "no epoch trained after the cancel");
    assert.ok(!next.lines().some((line) => line.runId === runId && line.msg === "training run"), "the next worker did not train it");
    assert.deepEqual(run.events.map((e: { status: string }) => e.status), ["queued", "running", "cancelled"]);
    assert.equal(sweep.status, "cancelled");
    assert.equal(next.child.exitCode, null, next.output().slice(-3000));
  });
});
