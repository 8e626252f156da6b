// Runs alone in the suite (test/suite.sh): the kills and the cancel are timed against job locks and batches.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RUN_LONG_ENOUGH, tinySweep } from "../support/tiny-sweep.ts";
import { collectEvents, postSweep, spawnWorker, startStack, waitFor, api, type WorkerProcess } from "./stack.ts";

type Stack = Awaited<ReturnType<typeof startStack>>;


async function sweepState(stack: Stack, id: string) {
  return (await api(stack.url, `/api/sweeps/${id}`)).body;
}

describe("sweeps end to end: API, BullMQ, worker processes, PostgreSQL", () => {
  let stack: Stack;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await stack.close();
  });

  it("a submitted sweep is trained by a worker; epochs, samples, ranking and live events are served", async () => {
    const worker = spawnWorker(stack.queueName);
    workers.push(worker);
    const submitted = await postSweep(stack.url, tinySweep("e2e-basic", [2e-4, 1e-3], 2, 64));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id;
    const live = collectEvents(stack.url, sweepId);
    const done = await waitFor("the sweep to complete", async () => {
      const sweep = await sweepState(stack, sweepId);
      return sweep.status === "completed" && sweep;
    });
    live.stop();
    assert.deepEqual(done.counts, { queued: 0, running: 0, completed: 2, failed: 0, cancelled: 0, diverged: 0, pruned: 0 });
    for (const run of done.runs) {
      const metrics = (await api(stack.url, `/api/runs/${run.id}/metrics`)).body;
      assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
      assert.ok(metrics.epochs.every((e: { testAccuracy: number }) => e.testAccuracy >= 0 && e.testAccuracy <= 1));
      const png = await api(stack.url, `/api/runs/${run.id}/samples/2.png`);
      assert.equal(png.status, 200);
      const details = (await api(stack.url, `/api/runs/${run.id}`)).body;
      assert.equal(details.backend, "wasm");
      assert.deepEqual(details.events.map((e: { status: string }) => e.status), ["queued", "running", "completed"]);
      assert.ok(run.summary.finalTestAccuracy !== null);
    }
    const best = (await api(stack.url, `/api/sweeps/${sweepId}/best?scope=max&limit=5`)).body;
    assert.equal(best.runs.ranked, 2);
    assert.equal(best.runs.entries[0].rank, 1);
    assert.ok(best.runs.entries[0].score >= best.runs.entries[1].score);
    const types = new Set(live.events.map((event) => event.type));
    for (const type of ["run-status", "run-progress", "run-epoch"]) assert.ok(types.has(type), `no ${type} event among ${[...types]}`);
    const { workers: listed } = (await api(stack.url, "/api/workers")).body;
    assert.ok(listed.some((w: { alive: boolean; backend: string }) => w.alive && w.backend === "wasm"));
  });

  it("cancelling a sweep removes its waiting jobs and stops its running run within one batch, keeping its epochs", async () => {
    const submitted = await postSweep(stack.url, tinySweep("e2e-cancel", [1e-4, 2e-4, 3e-4], 3, 512));
    const sweepId = submitted.body.sweep.id;
    const first = submitted.body.runs[0].id;
    await waitFor("the first run to train a few batches", async () => {
      const sweep = await sweepState(stack, sweepId);
      const { workers: listed } = (await api(stack.url, "/api/workers")).body;
      return sweep.runs[0].status === "running" && listed.some((w: { progress: Record<string, { batch: number }> }) => (w.progress?.[first]?.batch ?? 0) >= 2);
    });
    const cancelled = await api(stack.url, `/api/sweeps/${sweepId}/cancel`, { method: "POST" });
    assert.equal(cancelled.status, 200);
    assert.deepEqual(cancelled.body.stopping, [first]);
    assert.equal(cancelled.body.cancelledQueued.length, 2);
    const startedWaiting = Date.now();
    const final = await waitFor("every run to be cancelled", async () => {
      const sweep = await sweepState(stack, sweepId);
      return sweep.runs.every((run: { status: string }) => run.status === "cancelled") && sweep;
    }, 30_000);
    assert.ok(Date.now() - startedWaiting < 15_000, "a running training stops within about one batch");
    assert.equal(final.status, "cancelled");
    const pending = await stack.ctx.queue.pendingRunIds();
    assert.ok(final.runs.every((run: { id: string }) => !pending.has(run.id)), "no job of the sweep is left in the queue");
  });

  it("a worker killed mid-run (SIGKILL): another worker resumes from the checkpoint; no epoch lost or duplicated", async () => {
    for (const worker of workers.splice(0)) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
    const doomed = spawnWorker(stack.queueName);
    workers.push(doomed);
    const submitted = await postSweep(stack.url, tinySweep("e2e-kill", [2e-4], 2, RUN_LONG_ENOUGH));
    const sweepId = submitted.body.sweep.id;
    const runId = submitted.body.runs[0].id;
    await waitFor("epoch 1 to be recorded", async () => (await sweepState(stack, sweepId)).runs[0].epochsDone >= 1);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const rescuer = spawnWorker(stack.queueName);
    workers.push(rescuer);
    const done = await waitFor("the sweep to complete after the takeover", async () => {
      const sweep = await sweepState(stack, sweepId);
      return sweep.status === "completed" && sweep;
    }, 120_000);
    const run = done.runs[0];
    assert.equal(run.status, "completed");
    assert.equal(run.attempts, 2);
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
    const events = (await api(stack.url, `/api/runs/${runId}`)).body.events;
    assert.ok(events.some((e: { message: string | null }) => /taken over/.test(e.message ?? "")), JSON.stringify(events));
  });

  it("SIGTERM: the worker finishes its batch, checkpoints mid-epoch and hands the job back", async () => {
    for (const worker of workers.splice(0)) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
    const leaving = spawnWorker(stack.queueName);
    const submitted = await postSweep(stack.url, tinySweep("e2e-term", [2e-4], 1, RUN_LONG_ENOUGH));
    const sweepId = submitted.body.sweep.id;
    const runId = submitted.body.runs[0].id;
    // The live progress events (one a second), not the worker list: its heartbeat lags by up to 5 s,
    // about an epoch of this run on an idle machine, so the stop could come after the epoch's end.
    const live = collectEvents(stack.url, sweepId);
    await waitFor("a few batches of epoch 1", () => live.events.some(({ type, data }) => type === "run-progress" && data.runId === runId && data.batch >= 2));
    live.stop();
    leaving.child.kill("SIGTERM");
    assert.equal(await leaving.exited, 0, leaving.output().slice(-2000));
    const handedBack = await sweepState(stack, sweepId);
    assert.equal(handedBack.runs[0].status, "queued");
    const checkpoint = await stack.ctx.db.checkpoint.findUnique({ where: { runId } });
    assert.ok(checkpoint, "a checkpoint was written before leaving");
    const successor = spawnWorker(stack.queueName);
    workers.push(successor);
    await waitFor("the handed-back run to complete", async () => (await sweepState(stack, sweepId)).status === "completed", 120_000);
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1]);
    assert.equal(metrics.epochs[0].batches, RUN_LONG_ENOUGH / 32, "the resumed epoch counts every batch once");
  });

  it("bad input is refused with the field named, and nothing is stored", async () => {
    const before = (await api(stack.url, "/api/sweeps")).body.total;
    const invalid = await postSweep(stack.url, { name: "bad", fixed: { epochs: 0 }, parameters: { batchSize: { log2int: [1, 8] } } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.issues.map((i: { path: string }) => i.path).sort(), ["fixed.epochs", "parameters.batchSize.log2int"]);
    const yaml = await api(stack.url, "/api/sweeps", { method: "POST", headers: { "content-type": "application/yaml" }, body: "name: [unclosed" });
    assert.equal(yaml.status, 400);
    assert.match(yaml.body.error, /line 1/);
    const unknown = await api(stack.url, "/api/sweeps/00000000-0000-0000-0000-000000000000");
    assert.equal(unknown.status, 404);
    assert.equal((await api(stack.url, "/api/sweeps")).body.total, before);
  });
});
