// A pbt sweep with fewer training slots than members (one worker, one slot, a population of 2), on
// either queue backend: the run that reaches the boundary first hands its slot to the member queued
// behind it, which then finds a donor at that boundary to copy. Before the yield, the first run
// trained to its last epoch before the second started, and a finished run is never copied: no exploit.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import { getSweepRuns, listPbtDecisions, openDatabase, resolveDatabaseUrl, type Database, type PbtDecision, type RunWithEpochs } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl, type QueueBackendKind } from "../../libs/queue/index.ts";
import { DatasetCache, TrainingWorker } from "../../libs/worker/index.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "../api/helpers.ts";
import { waitFor } from "../support/wait-for.ts";
import { DONOR_LR, HELD_LR, heldPopulation } from "./pbt-population.ts";

const PBT_SWEEP = heldPopulation("pbt-one-slot", 4);

for (const queue of ["redis", "postgres"] as const satisfies readonly QueueBackendKind[]) {
  describe(`pbt with one training slot for a population of 2 (${queue} queue)`, { timeout: 180_000 }, () => {
    const DATABASE = `sgan_worker_pbt_slots_${queue}_${process.pid}`;
    let api: TestApi;
    let database: Database;
    let worker: TrainingWorker;
    let runs: RunWithEpochs[];
    let decisions: PbtDecision[];
    let events: Map<string, string[]>;

    before(async () => {
      api = await startTestApi(DATABASE, {}, {}, queue);
      const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
      database = await openDatabase(databaseUrl);
      worker = new TrainingWorker({
        db: database.prisma,
        ...(queue === "redis" ? { redisUrl: redisUrl() } : { queueBackend: { kind: "postgres" as const, databaseUrl } }),
        queueName: api.ctx.queue.queue.name,
        backend: await initBackend("wasm", { threads: 1 }),
        log: createLogger(`worker-pbt-slots-${queue}`),
        datasets: new DatasetCache(),
        concurrency: 1,
      });
      await worker.start();
      const submitted = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(PBT_SWEEP) });
      assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
      const sweepId: string = submitted.body.sweep.id;
      await waitFor("the sweep to complete", async () => (await database.prisma.sweep.findUnique({ where: { id: sweepId } }))?.status === "completed", 150_000);
      runs = await getSweepRuns(database.prisma, sweepId);
      decisions = await listPbtDecisions(database.prisma, sweepId);
      const logged = await database.prisma.runEvent.findMany({ where: { runId: { in: runs.map((run) => run.id) } }, orderBy: { at: "asc" } });
      events = new Map(runs.map((run) => [run.id, logged.filter((event) => event.runId === run.id).map((event) => event.message ?? "")]));
    });

    after(async () => {
      await worker?.stop();
      await database?.close();
      await api?.close();
      await dropTestDatabase(DATABASE);
    });

    it("has the first run hand its slot back at the boundary, checkpointed, while the other is queued with no epochs", () => {
      const [first, second] = runs;
      assert.deepEqual(runs.map((run) => run.status), ["completed", "completed"]);
      assert.deepEqual([first.lr, second.lr], [DONOR_LR, HELD_LR]);
      const handedBack = events.get(first.id)!.filter((message) => message.startsWith("pbt: checkpointed at epoch 2, slot handed to 1 member(s)"));
      assert.equal(handedBack.length, 1, events.get(first.id)!.join("\n"));
      assert.ok(!events.get(second.id)!.some((message) => message.includes("slot handed")), "the second run had no one behind it");
      // The first run's epochs 3 and 4 came after the second's first two: the population reached epoch 2 together.
      const at = (run: RunWithEpochs, epoch: number) => run.epochs.find((row) => row.epoch === epoch)!.createdAt.getTime();
      assert.deepEqual(first.epochs.map((row) => row.epoch), [1, 2, 3, 4], "the first run resumed from its own checkpoint at epoch 2");
      assert.ok(at(second, 2) < at(first, 3), "the second run reached the boundary before the first trained on");
    });

    it("has the second run copy the first at the boundary, which the first's yield left copyable", () => {
      const [first, second] = runs;
      console.log(`# decisions: ${decisions.map((decision) => `run #${decision.runId === first.id ? 0 : 1} epoch ${decision.epoch}: ${decision.action} (${decision.reason})`).join("; ")}`);
      const exploit = decisions.find((decision) => decision.action === "exploit");
      assert.ok(exploit, "the held run exploits");
      assert.deepEqual([exploit.runId, exploit.epoch, exploit.fromRunId, exploit.fromEpoch], [second.id, 2, first.id, 2]);
      assert.ok(decisions.some((decision) => decision.runId === first.id && decision.epoch === 2 && decision.action === "continue"));
      assert.deepEqual(second.epochs.map((row) => row.epoch), [1, 2, 3, 4], "a copy of epoch 2 at epoch 2 leaves the run all its own rows");
      assert.ok(events.get(second.id)!.some((message) => message.startsWith("pbt: copied run #0 as of epoch 2")), events.get(second.id)!.join("\n"));
    });
  });
}
