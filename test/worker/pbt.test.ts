// A pbt sweep trained by the real worker (TrainingWorker, BullMQ on Redis, PostgreSQL, wasm): the
// run below the quantile at a decision point copies the better run's checkpoint and trains on from it
// with its new config. To make the copy certain the test holds the second run's data back until the
// first has checkpointed past the first decision point (a real population starts unevenly too), and
// gives it a learning rate too small to learn in two epochs, so that its discriminator's loss, the
// objective, is the worse one there.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import type { DataSplit } from "../../libs/data/index.ts";
import { getRun, getSweepRuns, listPbtDecisions, loadCheckpoint, openDatabase, resolveDatabaseUrl, type Database, type RunWithEpochs } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import type { LineageResponse } from "../../libs/results/index.ts";
import { SganTrainer, type TrainingConfig } from "../../libs/sgan/index.ts";
import { parseSweepConfig, planSweep } from "../../libs/sweep/index.ts";
import { DatasetCache, TrainingWorker } from "../../libs/worker/index.ts";
import { PbtJudge } from "../../libs/worker/pbt.ts";
import { epochRow } from "../../libs/worker/run-processor.ts";
import { SweepConfigs } from "../../libs/worker/sweep-configs.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "../api/helpers.ts";
import { runSweepsCli } from "../support/sweeps-cli.ts";
import { waitFor } from "../support/wait-for.ts";

const DATABASE = `sgan_worker_pbt_test_${process.pid}`;
const DONOR_LR = 2e-3;
const HELD_LR = 1e-6;
const EPOCHS = 6;

const PBT_SWEEP = {
  name: "pbt-worker",
  strategy: "pbt",
  // Seed 10 draws DONOR_LR and HELD_LR for the population; explore moves the copied DONOR_LR one place, to 1e-6 or 4e-3.
  seed: 10,
  pbt: { population: 2, interval: 2, resampleProbability: 0 },
  fixed: { epochs: EPOCHS, dataset: "mnist", imgSize: 28, limit: 64 },
  parameters: { batchSize: 32, lr: { choice: [HELD_LR, DONOR_LR, 4e-3] } },
  // The discriminator's loss, not the held-out accuracy of 16 images: at lr 1e-6 it stays where it started.
  objective: { metric: "dLoss" },
};

/** The real data; the run with HELD_LR gets it once `opened` resolves. */
class HoldingCache extends DatasetCache {
  constructor(private readonly opened: () => Promise<unknown>) {
    super();
  }

  override async get(config: Pick<TrainingConfig, "dataset" | "imgSize" | "limit">, signal?: AbortSignal): Promise<DataSplit> {
    if ((config as TrainingConfig).lr === HELD_LR) await this.opened();
    return super.get(config, signal);
  }
}

const lossesOf = (row: { epoch: number; dLossMean: number; gLossMean: number; testAccuracy: number | null }) => ({
  epoch: row.epoch,
  dLossMean: row.dLossMean,
  gLossMean: row.gLossMean,
  testAccuracy: row.testAccuracy,
});

describe("pbt in the worker", { timeout: 180_000 }, () => {
  let api: TestApi;
  let database: Database;
  let worker: TrainingWorker;
  let sweepId: string;
  let runs: RunWithEpochs[];

  before(async () => {
    api = await startTestApi(DATABASE);
    database = await openDatabase(withDatabase(resolveDatabaseUrl(), DATABASE));
    const donorCheckpointed = () =>
      waitFor("the first run's checkpoint past epoch 2", async () => (await database.prisma.checkpoint.findFirst({ where: { epochsDone: { gte: 2 } } })) !== null, 120_000);
    worker = new TrainingWorker({
      db: database.prisma,
      redisUrl: redisUrl(),
      queueName: api.ctx.queue.queue.name,
      backend: await initBackend("wasm", { threads: 1 }),
      log: createLogger("worker-pbt-test"),
      datasets: new HoldingCache(donorCheckpointed),
      concurrency: 2,
    });
    await worker.start();
    const submitted = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(PBT_SWEEP) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    sweepId = submitted.body.sweep.id;
    // Polled in PostgreSQL: the trainings share this process's event loop with the API.
    await waitFor("the sweep to complete", async () => (await database.prisma.sweep.findUnique({ where: { id: sweepId } }))?.status === "completed", 150_000);
    runs = await getSweepRuns(database.prisma, sweepId);
  });

  after(async () => {
    await worker?.stop();
    await database?.close();
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  it("has the worse run copy the better one's checkpoint and train on from it with the new config, its own epoch rows kept", async () => {
    const [donor, held] = runs;
    assert.deepEqual(runs.map((run) => run.status), ["completed", "completed"]);
    assert.equal((donor.params as TrainingConfig).lr, DONOR_LR, "run #0 is drawn with DONOR_LR and copies nothing");
    const decisions = await listPbtDecisions(database.prisma, sweepId);
    console.log(`# decisions: ${decisions.map((decision) => `run ${decision.runId === held.id ? "held" : "donor"} epoch ${decision.epoch}: ${decision.action} (${decision.reason})`).join("; ")}`);
    const exploit = decisions.find((decision) => decision.action === "exploit")!;
    assert.ok(exploit, "the held run exploits");
    assert.deepEqual([exploit.runId, exploit.epoch, exploit.fromRunId], [held.id, 2, donor.id]);
    const fromEpoch = exploit.fromEpoch!;
    assert.ok(fromEpoch >= 2 && fromEpoch < EPOCHS, `copied as of epoch ${fromEpoch}`);
    assert.ok(decisions.some((decision) => decision.runId === donor.id && decision.epoch === 2 && decision.action === "continue"));

    const heldEpochs = held.epochs.map((row) => row.epoch);
    assert.deepEqual(heldEpochs.slice(0, 3), [1, 2, fromEpoch + 1], "the epochs the copy holds are the donor's rows, not the run's");
    assert.equal(heldEpochs.at(-1), EPOCHS);
    for (const epoch of [1, 2]) {
      assert.notEqual(held.epochs[epoch - 1].dLossMean, donor.epochs[epoch - 1].dLossMean, `epoch ${epoch} is the run's own row`);
    }
    // The donor's config, seed included, with explore's change of lr.
    const [change] = exploit.changes as Array<{ field: string; to: number }>;
    assert.equal(change.field, "lr");
    assert.notEqual(change.to, DONOR_LR, "explore moved the copied lr");
    assert.deepEqual(held.params, { ...(donor.params as TrainingConfig), lr: change.to });
    assert.deepEqual(exploit.params, held.params);
    const planned = planSweep(parseSweepConfig(PBT_SWEEP));
    assert.deepEqual(runs.map((run) => run.configKey), planned.map((run) => run.configKey), "a run's configKey stays its origin, the configuration drawn at submit");
    const events = (await getRun(database.prisma, held.id))!.events.map((event) => event.message ?? "");
    assert.ok(events.some((message) => message.startsWith(`pbt: copied run #${donor.index} as of epoch ${fromEpoch}`)), events.join("\n"));

    // Replayed here: the donor's first fromEpoch epochs, then one epoch from that checkpoint with the new config.
    const data = await new DatasetCache().get(donor.params as TrainingConfig);
    const replay = SganTrainer.create(donor.params as TrainingConfig, data);
    try {
      for (let epoch = 1; epoch <= fromEpoch; epoch++) {
        const outcome = await replay.trainEpoch();
        assert.equal(outcome.kind, "completed");
        if (outcome.kind === "completed") assert.deepEqual(lossesOf(epochRow(outcome.metrics)), lossesOf(donor.epochs[epoch - 1]), `the donor's epoch ${epoch} replays`);
      }
      const continued = SganTrainer.restore(await replay.checkpoint(), data, held.params as TrainingConfig);
      try {
        const outcome = await continued.trainEpoch();
        assert.ok(outcome.kind === "completed");
        assert.deepEqual(lossesOf(epochRow(outcome.metrics)), lossesOf(held.epochs[2]), `the run's epoch ${fromEpoch + 1} is the copy trained on with lr ${change.to}`);
        assert.notDeepEqual(lossesOf(held.epochs[2]), lossesOf(donor.epochs[fromEpoch]), "not the donor's own next epoch: the new lr is in effect");
      } finally {
        continued.dispose();
      }
    } finally {
      replay.dispose();
    }
  });

  it("serves the lineage: the decisions, and the copying run's schedule as the donor's epochs then its own with explore's lr", async () => {
    const [donor, held] = runs;
    const { status, body } = await call(api.url, `/api/sweeps/${sweepId}/lineage`);
    assert.equal(status, 200, JSON.stringify(body));
    const lineage = body as LineageResponse;
    assert.deepEqual(lineage.perturb, ["lr"]);
    const exploit = lineage.decisions.find((decision) => decision.action === "exploit")!;
    assert.deepEqual([exploit.runIndex, exploit.epoch, exploit.fromRunIndex], [1, 2, 0]);
    assert.deepEqual(lineage.decisions.map((decision) => decision.runId).sort(), (await listPbtDecisions(database.prisma, sweepId)).map((decision) => decision.runId).sort());
    const fromEpoch = exploit.fromEpoch!;
    const [{ to }] = exploit.changes as Array<{ to: number }>;
    const segments = (run: { id: string }) => lineage.runs.find((entry) => entry.id === run.id)!.schedule.map((s) => [s.firstEpoch, s.lastEpoch, s.trainedBy.index, s.values]);
    assert.deepEqual(segments(held), [
      [1, fromEpoch, 0, { lr: DONOR_LR }],
      [fromEpoch + 1, EPOCHS, 1, { lr: to }],
    ]);
    assert.deepEqual(segments(donor), [[1, EPOCHS, 0, { lr: DONOR_LR }]]);

    const cli = await runSweepsCli(["lineage", sweepId], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(cli.code, 0, cli.stderr);
    console.log(cli.stdout.replace(/^/gm, "# "));
    const exploits = lineage.decisions.filter((decision) => decision.action === "exploit").length;
    assert.ok(cli.stdout.startsWith(`pbt sweep ${sweepId}: perturbs lr; 2 runs, ${lineage.decisions.length} decisions, ${exploits} exploits\n`), cli.stdout);
    const lr = (value: number) => ({ [DONOR_LR]: "2e-3", [HELD_LR]: "1e-6", 4e-3: "4e-3" })[value];
    assert.ok(cli.stdout.includes(`\n    2  #1   #0 as of ${fromEpoch}  lr 2e-3 -> ${lr(to)}\n`), "the exploit's row");
    assert.ok(cli.stdout.includes(`\n#1   completed       6  1-${fromEpoch} #0 lr 2e-3 | ${fromEpoch + 1}-${EPOCHS} #1 lr ${lr(to)}\n`), "the copying run's schedule");
    const json = await runSweepsCli(["lineage", sweepId, "--json"], { env: { SWEEPS_API_URL: api.url } });
    assert.deepEqual(JSON.parse(json.stdout), lineage);
    const grid = await call(api.url, "/api/sweeps", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...PBT_SWEEP, strategy: "grid", pbt: undefined, parameters: { batchSize: 32, lr: 1e-3 }, fixed: { ...PBT_SWEEP.fixed, epochs: 1 } }),
    });
    assert.equal(grid.status, 201, JSON.stringify(grid.body));
    const refused = await call(api.url, `/api/sweeps/${grid.body.sweep.id}/lineage`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /is a grid sweep: only a pbt sweep's runs copy each other/);
    const refusedCli = await runSweepsCli(["lineage", grid.body.sweep.id], { env: { SWEEPS_API_URL: api.url } });
    assert.notEqual(refusedCli.code, 0);
    assert.match(refusedCli.stderr, /is a grid sweep: only a pbt sweep's runs copy each other/);
    assert.equal((await call(api.url, "/api/sweeps/00000000-0000-4000-8000-000000000000/lineage")).status, 404);
  });

  it("applies a stored decision no second time when a retried job asks again", async () => {
    const held = runs[1];
    const before = { run: await getRun(database.prisma, held.id), checkpoint: await loadCheckpoint(database.prisma, held.id) };
    const judge = new PbtJudge(database.prisma, new SweepConfigs(database.prisma));
    const again = await judge.decide(sweepId, held.id, 2, "a-worker-retrying-the-job");
    assert.equal(again?.action, "exploit", "the stored decision, returned: the worker trains on from the stored checkpoint");
    const afterwards = await getRun(database.prisma, held.id);
    assert.deepEqual(
      [afterwards?.params, afterwards?.epochsDone, afterwards?.events.length],
      [before.run?.params, before.run?.epochsDone, before.run?.events.length],
    );
    assert.ok((await loadCheckpoint(database.prisma, held.id))?.equals(before.checkpoint!), "its checkpoint is not copied again");
    assert.equal((await listPbtDecisions(database.prisma, sweepId)).filter((decision) => decision.runId === held.id && decision.epoch === 2).length, 1);
  });
});
