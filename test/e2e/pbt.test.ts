// Runs alone in the suite (test/suite.sh): the population's epochs are ordered with SIGSTOP and a job lock.
// Population-based training end to end: the API and two real worker processes training two runs each
// (BullMQ on Redis, PostgreSQL, wasm); the second is SIGKILLed after an exploit and the first trains
// its runs on. The population is set up so that a decision copies a run for certain: seed 3 draws the
// learning rates 3e-3 and 2e-3 for runs #0 and #1 and 1e-6 and 2e-6 for #2 and #3, and the objective
// is the discriminator's loss, which the last two barely move. The second worker is started first and
// frozen (SIGSTOP) until the first, which takes #0 and #1, has checkpointed both past epoch 2: when #2
// or #3 then reaches epoch 2 it is the worst ranked member, and #0 and #1 are past epoch 2 and not yet
// done (about two epochs ahead), so it copies one of them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LineageResponse } from "../../libs/results/index.ts";
import { api, faultStack, postSweep, waitFor } from "../faults/helpers.ts";

const EPOCHS = 6;
const SWEEP = {
  name: "e2e-pbt",
  strategy: "pbt",
  seed: 3,
  pbt: { population: 4, interval: 2 },
  objective: { metric: "dLoss" },
  fixed: { epochs: EPOCHS, dataset: "mnist", imgSize: 28, limit: 128 },
  parameters: { batchSize: 32, lr: { choice: [1e-6, 2e-6, 2e-3, 3e-3] } },
};
const WORKER_ARGS = ["--concurrency", "2"];

describe("e2e: population-based training on two workers, one SIGKILLed", { timeout: 150_000 }, () => {
  const stack = faultStack("pbt");

  it("copies the worse runs from the better ones, and loses nothing when a worker dies after an exploit", async () => {
    const db = stack.api.ctx.db;
    const second = stack.spawn(WORKER_ARGS);
    await waitFor("the second worker to register", async () => (await db.worker.count()) === 1, 60_000);
    second.child.kill("SIGSTOP");
    const first = stack.spawn(WORKER_ARGS);
    await waitFor("the first worker to register", async () => (await db.worker.count()) === 2, 60_000);
    const submitted = await postSweep(stack.api.url, SWEEP);
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    assert.deepEqual(submitted.body.runs.map((run: { params: { lr: number } }) => run.params.lr), [3e-3, 2e-3, 1e-6, 2e-6]);
    await waitFor("runs #0 and #1 to checkpoint epoch 2", async () => (await db.checkpoint.count({ where: { run: { sweepId, index: { in: [0, 1] } }, epochsDone: { gte: 2 } } })) === 2, 60_000);
    assert.equal(await db.run.count({ where: { sweepId, index: { in: [2, 3] }, status: "queued" } }), 2, "#2 and #3 wait for the second worker");
    second.child.kill("SIGCONT");

    const exploit = await waitFor("an exploit", () => db.pbtDecision.findFirst({ where: { sweepId, action: "exploit" } }), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\nfirst: ${first.output().slice(-3000)}\nsecond: ${second.output().slice(-3000)}`);
    });
    const copier = (await db.run.findUnique({ where: { id: exploit.runId } }))!;
    const killedWorker = copier.workerId;
    assert.ok(copier.index >= 2, `run #${copier.index} copied: one of the second worker's`);
    second.child.kill("SIGKILL");
    await second.exited;

    await waitFor("the sweep to complete", async () => (await db.sweep.findUnique({ where: { id: sweepId } }))?.status === "completed", 90_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await db.run.findMany({ where: { sweepId }, select: { index: true, status: true, epochsDone: true, workerId: true } }))}`);
    });
    const runs = await db.run.findMany({ where: { sweepId }, orderBy: { index: "asc" }, include: { epochs: { orderBy: { epoch: "asc" } }, events: true } });
    const decisions = await db.pbtDecision.findMany({ where: { sweepId }, orderBy: { createdAt: "asc" } });
    const exploits = decisions.filter((decision) => decision.action === "exploit");
    console.log(`# pbt e2e: ${decisions.map((d) => `#${runs.find((r) => r.id === d.runId)!.index}@${d.epoch} ${d.action}${d.fromEpoch === null ? "" : ` from #${runs.find((r) => r.id === d.fromRunId)!.index}@${d.fromEpoch}`}`).join("; ")}; attempts ${runs.map((r) => r.attempts)}`);
    assert.deepEqual(runs.map((run) => run.status), ["completed", "completed", "completed", "completed"]);
    assert.ok(runs.some((run) => run.attempts >= 2 && run.events.some((event) => event.workerId === killedWorker)), "a run of the killed worker was taken over");

    for (const run of runs) {
      const own = exploits.filter((decision) => decision.runId === run.id);
      // Every epoch it trained itself has its row, once: all but those each copy brought with it.
      const copied = (epoch: number) => own.some((decision) => epoch > decision.epoch && epoch <= decision.fromEpoch!);
      const trained = Array.from({ length: EPOCHS }, (_, i) => i + 1).filter((epoch) => !copied(epoch));
      assert.deepEqual(run.epochs.map((row) => row.epoch), trained, `run #${run.index}'s epoch rows`);
      const applied = run.events.filter((event) => event.message?.startsWith("pbt: copied")).length;
      assert.equal(applied, own.length, `run #${run.index}: each exploit applied once`);
      if (own.length > 0) assert.deepEqual(run.params, own.at(-1)!.params, `run #${run.index} trains with its last exploit's config`);
    }

    const lineage: LineageResponse = (await api(stack.api.url, `/api/sweeps/${sweepId}/lineage`)).body;
    for (const run of lineage.runs) {
      const epochs = run.schedule.flatMap((segment) => Array.from({ length: segment.lastEpoch - segment.firstEpoch + 1 }, (_, i) => segment.firstEpoch + i));
      assert.deepEqual(epochs, Array.from({ length: EPOCHS }, (_, i) => i + 1), `run #${run.index}'s schedule covers every epoch once`);
    }
    const copierSchedule = lineage.runs.find((run) => run.id === copier.id)!.schedule;
    assert.ok(copierSchedule[0].trainedBy.index < 2, "the copying run's first epochs were trained by the run it copied");
  });
});
