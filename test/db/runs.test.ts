import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  finishRun,
  getRun,
  getRunEpochs,
  getSample,
  listSampleEpochs,
  listUnfinishedRuns,
  loadBestCheckpoint,
  loadCheckpoint,
  recordEpoch,
  registerWorker,
  requeueRun,
  retryRun,
  RunNotFoundError,
  RunOwnershipLostError,
  RunStatus,
  saveCheckpoint,
  startRun,
  WorkerNotRegisteredError,
} from "../../libs/db/index.ts";
import { createSweep, createTestDatabase, epochMetrics, summary, type TestDatabase } from "./helpers.ts";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("runs", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("runs");
    for (const id of ["w1", "w2"]) {
      await registerWorker(t.prisma, { id, host: "test", pid: 1, backend: "wasm", device: "cpu", concurrency: 1, queue: "runs" });
    }
  });
  after(() => t.drop());

  it("starts a queued run for exactly one of two workers racing for it", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const [a, b] = await Promise.all([
      startRun(t.prisma, runs[0].id, "w1", "wasm", "cpu"),
      startRun(t.prisma, runs[0].id, "w2", "webgpu", "H100"),
    ]);
    const winners = [a, b].filter((run) => run !== null);
    assert.equal(winners.length, 1);
    const [started] = winners;
    assert.equal(started?.status, RunStatus.running);
    assert.equal(started?.attempts, 1);
    assert.ok(started?.startedAt);
    const stored = await getRun(t.prisma, runs[0].id);
    assert.equal(stored?.workerId, started?.workerId);
    assert.deepEqual(stored?.events.map((event) => event.status), ["queued", "running"]);
  });

  it("does not start a running run again, nor a final or missing one", async () => {
    const { runs } = await createSweep(t.prisma, 2);
    const first = await startRun(t.prisma, runs[0].id, "w1", "wasm", "cpu");
    assert.ok(first);
    assert.equal(await startRun(t.prisma, runs[0].id, "w2", "wasm", "cpu"), null);
    assert.equal(await startRun(t.prisma, runs[0].id, "w1", "wasm", "cpu"), null);
    await finishRun(t.prisma, runs[1].id, "cancelled");
    assert.equal(await startRun(t.prisma, runs[1].id, "w1", "wasm", "cpu"), null);
    assert.equal(await startRun(t.prisma, MISSING, "w1", "wasm", "cpu"), null);
    assert.equal(await startRun(t.prisma, "nope", "w1", "wasm", "cpu"), null);
    const unchanged = await getRun(t.prisma, runs[0].id);
    assert.equal(unchanged?.attempts, 1);
    assert.equal(unchanged?.workerId, "w1");
  });

  it("needs the worker registered before it can start a run", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    await assert.rejects(() => startRun(t.prisma, runs[0].id, "ghost", "wasm", "cpu"), WorkerNotRegisteredError);
    assert.equal((await getRun(t.prisma, runs[0].id))?.status, RunStatus.queued);
  });

  it("requeues a running run, which then starts again as a new attempt keeping startedAt", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const first = await startRun(t.prisma, runs[0].id, "w1", "wasm", "cpu");
    assert.equal(await requeueRun(t.prisma, runs[0].id, "worker w1 shutting down"), true);
    assert.equal(await requeueRun(t.prisma, runs[0].id, "again"), false);
    const queued = await getRun(t.prisma, runs[0].id);
    assert.equal(queued?.status, RunStatus.queued);
    assert.equal(queued?.workerId, null);
    const second = await startRun(t.prisma, runs[0].id, "w2", "webgpu", "H100");
    assert.equal(second?.attempts, 2);
    assert.equal(second?.workerId, "w2");
    assert.equal(second?.device, "H100");
    assert.deepEqual(second?.startedAt, first?.startedAt);
    const events = (await getRun(t.prisma, runs[0].id))?.events ?? [];
    assert.deepEqual(events.map((event) => [event.status, event.workerId]), [
      ["queued", null],
      ["running", "w1"],
      ["requeued", "w1"],
      ["running", "w2"],
    ]);
    assert.equal(events[2].message, "worker w1 shutting down");
  });

  it("records an epoch idempotently: the second write of an epoch replaces the first", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    await startRun(t.prisma, id, "w1", "wasm", "cpu");
    const png1 = Buffer.from("first png");
    const png2 = Buffer.from("second png");
    await recordEpoch(t.prisma, id, epochMetrics(1, { testAccuracy: 0.3, dLossMean: 0.9 }), png1, summary(0.3));
    await recordEpoch(t.prisma, id, epochMetrics(1, { testAccuracy: 0.35, dLossMean: 0.8, confusion: [[3, 2], [4, 1]] }), png2, summary(0.35));
    const epochs = await getRunEpochs(t.prisma, id);
    assert.equal(epochs.length, 1);
    assert.equal(epochs[0].testAccuracy, 0.35);
    assert.equal(epochs[0].dLossMean, 0.8);
    assert.deepEqual(epochs[0].confusion, [[3, 2], [4, 1]], "the matrix is replaced with the rest");
    assert.deepEqual(await getSample(t.prisma, id, 1), png2);
    const run = await getRun(t.prisma, id);
    assert.equal(run?.epochsDone, 1);
    assert.equal(run?.finalTestAccuracy, 0.35);
    assert.deepEqual(run?.summary, { finalTestAccuracy: 0.35, bestTestAccuracy: 0.35, dAccBand: [0.47, 0.55] });
  });

  it("keeps epochsDone and the summary at the latest epoch when an earlier one is replayed", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    await startRun(t.prisma, id, "w1", "wasm", "cpu");
    await recordEpoch(t.prisma, id, epochMetrics(1), Buffer.from("e1"), summary(0.4));
    await recordEpoch(t.prisma, id, epochMetrics(2), null, summary(0.6, 0.6));
    await recordEpoch(t.prisma, id, epochMetrics(3), Buffer.from("e3"), summary(0.5, 0.6));
    await recordEpoch(t.prisma, id, epochMetrics(2, { testAccuracy: 0.61 }), null, summary(0.61));
    const run = await getRun(t.prisma, id);
    assert.equal(run?.epochsDone, 3);
    assert.equal(run?.finalTestAccuracy, 0.5);
    assert.equal(run?.bestTestAccuracy, 0.6);
    assert.deepEqual((await getRunEpochs(t.prisma, id)).map((epoch) => [epoch.epoch, epoch.testAccuracy]), [
      [1, 0.2],
      [2, 0.61],
      [3, 0.2],
    ]);
    assert.deepEqual(await listSampleEpochs(t.prisma, id), [1, 3]);
    assert.equal(await getSample(t.prisma, id, 2), null);
  });

  it("stores the NaN and infinite losses of a diverging run as they are", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    await startRun(t.prisma, id, "w1", "wasm", "cpu");
    await recordEpoch(
      t.prisma,
      id,
      epochMetrics(1, { dLossMean: Number.NaN, gLossMax: Number.POSITIVE_INFINITY, gLossMin: Number.NEGATIVE_INFINITY }),
      null,
      summary(0.1),
    );
    const [epoch] = await getRunEpochs(t.prisma, id);
    assert.ok(Number.isNaN(epoch.dLossMean));
    assert.equal(epoch.gLossMax, Number.POSITIVE_INFINITY);
    assert.equal(epoch.gLossMin, Number.NEGATIVE_INFINITY);
    assert.equal(epoch.dAccMean, 0.51);
    assert.deepEqual(epoch.confusion, [[1, 4], [4, 1]]);
    assert.equal(await finishRun(t.prisma, id, "diverged", { divergedEpoch: 1 }), true);
    const run = await getRun(t.prisma, id);
    assert.equal(run?.divergedEpoch, 1);
    assert.equal(run?.events.at(-1)?.message, "diverged at epoch 1");
  });

  it("refuses epochs and checkpoints of a run that does not exist", async () => {
    await assert.rejects(() => recordEpoch(t.prisma, MISSING, epochMetrics(1), null, summary(null)), RunNotFoundError);
    await assert.rejects(() => saveCheckpoint(t.prisma, MISSING, 1, Buffer.from("x")), RunNotFoundError);
  });

  it("round-trips a 5 MB checkpoint and replaces it on the next save", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    assert.equal(await loadCheckpoint(t.prisma, id), null);
    const data = randomBytes(5 * 1024 * 1024);
    await saveCheckpoint(t.prisma, id, 3, data);
    const loaded = await loadCheckpoint(t.prisma, id);
    assert.ok(loaded && Buffer.isBuffer(loaded));
    assert.equal(loaded.length, data.length);
    assert.ok(loaded.equals(data));
    await saveCheckpoint(t.prisma, id, 4, Buffer.from("smaller"));
    assert.deepEqual(await loadCheckpoint(t.prisma, id), Buffer.from("smaller"));
    assert.equal((await t.prisma.checkpoint.findUnique({ where: { runId: id } }))?.epochsDone, 4);
  });

  it("keeps the best epoch's checkpoint beside the latest, written with it and fenced the same way", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    assert.equal(await loadBestCheckpoint(t.prisma, id), null);
    await startRun(t.prisma, id, "w1", "wasm", "cpu");
    await saveCheckpoint(t.prisma, id, 1, Buffer.from("epoch 1"), "w1");
    assert.equal(await loadBestCheckpoint(t.prisma, id), null, "not marked best: none kept");
    await saveCheckpoint(t.prisma, id, 2, Buffer.from("epoch 2"), "w1", { best: true });
    await saveCheckpoint(t.prisma, id, 3, Buffer.from("epoch 3"), "w1");
    assert.deepEqual(await loadCheckpoint(t.prisma, id), Buffer.from("epoch 3"));
    assert.deepEqual(await loadBestCheckpoint(t.prisma, id), { epoch: 2, data: Buffer.from("epoch 2") }, "a later, worse epoch keeps the best");
    await assert.rejects(() => saveCheckpoint(t.prisma, id, 4, Buffer.from("stale epoch 4"), "w2", { best: true }), RunOwnershipLostError);
    assert.deepEqual(await loadBestCheckpoint(t.prisma, id), { epoch: 2, data: Buffer.from("epoch 2") }, "a worker that lost the run writes no best");
    // Epoch 3 trained again (its checkpoint was lost with the worker) and best this time: written twice, kept once.
    await saveCheckpoint(t.prisma, id, 3, Buffer.from("epoch 3 again"), "w1", { best: true });
    await saveCheckpoint(t.prisma, id, 3, Buffer.from("epoch 3 again"), "w1", { best: true });
    assert.deepEqual(await loadBestCheckpoint(t.prisma, id), { epoch: 3, data: Buffer.from("epoch 3 again") });
    assert.deepEqual(await loadCheckpoint(t.prisma, id), Buffer.from("epoch 3 again"));
    assert.equal(await loadBestCheckpoint(t.prisma, MISSING), null);
  });

  it("finishes a run once: a cancelled run stays cancelled", async () => {
    const { runs } = await createSweep(t.prisma, 2);
    const id = runs[0].id;
    await startRun(t.prisma, id, "w1", "wasm", "cpu");
    assert.equal(await finishRun(t.prisma, id, "cancelled"), true);
    assert.equal(await finishRun(t.prisma, id, "completed"), false);
    assert.equal(await requeueRun(t.prisma, id, "late"), false);
    const run = await getRun(t.prisma, id);
    assert.equal(run?.status, RunStatus.cancelled);
    assert.equal(run?.workerId, "w1", "a final run keeps the worker it ran on");
    assert.ok(run?.finishedAt);
    assert.deepEqual(run?.events.map((event) => [event.status, event.workerId]), [
      ["queued", null],
      ["running", "w1"],
      ["cancelled", "w1"],
    ]);
    assert.equal(await finishRun(t.prisma, MISSING, "failed"), false);
  });

  it("a finished run keeps the worker that trained it; a retried one is queued on none", async () => {
    const { runs } = await createSweep(t.prisma, 1);
    const id = runs[0].id;
    await startRun(t.prisma, id, "w2", "wasm", "cpu");
    assert.equal(await finishRun(t.prisma, id, "failed", {}, "w1"), false, "fenced: another worker cannot end it");
    assert.equal(await finishRun(t.prisma, id, "failed", { error: "boom" }, "w2"), true);
    assert.equal((await getRun(t.prisma, id))?.workerId, "w2");
    assert.equal(await startRun(t.prisma, id, "w1", "wasm", "cpu"), null, "a final run is not started again by its worker being set");
    assert.ok(!(await listUnfinishedRuns(t.prisma)).some((run) => run.id === id));
    await retryRun(t.prisma, id);
    const retried = await getRun(t.prisma, id);
    assert.equal(retried?.status, RunStatus.queued);
    assert.equal(retried?.workerId, null);
  });

  it("lists queued and running runs, oldest first", async () => {
    await t.prisma.sweep.deleteMany();
    const first = await createSweep(t.prisma, 3);
    const second = await createSweep(t.prisma, 1);
    await startRun(t.prisma, first.runs[1].id, "w1", "wasm", "cpu");
    await finishRun(t.prisma, first.runs[2].id, "failed", { error: "boom" });
    const unfinished = await listUnfinishedRuns(t.prisma);
    assert.deepEqual(
      unfinished.map((run) => [run.id, run.status]),
      [
        [first.runs[0].id, RunStatus.queued],
        [first.runs[1].id, RunStatus.running],
        [second.runs[0].id, RunStatus.queued],
      ],
    );
  });
});
