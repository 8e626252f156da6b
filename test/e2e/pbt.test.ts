// Runs alone in the suite (test/suite.sh): a SIGKILLed worker's run is taken over when its job lock expires.
// Population-based training end to end: the API and two real worker processes with one training slot
// each for a population of 4 (BullMQ on Redis, PostgreSQL, wasm); the worker of a run that copied
// another is SIGKILLed after the exploit and the other trains everything on. Seed 3 draws the learning
// rates 3e-3 and 2e-3 for runs #0 and #1 and 1e-6 and 2e-6 for #2 and #3, and the objective is the
// discriminator's loss, which the last two barely move. #0 and #1 start first and, at epoch 2, hand
// their slots to #2 and #3, queued with no epochs; with the bottom and top halves (quantile 0.5) the
// second of #2 and #3 to reach epoch 2 ranks in the bottom half for certain, and copies #0 or #1,
// checkpointed at epoch 2 and queued.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LineageResponse } from "../../libs/results/index.ts";
import { api, faultStack, postSweep, waitFor } from "../faults/helpers.ts";

const EPOCHS = 6;
const SWEEP = {
  name: "e2e-pbt",
  strategy: "pbt",
  seed: 3,
  pbt: { population: 4, interval: 2, quantile: 0.5 },
  objective: { metric: "dLoss" },
  fixed: { epochs: EPOCHS, dataset: "mnist", imgSize: 28, limit: 128 },
  parameters: { batchSize: 32, lr: { choice: [1e-6, 2e-6, 2e-3, 3e-3] } },
};
const WORKER_ARGS = ["--concurrency", "1"];

describe("e2e: population-based training on two one-slot workers for a population of 4, one SIGKILLed", { timeout: 150_000 }, () => {
  const stack = faultStack("pbt");

  it("copies the worse runs from the better ones, and loses nothing when a worker dies after an exploit", async () => {
    const db = stack.api.ctx.db;
    const workers = [stack.spawn(WORKER_ARGS), stack.spawn(WORKER_ARGS)];
    await waitFor("both workers to register", async () => (await db.worker.count()) === 2, 60_000);
    const submitted = await postSweep(stack.api.url, SWEEP);
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    assert.deepEqual(submitted.body.runs.map((run: { params: { lr: number } }) => run.params.lr), [3e-3, 2e-3, 1e-6, 2e-6]);
    const output = () => workers.map((worker, i) => `worker ${i}: ${worker.output().slice(-3000)}`).join("\n");

    const exploit = await waitFor("an exploit", () => db.pbtDecision.findFirst({ where: { sweepId, action: "exploit" } }), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output()}`);
    });
    const copier = (await db.run.findUnique({ where: { id: exploit.runId } }))!;
    const killedWorker = copier.workerId;
    assert.ok(killedWorker, `run #${copier.index} trains on after its exploit (status ${copier.status})`);
    assert.ok(copier.index >= 2, `run #${copier.index} copied: one of the two that barely learn`);
    const { pid } = await db.worker.findUniqueOrThrow({ where: { id: killedWorker } });
    const killed = workers.find((worker) => worker.child.pid === pid);
    assert.ok(killed, `worker ${killedWorker} (pid ${pid}) is one of the two`);
    killed.child.kill("SIGKILL");
    await killed.exited;

    await waitFor("the sweep to complete", async () => (await db.sweep.findUnique({ where: { id: sweepId } }))?.status === "completed", 90_000).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await db.run.findMany({ where: { sweepId }, select: { index: true, status: true, epochsDone: true, workerId: true } }))}`);
    });
    const runs = await db.run.findMany({ where: { sweepId }, orderBy: { index: "asc" }, include: { epochs: { orderBy: { epoch: "asc" } }, events: true } });
    const decisions = await db.pbtDecision.findMany({ where: { sweepId }, orderBy: { createdAt: "asc" } });
    const exploits = decisions.filter((decision) => decision.action === "exploit");
    console.log(`# pbt e2e: ${decisions.map((d) => `#${runs.find((r) => r.id === d.runId)!.index}@${d.epoch} ${d.action}${d.fromEpoch === null ? "" : ` from #${runs.find((r) => r.id === d.fromRunId)!.index}@${d.fromEpoch}`}`).join("; ")}; attempts ${runs.map((r) => r.attempts)}`);
    assert.deepEqual(runs.map((run) => run.status), ["completed", "completed", "completed", "completed"]);
    // Every hand-back starts a new attempt, so the takeover is read from the status log.
    assert.ok(runs.some((run) => run.events.some((event) => event.message === `job taken over from worker ${killedWorker}, which lost it`)), "the killed worker's run was taken over");
    const yielded = runs.filter((run) => run.events.some((event) => event.message?.startsWith("pbt: checkpointed at epoch 2, slot handed to")));
    assert.deepEqual(yielded.map((run) => run.index).slice(0, 2), [0, 1], "#0 and #1 handed their slots to #2 and #3 at epoch 2");

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
