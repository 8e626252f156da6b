// A pause or a cancel that reaches a pbt run at its exploit (one worker, one slot, a population of 2:
// run #1 copies run #0 at epoch 2 for certain, as in pbt-slots.test.ts). The user's request is made
// through the API at that moment, from inside the worker's decision (PbtJudge.decide wrapped by the
// test), and handed to the run's stop switch at once: a pause pending while the exploit is decided and
// applied; a cancel just after it was applied, before the worker trains on (a cancel before it would
// cancel the queued donor, leaving nothing to copy). Everything else is the real worker, queue,
// database and training.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import { getRun, getSweepRuns, listPbtDecisions, loadCheckpoint, openDatabase, resolveDatabaseUrl, type Database } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import type { TrainingConfig } from "../../libs/sgan/index.ts";
import { DatasetCache, TrainingWorker } from "../../libs/worker/index.ts";
import { PbtJudge } from "../../libs/worker/pbt.ts";
import type { Stop } from "../../libs/worker/run-processor.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "../api/helpers.ts";
import { waitFor } from "../support/wait-for.ts";
import { heldPopulation } from "./pbt-population.ts";

const PBT_SWEEP = heldPopulation("pbt-interrupted", 4);

type Request = "pause" | "cancel";

/** Runs the sweep on one one-slot worker; `request` is made at run #1's epoch-2 decision (a pause before it, a cancel after). */
function interruptedSweep(request: Request) {
  const DATABASE = `sgan_worker_pbt_${request}_${process.pid}`;
  const state = {} as { api: TestApi; database: Database; worker: TrainingWorker; sweepId: string; heldId: string };
  const decide = PbtJudge.prototype.decide;

  before(async () => {
    state.api = await startTestApi(DATABASE);
    state.database = await openDatabase(withDatabase(resolveDatabaseUrl(), DATABASE));
    state.worker = new TrainingWorker({
      db: state.database.prisma,
      redisUrl: redisUrl(),
      queueName: state.api.ctx.queue.queue.name,
      backend: await initBackend("wasm", { threads: 1 }),
      log: createLogger(`worker-pbt-${request}`),
      datasets: new DatasetCache(),
      concurrency: 1,
    });
    const active = (state.worker as unknown as { active: Map<string, Stop> }).active;
    PbtJudge.prototype.decide = async function (this: PbtJudge, sweepId, runId, epoch, workerId) {
      const interrupted = runId === state.heldId && epoch === 2;
      const decided = request === "cancel" ? await decide.call(this, sweepId, runId, epoch, workerId) : undefined;
      if (interrupted) {
        const answer = await call(state.api.url, `/api/sweeps/${sweepId}/${request}`, { method: "POST" });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        // What the control message does once it arrives, done now: the request is pending during the decision.
        const stop = active.get(runId)!;
        if (request === "pause") stop.pauseRequested = true;
        else {
          stop.reason = "cancel";
          stop.controller.abort();
        }
      }
      return request === "cancel" ? decided! : decide.call(this, sweepId, runId, epoch, workerId);
    };
    await state.worker.start();
    const submitted = await call(state.api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(PBT_SWEEP) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    state.sweepId = submitted.body.sweep.id;
    state.heldId = submitted.body.runs[1].id;
  });

  after(async () => {
    PbtJudge.prototype.decide = decide;
    await state.worker?.stop();
    await state.database?.close();
    await state.api?.close();
    await dropTestDatabase(DATABASE);
  });
  return state;
}

/** The exploit stored once and applied: the run's checkpoint holds run #0's epoch 2, its config the exploit's. */
async function assertExploitApplied(database: Database, sweepId: string, heldId: string) {
  const decisions = await listPbtDecisions(database.prisma, sweepId);
  const exploits = decisions.filter((decision) => decision.runId === heldId && decision.action === "exploit");
  assert.equal(exploits.length, 1, JSON.stringify(decisions.map((decision) => [decision.epoch, decision.action, decision.reason])));
  const [exploit] = exploits;
  assert.deepEqual([exploit.epoch, exploit.fromEpoch], [2, 2]);
  const held = (await getRun(database.prisma, heldId))!;
  assert.deepEqual(held.params, exploit.params, "the run's config is the exploit's");
  assert.equal((held.params as TrainingConfig).seed, (exploit.params as TrainingConfig).seed);
  assert.equal(held.events.filter((event) => event.message?.startsWith("pbt: copied run #0 as of epoch 2")).length, 1, "applied once");
  return { exploit, held };
}

describe("a pbt sweep paused while a run's exploit is decided", { timeout: 180_000 }, () => {
  const state = interruptedSweep("pause");

  it("holds the run at the copied epoch with the copied checkpoint and the exploit's config, and trains it on from there once resumed", async () => {
    const { database, sweepId, heldId } = state;
    await waitFor("run #1 to be held", async () => (await database.prisma.pbtDecision.count({ where: { runId: heldId } })) === 1 && (await getRun(database.prisma, heldId))?.status === "queued", 120_000);
    const { exploit, held } = await assertExploitApplied(database, sweepId, heldId);
    assert.equal(held.epochsDone, 2, "held at the copied epoch, nothing trained after it");
    assert.deepEqual((await getSweepRuns(database.prisma, sweepId))[1].epochs.map((row) => row.epoch), [1, 2]);
    assert.ok(held.events.some((event) => event.message === "sweep paused: stopped after epoch 2, checkpointed; trains on when the sweep resumes"), held.events.map((e) => e.message).join("\n"));
    const donor = (await getSweepRuns(database.prisma, sweepId))[0];
    assert.equal(donor.status, "queued", "run #0 waits too (it handed its slot back at epoch 2)");
    const stored = await database.prisma.checkpoint.findUnique({ where: { runId: heldId } });
    assert.equal(stored?.epochsDone, exploit.fromEpoch, "the copy, not a checkpoint of the run's own epoch 2 over it");
    assert.ok((await loadCheckpoint(database.prisma, heldId))?.equals((await loadCheckpoint(database.prisma, donor.id))!), "the donor's checkpoint, byte for byte");

    const resumed = await call(state.api.url, `/api/sweeps/${sweepId}/resume`, { method: "POST" });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    await waitFor("the sweep to complete", async () => (await database.prisma.sweep.findUnique({ where: { id: sweepId } }))?.status === "completed", 120_000);
    const runs = await getSweepRuns(database.prisma, sweepId);
    assert.deepEqual(runs.map((run) => [run.status, run.epochs.map((row) => row.epoch)]), [["completed", [1, 2, 3, 4]], ["completed", [1, 2, 3, 4]]]);
    assert.equal((await listPbtDecisions(database.prisma, sweepId)).filter((decision) => decision.action === "exploit").length, 1, "no decision made again on resume");
  });
});

describe("a pbt sweep cancelled just after a run's exploit was applied", { timeout: 180_000 }, () => {
  const state = interruptedSweep("cancel");

  it("ends the run cancelled at the copied epoch with the copied checkpoint, the exploit stored once and applied, nothing trained after it", async () => {
    const { database, sweepId, heldId } = state;
    await waitFor("the sweep's runs to end", async () => (await getSweepRuns(database.prisma, sweepId)).every((run) => run.status === "cancelled"), 120_000);
    const { exploit, held } = await assertExploitApplied(database, sweepId, heldId);
    assert.equal(held.epochsDone, 2);
    const [donor, copier] = await getSweepRuns(database.prisma, sweepId);
    assert.deepEqual(copier.epochs.map((row) => row.epoch), [1, 2]);
    assert.equal((await database.prisma.checkpoint.findUnique({ where: { runId: heldId } }))?.epochsDone, exploit.fromEpoch);
    assert.ok((await loadCheckpoint(database.prisma, heldId))?.equals((await loadCheckpoint(database.prisma, donor.id))!), "the copy stays the run's checkpoint: nothing written over it");
    assert.equal((await database.prisma.sweep.findUnique({ where: { id: sweepId } }))?.status, "cancelled");
  });
});
