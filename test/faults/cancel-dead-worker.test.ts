// Runs alone in the suite (test/suite.sh): the cancel is timed against a dead worker's job lock.
// Fault: a sweep is cancelled while its running run's worker is dead (SIGKILLed): the cancel message
// reaches no one and the run stays `running`. The next worker that gets the job must not take the
// run over and train it again: it ends the run `cancelled`, untrained.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { api, faultStack, postSweep, RUN_LONG_ENOUGH, tinySweep, waitFor } from "./helpers.ts";


describe("fault: a sweep cancelled while its run's worker is dead", () => {
  const faults = faultStack("cancel-dead");

  it("ends the run cancelled when the next worker gets its job, without training it", async () => {
    const first = faults.spawn();
    const submitted = await postSweep(faults.api.url, tinySweep("faults-cancel-dead", [2e-4], 3, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    const runId: string = submitted.body.runs[0].id;
    await waitFor("the first worker to train a few batches", async () => {
      const { workers: listed } = (await api(faults.api.url, "/api/workers")).body;
      return listed.some((w: any) => (w.progress?.[runId]?.batch ?? 0) >= 2);
    });
    first.child.kill("SIGKILL");
    await first.exited;

    const cancelled = await api(faults.api.url, `/api/sweeps/${sweepId}/cancel`, { method: "POST" });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.deepEqual(cancelled.body.stopping, [runId], "the run was running: only its (dead) worker could stop it");
    const epochsAtCancel = (await api(faults.api.url, `/api/runs/${runId}/metrics`)).body.epochs.length;

    const next = faults.spawn();
    const run = await waitFor("the run to end", async () => {
      const body = (await api(faults.api.url, `/api/runs/${runId}`)).body;
      return body.status !== "running" && body.status !== "queued" && body;
    }, 120_000);
    const metrics = (await api(faults.api.url, `/api/runs/${runId}/metrics`)).body;
    const sweep = (await api(faults.api.url, `/api/sweeps/${sweepId}`)).body;
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
