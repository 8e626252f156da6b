// Runs alone in the suite (test/suite.sh): pauses and deletes are timed against a run's epochs.
// A sweep's lifecycle with real worker processes training its runs (PostgreSQL, Redis, BullMQ): a
// pause stops a training run after its epoch, checkpointed, and resume trains it on from there; a
// retried cancelled run resumes from its checkpoint; deleting a sweep while its run trains stops the
// worker's writes harmlessly, and the worker goes on with other work.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLiveJobState } from "../../libs/queue/index.ts";
import { reconcileQueue } from "../../libs/service/index.ts";
import { api, faultStack, postSweep, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

describe("fault: pause, retry and delete while workers train", { timeout: 600_000 }, () => {
  const faults = faultStack("lifecycle");
  let worker: WorkerProcess;

  const runOf = async (runId: string) => (await api(faults.api.url, `/api/runs/${runId}`)).body;
  const epochsOf = async (runId: string) => (await api(faults.api.url, `/api/runs/${runId}/metrics`)).body.epochs.map((e: { epoch: number }) => e.epoch);
  const jobState = async (runId: string) => (await (await faults.api.ctx.queue.queue.getJob(runId))?.getState()) ?? "missing";
  const write = (method: string, path: string) => api(faults.api.url, path, { method });
  const training = (runId: string) =>
    waitFor(`run ${runId} to train a few batches`, async () => {
      const { workers } = (await api(faults.api.url, "/api/workers")).body;
      return workers.some((w: any) => (w.progress?.[runId]?.batch ?? 0) >= 2);
    }, 180_000);
  const settled = (runId: string, status: string) =>
    waitFor(`run ${runId} to be ${status}`, async () => {
      const run = await runOf(runId);
      return run.status === status && run;
    }, Number(process.env.SETTLE_MS ?? 240_000)).catch(async (error: Error) => {
      const run = await runOf(runId);
      throw new Error(`${error.message}: run ${run.status}, job ${await jobState(runId)}, events ${JSON.stringify(run.events)}; worker: ${worker.output().slice(-4000)}`);
    });
  const resumedFrom = (runId: string) => worker.lines().find((line) => line.runId === runId && line.msg === "resuming from checkpoint")?.epochsDone;

  it("pause: the training run stops after its epoch, checkpointed, held without a job; resume trains it on from there", async () => {
    worker = faults.spawn();
    // Three epochs: the progress the test sees lags by up to a heartbeat (about an epoch here), so the
    // pause may land in epoch 1 or 2; either way it stops the run before its last.
    const submitted = await postSweep(faults.api.url, tinySweep("faults-pause", [2e-4], 3, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    const runId: string = submitted.body.runs[0].id;
    await training(runId);

    const paused = await write("POST", `/api/sweeps/${sweepId}/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.deepEqual(paused.body.pausing, [runId]);
    const held = await settled(runId, "queued");
    const checkpoint = await faults.api.ctx.db.checkpoint.findUnique({ where: { runId }, select: { epochsDone: true } });
    console.log(`# pause: run held after epoch ${held.epochsDone}, checkpoint ${checkpoint?.epochsDone}, job ${await jobState(runId)}; events ${held.events.map((e: any) => e.status).join(",")}`);
    const stoppedAfter: number = held.epochsDone;
    assert.ok(stoppedAfter >= 1 && stoppedAfter < 3, `stopped after epoch ${stoppedAfter}, before the last`);
    assert.deepEqual(await epochsOf(runId), Array.from({ length: stoppedAfter }, (_, i) => i + 1), "its current epoch finished");
    assert.equal(checkpoint?.epochsDone, stoppedAfter);
    assert.ok(!isLiveJobState(await jobState(runId)), "no live job while paused");
    assert.deepEqual(await reconcileQueue(faults.api.ctx), [], "the reconciler holds it too");
    assert.equal((await api(faults.api.url, `/api/sweeps/${sweepId}`)).body.status, "paused");

    const resumed = await write("POST", `/api/sweeps/${sweepId}/resume`);
    assert.deepEqual(resumed.body.requeued, [runId]);
    const done = await settled(runId, "completed");
    assert.deepEqual(await epochsOf(runId), [1, 2, 3]);
    assert.equal(resumedFrom(runId), stoppedAfter, "resumed from the checkpoint it was held with");
    assert.deepEqual(done.events.map((e: { status: string }) => e.status), ["queued", "running", "requeued", "resumed", "running", "completed"]);
  });

  it("retry: a run cancelled mid-training is queued again and resumes from its checkpoint to the end", async () => {
    const submitted = await postSweep(faults.api.url, tinySweep("faults-retry", [3e-4], 2, RUN_LONG_ENOUGH));
    const sweepId: string = submitted.body.sweep.id;
    const runId: string = submitted.body.runs[0].id;
    await waitFor("epoch 1 recorded", async () => (await epochsOf(runId)).length >= 1, 240_000);
    await write("POST", `/api/sweeps/${sweepId}/cancel`);
    const cancelled = await settled(runId, "cancelled");
    const epochsAtCancel = await epochsOf(runId);

    const retried = await write("POST", `/api/runs/${runId}/retry`);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    console.log(`# retry: cancelled after ${JSON.stringify(epochsAtCancel)}, attempts ${cancelled.attempts}; retried ${JSON.stringify(retried.body)}`);
    assert.equal(retried.body.sweepStatus, "active");
    assert.ok(retried.body.resumesAfterEpoch >= 1, "its checkpoint holds at least epoch 1");
    const done = await settled(runId, "completed");
    assert.deepEqual(await epochsOf(runId), [1, 2]);
    assert.equal(resumedFrom(runId), retried.body.resumesAfterEpoch);
    assert.equal(done.attempts, 2);
    assert.ok(done.events.some((e: { status: string }) => e.status === "retried"));
    assert.equal((await api(faults.api.url, `/api/sweeps/${sweepId}`)).body.status, "completed");
  });

  it("delete while a run trains: its worker's writes are refused harmlessly, nothing of the sweep remains, the worker goes on", async () => {
    const doomed = await postSweep(faults.api.url, tinySweep("faults-delete", [4e-4], 2, RUN_LONG_ENOUGH));
    const sweepId: string = doomed.body.sweep.id;
    const runId: string = doomed.body.runs[0].id;
    await training(runId);
    const deleted = await write("DELETE", `/api/sweeps/${sweepId}`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.deepEqual(deleted.body, { sweepId, deletedRuns: 1, stopped: [runId] });

    // The same worker trains the next sweep: it is done with the deleted run's job by then.
    const next = await postSweep(faults.api.url, tinySweep("faults-after-delete", [5e-4], 1, 64));
    await settled(next.body.runs[0].id, "completed");
    const db = faults.api.ctx.db;
    const left = await Promise.all([
      db.run.count({ where: { id: runId } }),
      db.epochMetric.count({ where: { runId } }),
      db.sampleImage.count({ where: { runId } }),
      db.checkpoint.count({ where: { runId } }),
      db.runEvent.count({ where: { runId } }),
      db.sweep.count({ where: { id: sweepId } }),
    ]);
    const about = worker.lines().filter((line) => line.runId === runId).map((line) => `${line.level} ${line.msg}`);
    console.log(`# delete: left ${JSON.stringify(left)}, job ${await jobState(runId)}; worker on the run: ${about.join(" | ")}`);
    assert.deepEqual(left, [0, 0, 0, 0, 0, 0], "nothing of the sweep is stored");
    assert.ok(!isLiveJobState(await jobState(runId)), "no live job of the deleted run");
    assert.equal(worker.child.exitCode, null, worker.output().slice(-3000));
    assert.ok(!worker.lines().some((line) => line.runId === runId && line.level >= 50), `no error for the deleted run: ${about.join(" | ")}`);
  });
});
