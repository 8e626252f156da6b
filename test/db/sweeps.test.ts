import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  cancelSweep,
  createSweepWithRuns,
  finishRun,
  getRun,
  getSweep,
  getSweepRuns,
  listSweepRuns,
  listSweeps,
  recordEpoch,
  registerWorker,
  RunStatus,
  startRun,
  SweepStatus,
} from "../../libs/db/index.ts";
import { createSweep, createTestDatabase, epochMetrics, runInputs, summary, type TestDatabase } from "./helpers.ts";

describe("sweeps", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("sweeps");
    await registerWorker(t.prisma, {
      id: "w1",
      host: "test",
      pid: 1,
      backend: "cpu",
      device: "cpu",
      concurrency: 2,
      queue: "runs",
    });
  });
  after(() => t.drop());

  it("creates the sweep, its runs and a queued event per run in one transaction", async () => {
    const { sweep, runs } = await createSweep(t.prisma, 3, "created");
    assert.equal(sweep.status, SweepStatus.active);
    assert.deepEqual(sweep.config, { grid: { lr: [0.0002] } });
    assert.deepEqual(runs.map((run) => [run.index, run.status, run.sweepId]), [
      [0, RunStatus.queued, sweep.id],
      [1, RunStatus.queued, sweep.id],
      [2, RunStatus.queued, sweep.id],
    ]);
    assert.deepEqual(runs[1].params, { lr: 0.0002, batchSize: 64, seed: 1 });
    const events = await t.prisma.runEvent.findMany({ where: { run: { sweepId: sweep.id } } });
    assert.equal(events.length, 3);
    assert.ok(events.every((event) => event.status === "queued"));
    const details = await getRun(t.prisma, runs[0].id);
    assert.equal(details?.sweep.name, "created");
    assert.deepEqual(details?.events.map((event) => event.status), ["queued"]);
  });

  it("creates nothing when one run cannot be stored", async () => {
    const before = await t.prisma.sweep.count();
    const duplicateIndex = [...runInputs(2), { ...runInputs(1)[0] }];
    await assert.rejects(() =>
      createSweepWithRuns(t.prisma, { name: "broken", config: {}, strategy: "grid", priority: 0 }, duplicateIndex),
    );
    assert.equal(await t.prisma.sweep.count(), before);
    assert.equal(await t.prisma.sweep.count({ where: { name: "broken" } }), 0);
  });

  it("lists sweeps newest first with per-status counts and the best completed run", async () => {
    await t.prisma.sweep.deleteMany();
    const older = await createSweep(t.prisma, 4, "older");
    const newer = await createSweep(t.prisma, 2, "newer");
    const [r0, r1, r2] = older.runs;
    for (const run of [r0, r1, r2]) await startRun(t.prisma, run.id, "w1", "cpu", "cpu");
    await recordEpoch(t.prisma, r0.id, epochMetrics(1), null, summary(0.61));
    await recordEpoch(t.prisma, r1.id, epochMetrics(1), null, summary(0.83));
    await recordEpoch(t.prisma, r2.id, epochMetrics(1), null, summary(0.95));
    await finishRun(t.prisma, r0.id, "completed");
    await finishRun(t.prisma, r1.id, "completed");
    // Higher accuracy, but diverged: not a result.
    await finishRun(t.prisma, r2.id, "diverged", { divergedEpoch: 2 });

    const page = await listSweeps(t.prisma, { page: 1, pageSize: 10 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.items.map((sweep) => sweep.name), ["newer", "older"]);
    const [newest, oldest] = page.items;
    assert.deepEqual(oldest.counts, {
      queued: 1,
      running: 0,
      completed: 2,
      failed: 0,
      cancelled: 0,
      diverged: 1,
      pruned: 0,
    });
    assert.deepEqual(oldest.best, { runId: r1.id, finalTestAccuracy: 0.83 });
    assert.equal(newest.counts.queued, 2);
    assert.equal(newest.best, null);

    const second = await listSweeps(t.prisma, { page: 2, pageSize: 1 });
    assert.equal(second.total, 2);
    assert.deepEqual(second.items.map((sweep) => sweep.id), [older.sweep.id]);
    assert.deepEqual((await listSweeps(t.prisma, { page: 3, pageSize: 1 })).items, []);
    await assert.rejects(() => listSweeps(t.prisma, { page: 0, pageSize: 10 }), RangeError);

    const one = await getSweep(t.prisma, newer.sweep.id);
    assert.equal(one?.counts.queued, 2);
    assert.equal(await getSweep(t.prisma, "00000000-0000-4000-8000-000000000000"), null);
    assert.equal(await getSweep(t.prisma, "not-a-uuid"), null);
  });

  it("returns a sweep's runs in order with their epochs in order", async () => {
    const { sweep, runs } = await createSweep(t.prisma, 2, "ranked");
    await startRun(t.prisma, runs[1].id, "w1", "cpu", "cpu");
    await recordEpoch(t.prisma, runs[1].id, epochMetrics(2), null, summary(0.5));
    await recordEpoch(t.prisma, runs[1].id, epochMetrics(1), null, summary(0.4));
    const ranked = await getSweepRuns(t.prisma, sweep.id);
    assert.deepEqual(ranked.map((run) => run.index), [0, 1]);
    assert.deepEqual(ranked[0].epochs, []);
    assert.deepEqual(ranked[1].epochs.map((epoch) => epoch.epoch), [1, 2]);
    const listed = await listSweepRuns(t.prisma, sweep.id);
    assert.deepEqual(listed.map((run) => [run.index, run.epochCount]), [[0, 0], [1, 2]]);
    assert.deepEqual(await listSweepRuns(t.prisma, "not-a-uuid"), []);
  });

  it("completes an active sweep when its last run reaches a final state", async () => {
    const { sweep, runs } = await createSweep(t.prisma, 3, "finishing");
    await startRun(t.prisma, runs[0].id, "w1", "cpu", "cpu");
    await startRun(t.prisma, runs[1].id, "w1", "cpu", "cpu");
    assert.equal(await finishRun(t.prisma, runs[2].id, "failed", { error: "out of memory" }), true);
    // The last two finishing at the same moment must still complete the sweep.
    await Promise.all([finishRun(t.prisma, runs[0].id, "completed"), finishRun(t.prisma, runs[1].id, "completed")]);
    assert.equal((await getSweep(t.prisma, sweep.id))?.status, SweepStatus.completed);
    const failed = await getRun(t.prisma, runs[2].id);
    assert.equal(failed?.error, "out of memory");
    assert.deepEqual(failed?.events.map((event) => [event.status, event.message]), [
      ["queued", null],
      ["failed", "out of memory"],
    ]);
  });

  it("cancels a sweep: its queued runs at once, its running runs left to the caller", async () => {
    const { sweep, runs } = await createSweep(t.prisma, 4, "cancelled");
    await startRun(t.prisma, runs[1].id, "w1", "cpu", "cpu");
    await startRun(t.prisma, runs[3].id, "w1", "cpu", "cpu");
    const result = await cancelSweep(t.prisma, sweep.id);
    assert.deepEqual(result, { cancelledQueued: [runs[0].id, runs[2].id], running: [runs[1].id, runs[3].id] });
    assert.equal((await getSweep(t.prisma, sweep.id))?.status, SweepStatus.cancelled);
    const queuedOne = await getRun(t.prisma, runs[0].id);
    assert.equal(queuedOne?.status, RunStatus.cancelled);
    assert.ok(queuedOne?.finishedAt);
    assert.deepEqual(queuedOne?.events.map((event) => event.status), ["queued", "cancelled"]);
    // A cancelled run cannot be started any more.
    assert.equal(await startRun(t.prisma, runs[0].id, "w1", "cpu", "cpu"), null);

    for (const id of result?.running ?? []) await finishRun(t.prisma, id, "cancelled");
    const after = await getSweep(t.prisma, sweep.id);
    assert.equal(after?.status, SweepStatus.cancelled, "a cancelled sweep is not turned into a completed one");
    assert.equal(after?.counts.cancelled, 4);
    assert.deepEqual(await cancelSweep(t.prisma, sweep.id), { cancelledQueued: [], running: [] });
    assert.equal((await getSweep(t.prisma, sweep.id))?.status, SweepStatus.cancelled, "cancelling again changes nothing");
    assert.equal(await cancelSweep(t.prisma, "00000000-0000-4000-8000-000000000000"), null);
  });

  it("a sweep cancelled before any run trained stays cancelled, none completed, no best run", async () => {
    const { sweep, runs } = await createSweep(t.prisma, 10, "cancelled early");
    // The run a worker had just taken ends cancelled too (the worker stops it at its first batch).
    await startRun(t.prisma, runs[0].id, "w1", "cpu", "cpu");
    const result = await cancelSweep(t.prisma, sweep.id);
    assert.equal(result?.cancelledQueued.length, 9);
    await finishRun(t.prisma, runs[0].id, "cancelled");
    const [listed] = (await listSweeps(t.prisma, { page: 1, pageSize: 1 })).items;
    assert.equal(listed.id, sweep.id);
    assert.equal(listed.status, SweepStatus.cancelled);
    assert.deepEqual(listed.counts, { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 10, diverged: 0, pruned: 0 });
    assert.equal(listed.best, null);
  });
});
