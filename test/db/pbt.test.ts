import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  deleteSweep,
  getRun,
  listPbtDecisions,
  loadBestCheckpoint,
  loadCheckpoint,
  PbtDecisionError,
  recordPbtDecision,
  registerWorker,
  RunOwnershipLostError,
  saveCheckpoint,
  startRun,
  type PbtState,
  type PbtStep,
  type Run,
} from "../../libs/db/index.ts";
import { createSweep, createTestDatabase, type TestDatabase } from "./helpers.ts";

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("pbt decisions", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("pbt");
    for (const id of ["w1", "w2"]) {
      await registerWorker(t.prisma, { id, host: "test", pid: 1, backend: "wasm", device: "cpu", concurrency: 1, queue: "runs" });
    }
  });
  after(() => t.drop());

  /** Three runs: run 0 on w1 at epoch 2 (best epoch 1), run 1 at epoch 3, run 2 without a checkpoint. */
  async function population(): Promise<Run[]> {
    const { runs } = await createSweep(t.prisma, 3);
    await startRun(t.prisma, runs[0].id, "w1", "wasm", "cpu");
    await saveCheckpoint(t.prisma, runs[0].id, 1, Buffer.from("run 0, epoch 1"), "w1", { best: true });
    await saveCheckpoint(t.prisma, runs[0].id, 2, Buffer.from("run 0, epoch 2"), "w1");
    await saveCheckpoint(t.prisma, runs[1].id, 3, Buffer.from("run 1, epoch 3"));
    return runs;
  }

  const CHANGES = [{ field: "lr", from: 0.0002, to: 0.00024, operation: { kind: "multiply", factor: 1.2, clamped: false } }];
  const exploitFrom = (donor: Run, fromEpoch: number): Extract<PbtStep, { action: "exploit" }> => ({
    action: "exploit",
    fromRunId: donor.id,
    fromEpoch,
    changes: CHANGES,
    run: { params: { lr: 0.00024, batchSize: 32, seed: 1 }, batchSize: 32, lr: 0.00024, seed: 1, variant: "reference" },
    reason: "rank 3 of 3, in the bottom 1: copies run #1",
  });

  it("applies an exploit: the donor's checkpoint becomes the run's, its config is replaced, its best checkpoint stays its own", async () => {
    const runs = await population();
    let seen: PbtState | undefined;
    const result = await recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, (state) => {
      seen = state;
      return exploitFrom(runs[1], 3);
    }, "w1");
    assert.equal(result?.applied, true);
    assert.deepEqual(seen?.runs.map((run) => run.index), [0, 1, 2]);
    assert.deepEqual([...(seen?.checkpointEpochs ?? [])].sort(), [[runs[0].id, 2], [runs[1].id, 3]].sort());
    assert.equal((await loadCheckpoint(t.prisma, runs[0].id))?.toString(), "run 1, epoch 3");
    assert.equal((await loadBestCheckpoint(t.prisma, runs[0].id))?.data.toString(), "run 0, epoch 1");
    assert.equal((await loadCheckpoint(t.prisma, runs[1].id))?.toString(), "run 1, epoch 3", "the donor keeps its own");
    const stored = await getRun(t.prisma, runs[0].id);
    assert.deepEqual(stored?.params, { lr: 0.00024, batchSize: 32, seed: 1 });
    assert.deepEqual([stored?.lr, stored?.batchSize, stored?.seed, stored?.epochsDone, stored?.status], [0.00024, 32, 1, 3, "running"]);
    assert.match(stored?.events.at(-1)?.message ?? "", /^pbt: copied run #1 as of epoch 3: rank 3 of 3/);
    const [lineage] = await listPbtDecisions(t.prisma, runs[0].sweepId);
    assert.deepEqual(
      { action: lineage.action, runId: lineage.runId, epoch: lineage.epoch, fromRunId: lineage.fromRunId, fromEpoch: lineage.fromEpoch },
      { action: "exploit", runId: runs[0].id, epoch: 2, fromRunId: runs[1].id, fromEpoch: 3 },
    );
    assert.deepEqual(lineage.changes, CHANGES);
    assert.deepEqual(lineage.params, { lr: 0.00024, batchSize: 32, seed: 1 });
    assert.deepEqual(lineage.previousParams, runs[0].params, "the run's config until the copy, which its row no longer holds");
  });

  it("decides each (run, epoch) once: asked again it returns the stored decision and applies nothing, even when two ask at once", async () => {
    const runs = await population();
    let calls = 0;
    const decide = () => {
      calls++;
      return exploitFrom(runs[1], 3);
    };
    const both = await Promise.all([1, 2].map(() => recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, decide, "w1")));
    assert.deepEqual(both.map((result) => result?.applied).sort(), [false, true]);
    assert.equal(both[0]?.decision.id, both[1]?.decision.id);
    assert.equal(calls, 1);
    // The run trains on from the copy; a replay of the same boundary after a crash changes nothing.
    await saveCheckpoint(t.prisma, runs[0].id, 4, Buffer.from("run 0, epoch 4"), "w1");
    const again = await recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, decide, "w1");
    assert.equal(again?.applied, false);
    assert.equal(calls, 1);
    assert.equal((await loadCheckpoint(t.prisma, runs[0].id))?.toString(), "run 0, epoch 4");
    assert.equal((await listPbtDecisions(t.prisma, runs[0].sweepId)).length, 1);
  });

  it("stores a continue without touching the run", async () => {
    const runs = await population();
    const result = await recordPbtDecision(t.prisma, { runId: runs[1].id, epoch: 2 }, () => ({ action: "continue", reason: "rank 1 of 3: not in the bottom 1" }));
    assert.equal(result?.applied, true);
    assert.deepEqual([result?.decision.action, result?.decision.fromRunId, result?.decision.params], ["continue", null, null]);
    assert.equal((await loadCheckpoint(t.prisma, runs[1].id))?.toString(), "run 1, epoch 3");
    assert.equal((await getRun(t.prisma, runs[1].id))?.events.length, 1, "no event beyond queued");
  });

  it("refuses, storing nothing, a worker that lost the run and exploits the population does not allow", async () => {
    const runs = await population();
    await assert.rejects(
      recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, () => exploitFrom(runs[1], 3), "w2"),
      (error: Error) => error instanceof RunOwnershipLostError && error.owner?.workerId === "w1",
    );
    const refusals: Array<[PbtStep, RegExp]> = [
      [exploitFrom(runs[1], 2), /checkpoint holds epoch 3, not fromEpoch 2/],
      [exploitFrom(runs[2], 3), /checkpoint holds epoch none/],
      [exploitFrom(runs[0], 2), /cannot copy itself/],
      [{ ...exploitFrom(runs[1], 3), fromRunId: MISSING }, /is not in the sweep/],
    ];
    for (const [step, message] of refusals) {
      await assert.rejects(recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, () => step, "w1"), (error: Error) => error instanceof PbtDecisionError && message.test(error.message));
    }
    // A donor behind the decided epoch would make the run train recorded epochs again.
    await assert.rejects(recordPbtDecision(t.prisma, { runId: runs[1].id, epoch: 4 }, () => exploitFrom(runs[0], 2)), /not fromEpoch 2 at or after epoch 4/);
    assert.deepEqual(await listPbtDecisions(t.prisma, runs[0].sweepId), []);
    assert.equal((await loadCheckpoint(t.prisma, runs[0].id))?.toString(), "run 0, epoch 2");
    assert.equal(await recordPbtDecision(t.prisma, { runId: MISSING, epoch: 2 }, () => exploitFrom(runs[1], 3)), null);
    assert.equal(await recordPbtDecision(t.prisma, { runId: "not-a-uuid", epoch: 2 }, () => exploitFrom(runs[1], 3)), null);
  });

  it("deletes a sweep's decisions with it", async () => {
    const runs = await population();
    await recordPbtDecision(t.prisma, { runId: runs[0].id, epoch: 2 }, () => exploitFrom(runs[1], 3), "w1");
    await deleteSweep(t.prisma, runs[0].sweepId);
    assert.equal(await t.prisma.pbtDecision.count({ where: { sweepId: runs[0].sweepId } }), 0);
  });
});
