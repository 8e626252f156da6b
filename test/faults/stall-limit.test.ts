// Runs alone in the suite (test/suite.sh): its workers hold a 1 s job lock.
// Fault: a run's workers are SIGKILLed one after another, with a short job lock, until BullMQ fails
// the job itself ("job stalled more than allowable limit", after maxStalledCount takeovers) without
// calling the processor. The run must not stay `running` on a dead worker: the next healthy worker
// resumes it from its checkpoint and trains it to the end, each epoch written once.
// The API's reconciler is off here (reconcileMs 0): the worker side is what is under test;
// reconcile.test.ts covers the reconciler's own repair of a finished job.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { api, faultStack, postSweep, RUN_LONG_ENOUGH, tinySweep, waitFor } from "./helpers.ts";

/** After 2 stalls BullMQ fails the job (the default, 5, would take 6 kills: the same path, 4 worker starts longer). */
const MAX_STALLED = 2;
const SHORT_LOCK = ["--lock-ms", "1000", "--stalled-check-ms", "500", "--max-stalled-count", String(MAX_STALLED)];
const KILLS = MAX_STALLED + 1;

describe("fault: a run whose workers keep dying until BullMQ fails its job as stalled", () => {
  const faults = faultStack("stall-limit");

  it("is trained to the end by the next healthy worker, each epoch once", async () => {
    const submitted = await postSweep(faults.api.url, tinySweep("faults-stall-limit", [2e-4], 1, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const runId: string = submitted.body.runs[0].id;
    const getRun = async () => (await api(faults.api.url, `/api/runs/${runId}`)).body;

    for (let kill = 1; kill <= KILLS; kill++) {
      const worker = faults.spawn(SHORT_LOCK);
      await waitFor(`worker ${kill} (pid ${worker.child.pid}) to claim the run`, async () => {
        const run = await getRun();
        return run.status === "running" && run.workerId?.includes(`-${worker.child.pid}-`);
      }, 60_000);
      worker.child.kill("SIGKILL");
      await worker.exited;
    }

    const healthy = faults.spawn(["--max-stalled-count", String(MAX_STALLED)]);
    const final = await waitFor("the run to end", async () => {
      const run = await getRun();
      return run.status !== "running" && run.status !== "queued" && run;
    }, 120_000).catch(async (error: Error) => {
      const run = await getRun();
      const job = await faults.api.ctx.queue.queue.getJob(runId);
      throw new Error(`${error.message}: run ${run.status} on ${run.workerId}, job ${job ? await job.getState() : "missing"} (${job?.failedReason ?? ""})`);
    });
    const metrics = (await api(faults.api.url, `/api/runs/${runId}/metrics`)).body;
    const events = final.events as Array<{ status: string; message: string | null; workerId: string | null }>;
    console.log(`# stall limit: run ${final.status} after ${KILLS} SIGKILLs, attempts ${final.attempts}, epochs ${metrics.epochs.map((e: any) => e.epoch)}; events ${events.map((e) => e.status).join(",")}`);
    assert.equal(final.status, "completed", JSON.stringify(final));
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1]);
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
