import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  finishRun,
  heartbeatWorker,
  listWorkers,
  registerWorker,
  startRun,
  stopWorker,
  WORKER_ALIVE_MS,
  type WorkerRegistration,
} from "../../libs/db/index.ts";
import { createSweep, createTestDatabase, type TestDatabase } from "./helpers.ts";

const registration = (id: string): WorkerRegistration => ({
  id,
  host: "gpu-node-1",
  pid: 4242,
  backend: "webgpu",
  device: "NVIDIA H100",
  concurrency: 2,
  queue: "runs",
});

describe("workers", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("workers");
  });
  after(() => t.drop());

  it("lists workers as alive only while they heartbeat and are not stopped, with their running runs", async () => {
    for (const id of ["fresh", "silent", "stopped"]) await registerWorker(t.prisma, registration(id));
    const { sweep, runs } = await createSweep(t.prisma, 3);
    await startRun(t.prisma, runs[0].id, "fresh", "webgpu", "NVIDIA H100");
    await startRun(t.prisma, runs[1].id, "fresh", "webgpu", "NVIDIA H100");
    await startRun(t.prisma, runs[2].id, "fresh", "webgpu", "NVIDIA H100");
    await finishRun(t.prisma, runs[2].id, "completed");

    const progress = { [runs[0].id]: { epoch: 3, batch: 10, batches: 125, samplesPerSec: 230, etaSeconds: 60 } };
    assert.equal(await heartbeatWorker(t.prisma, "fresh", progress), true);
    assert.equal(await heartbeatWorker(t.prisma, "unknown", null), false);
    await t.prisma.worker.update({
      where: { id: "silent" },
      data: { lastHeartbeat: new Date(Date.now() - WORKER_ALIVE_MS - 1_000) },
    });
    await stopWorker(t.prisma, "stopped");

    const workers = new Map((await listWorkers(t.prisma)).map((worker) => [worker.id, worker]));
    assert.equal(workers.size, 3);
    assert.equal(workers.get("fresh")?.alive, true);
    assert.equal(workers.get("silent")?.alive, false);
    assert.equal(workers.get("stopped")?.alive, false);
    assert.ok(workers.get("stopped")?.stoppedAt);
    assert.deepEqual(workers.get("fresh")?.progress, progress);
    assert.deepEqual(workers.get("fresh")?.currentRuns, [
      { id: runs[0].id, sweepId: sweep.id },
      { id: runs[1].id, sweepId: sweep.id },
    ]);
    assert.deepEqual(workers.get("silent")?.currentRuns, []);

    assert.equal(await heartbeatWorker(t.prisma, "fresh", null), true);
    assert.equal((await listWorkers(t.prisma)).find((worker) => worker.id === "fresh")?.progress, null);
  });

  it("lists a worker's progress only for the runs running on it now, not a stale heartbeat's finished run", async () => {
    await registerWorker(t.prisma, { ...registration("serial"), concurrency: 1 });
    const { sweep, runs } = await createSweep(t.prisma, 3);
    await startRun(t.prisma, runs[0].id, "serial", "webgpu", "NVIDIA H100");
    const lastBatch = { sweepId: sweep.id, epoch: 8, epochs: 8, batch: 8, batches: 8, samplesPerSec: 230, etaSeconds: 0 };
    // The heartbeat written as the run's last batch ended, before the run finished and the next one started.
    await heartbeatWorker(t.prisma, "serial", { [runs[0].id]: { runId: runs[0].id, ...lastBatch } });
    await finishRun(t.prisma, runs[0].id, "completed", {}, "serial");
    await startRun(t.prisma, runs[1].id, "serial", "webgpu", "NVIDIA H100");
    const serial = (await listWorkers(t.prisma)).find((worker) => worker.id === "serial");
    assert.deepEqual(serial?.currentRuns, [{ id: runs[1].id, sweepId: sweep.id }]);
    assert.deepEqual(serial?.progress, {}, "the finished run's last progress is not shown as current");
    const stored = await t.prisma.run.findUnique({ where: { id: runs[0].id } });
    assert.equal(stored?.workerId, "serial", "the finished run keeps its worker");
  });

  it("re-registering a stopped worker makes it a fresh, alive worker", async () => {
    await registerWorker(t.prisma, registration("restarted"));
    await stopWorker(t.prisma, "restarted");
    const again = await registerWorker(t.prisma, { ...registration("restarted"), pid: 5151, concurrency: 4 });
    assert.equal(again.stoppedAt, null);
    assert.equal(again.pid, 5151);
    assert.equal(again.concurrency, 4);
    const listed = (await listWorkers(t.prisma)).find((worker) => worker.id === "restarted");
    assert.equal(listed?.alive, true);
  });
});
