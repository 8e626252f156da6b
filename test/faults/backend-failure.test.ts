// Fault: a run whose shape does not fit the compute backend. On the wasm backend, batch 4096 with a
// 1024-long latent vector on 32x32 images needs more than the 4 GiB a wasm heap can grow to: the
// first batch traps with `RuntimeError: memory access out of bounds` (about 12 s in, measured). The
// run must end `failed` with that reason, once (not retried on the other worker), and the worker must
// not crash: it records the failure, stops, and exits with status 75 for its supervisor to restart it
// with a fresh backend. The API would refuse such a run at submit (its memory estimate), so the run
// is stored and enqueued here directly, as a run accepted before that check (or under a higher cap).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSweepWithRuns } from "../../libs/db/index.ts";
import { parseTrainingConfig } from "../../libs/sgan/index.ts";
import { api, faultStack, waitFor } from "./helpers.ts";

const TOO_BIG = parseTrainingConfig({ epochs: 1, dataset: "mnist", limit: 4096, imgSize: 32, batchSize: 4096, latentDim: 1024 });

describe("fault: a run that fails inside the compute backend", () => {
  const faults = faultStack("backend-failure");

  it("ends the run failed with the reason, once, and the worker exits cleanly instead of crashing", async () => {
    const { sweep, runs } = await createSweepWithRuns(
      faults.api.ctx.db,
      { name: "faults-backend-too-big", config: { fixed: TOO_BIG }, strategy: "grid", priority: 0 },
      [{ index: 0, configKey: "too-big", repeat: 0, params: TOO_BIG, batchSize: TOO_BIG.batchSize, lr: TOO_BIG.lr, seed: TOO_BIG.seed, variant: TOO_BIG.variant }],
    );
    const runId = runs[0].id;
    // A long lock: the doomed batch may hold the event loop for seconds, and a lock lost meanwhile is
    // another fault (a takeover), not the one under test.
    const first = faults.spawn(["--lock-ms", "120000"]);
    await waitFor("the first worker to register", async () => (await api(faults.api.url, "/api/workers")).body.workers.length >= 1);
    await faults.api.ctx.queue.enqueue([{ runId, sweepId: sweep.id, params: TOO_BIG, priority: 0 }]);
    await waitFor("the first worker to claim the run", async () => (await api(faults.api.url, `/api/runs/${runId}`)).body.status === "running", 60_000);
    // A second worker that would get the job if it were retried.
    const second = faults.spawn();

    const run = await waitFor("the run to end", async () => {
      const body = (await api(faults.api.url, `/api/runs/${runId}`)).body;
      return body.status !== "running" && body.status !== "queued" && body;
    }, 300_000);
    const exitCode = await Promise.race([first.exited, new Promise((resolve) => setTimeout(() => resolve("still running"), 60_000))]);
    const job = await faults.api.ctx.queue.queue.getJob(runId);
    console.log(`# backend failure: run ${run.status} (${run.error}), attempts ${run.attempts}; first worker exit ${exitCode} (signal ${first.child.signalCode}); job ${job ? await job.getState() : "missing"}`);
    assert.equal(run.status, "failed");
    assert.match(run.error, /compute backend failed.*memory access out of bounds.*lower batchSize, latentDim or imgSize/);
    assert.equal(run.attempts, 1, "not retried");
    assert.deepEqual(run.events.map((e: { status: string }) => e.status), ["queued", "running", "failed"]);
    assert.equal(exitCode, 75, first.output().slice(-3000));
    assert.equal(first.child.signalCode, null);
    assert.equal(job && (await job.getState()), "failed");
    assert.ok(!second.lines().some((line) => line.runId === runId && line.msg === "training run"), "the other worker did not train it");
    assert.equal(second.child.exitCode, null, second.output().slice(-3000));
  });
});
