// A pbt sweep trained by the real worker (TrainingWorker, BullMQ on Redis, PostgreSQL, wasm): the
// run below the quantile at a decision point copies the better run's checkpoint and trains on from it
// with its new config. To make the copy certain the test holds the second run's data back until the
// first has checkpointed past the first decision point (a real population starts unevenly too), and
// gives it a learning rate too small to learn in two epochs, so that its discriminator's loss, the
// objective, is the worse one there.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { initBackend } from "../../libs/backends/index.ts";
import type { DataSplit } from "../../libs/data/index.ts";
import { getRun, getSweepRuns, listPbtDecisions, loadCheckpoint, openDatabase, resolveDatabaseUrl, type Database, type RunWithEpochs } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import type { BestResponse, LineageResponse } from "../../libs/results/index.ts";
import type { EpochMetrics, TrainingConfig } from "../../libs/sgan/index.ts";
import { parseSweepConfig, planSweep } from "../../libs/sweep/index.ts";
import { DatasetCache, TrainingWorker } from "../../libs/worker/index.ts";
import { PbtJudge } from "../../libs/worker/pbt.ts";
import { epochRow } from "../../libs/worker/run-processor.ts";
import { SweepConfigs } from "../../libs/worker/sweep-configs.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "../api/helpers.ts";
import { runSweepsCli } from "../support/sweeps-cli.ts";
import { waitFor } from "../support/wait-for.ts";
import { DONOR_LR, HELD_LR, heldPopulation } from "./pbt-population.ts";

const DATABASE = `sgan_worker_pbt_test_${process.pid}`;
const EPOCHS = 6;
const PBT_SWEEP = heldPopulation("pbt-worker", EPOCHS);

/** `npm run train -- ARGS` as a person runs it. */
function trainCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/cli/train.ts", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

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

/** Run `index`'s schedule exported by `sweeps lineage --replay` and trained from scratch by `npm run train --config`: its epoch rows. */
async function replayed(apiUrl: string, sweepId: string, index: number, expected: unknown): Promise<Array<ReturnType<typeof epochRow>>> {
  const dir = await mkdtemp(join(tmpdir(), "pbt-replay-"));
  try {
    const exported = await runSweepsCli(["lineage", sweepId, "--replay", `#${index}`], { env: { SWEEPS_API_URL: apiUrl } });
    assert.deepEqual(JSON.parse(exported.stdout), expected, exported.stderr);
    await writeFile(join(dir, "replay.json"), exported.stdout);
    const trained = await trainCli(["--config", join(dir, "replay.json"), "--backend", "wasm", "--threads", "1", "--out", join(dir, "run")]);
    assert.equal(trained.code, 0, trained.stderr);
    const lines = (await readFile(join(dir, "run", "metrics.jsonl"), "utf8")).trim().split("\n");
    return lines.map((line) => epochRow(JSON.parse(line) as EpochMetrics));
  } finally {
    await rm(dir, { recursive: true, force: true });
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

  it("has the worse run copy the better one's checkpoint and train on with the donor's config and explore's lr, its own epoch rows kept", async () => {
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

    // A second exploit at epoch 4 can follow when the first copy was of epoch 2 or 3.
    const own = decisions.filter((decision) => decision.runId === held.id && decision.action === "exploit");
    const copied = (epoch: number) => own.some((decision) => epoch > decision.epoch && epoch <= decision.fromEpoch!);
    assert.deepEqual(held.epochs.map((row) => row.epoch), Array.from({ length: EPOCHS }, (_, i) => i + 1).filter((epoch) => !copied(epoch)), "the epochs a copy holds are the donor's rows, not the run's");
    for (const epoch of [1, 2]) {
      assert.notEqual(held.epochs[epoch - 1].dLossMean, donor.epochs[epoch - 1].dLossMean, `epoch ${epoch} is the run's own row`);
    }
    // The donor's config, seed included, with explore's change of lr; the run trains on its last exploit's.
    const [change] = exploit.changes as Array<{ field: string; to: number }>;
    assert.equal(change.field, "lr");
    assert.notEqual(change.to, DONOR_LR, "explore moved the copied lr");
    assert.deepEqual(exploit.params, { ...(donor.params as TrainingConfig), lr: change.to });
    assert.deepEqual(held.params, own.at(-1)!.params);
    const planned = planSweep(parseSweepConfig(PBT_SWEEP));
    assert.deepEqual(runs.map((run) => run.configKey), planned.map((run) => run.configKey), "a run's configKey stays its origin, the configuration drawn at submit");
    const events = (await getRun(database.prisma, held.id))!.events.map((event) => event.message ?? "");
    assert.ok(events.some((message) => message.startsWith(`pbt: copied run #${donor.index} as of epoch ${fromEpoch}`)), events.join("\n"));
  });

  it("serves the lineage: the copying run's schedule (the donor's epochs, then its own with explore's lr), whose exported config replays its every epoch", async () => {
    const [donor, held] = runs;
    const { status, body } = await call(api.url, `/api/sweeps/${sweepId}/lineage`);
    assert.equal(status, 200, JSON.stringify(body));
    const lineage = body as LineageResponse;
    assert.deepEqual(lineage.perturb, ["lr"]);
    const exploits = lineage.decisions.filter((decision) => decision.action === "exploit");
    const [exploit] = exploits;
    assert.deepEqual([exploit.runIndex, exploit.epoch, exploit.fromRunIndex], [1, 2, 0]);
    // The weights come from the run's last copy (a second one can follow at epoch 4 after a copy of epoch 2 or 3).
    const last = exploits.at(-1)!;
    assert.deepEqual(lineage.decisions.map((decision) => decision.runId).sort(), (await listPbtDecisions(database.prisma, sweepId)).map((decision) => decision.runId).sort());
    const fromEpoch = last.fromEpoch!;
    const [{ to }] = last.changes as Array<{ to: number }>;
    const scheduleOf = (run: { id: string }) => lineage.runs.find((entry) => entry.id === run.id)!.schedule;
    const segments = (run: { id: string }) => scheduleOf(run).map((s) => [s.firstEpoch, s.lastEpoch, s.trainedBy.index, s.values]);
    assert.deepEqual(segments(held)[0], [1, fromEpoch, 0, { lr: DONOR_LR }], "the donor's epochs first");
    assert.deepEqual(segments(held)[1].slice(0, 4), [fromEpoch + 1, segments(held)[1][1], 1, { lr: to }], "then its own, with explore's lr");
    assert.deepEqual(segments(held).at(-1)!.slice(1, 2), [EPOCHS]);
    assert.deepEqual(segments(donor), [[1, EPOCHS, 0, { lr: DONOR_LR }]]);

    // Its schedule as one ordinary run, trained from scratch by `npm run train --config`: every epoch as the run that trained it.
    const { replay } = lineage.runs.find((run) => run.id === held.id)!;
    assert.deepEqual({ ...replay, schedule: undefined }, { ...(donor.params as TrainingConfig), schedule: undefined });
    assert.deepEqual(replay.schedule?.[0], { epoch: fromEpoch + 1, lr: to });
    const replayedEpochs = (index: number) => replayed(api.url, sweepId, index, lineage.runs.find((run) => run.index === index)!.replay);
    const rowsOf = new Map([donor, held].map((run) => [run.index, new Map(run.epochs.map((row) => [row.epoch, row]))]));
    /** The rows of the runs that trained each epoch of `run`'s weights, as its schedule says. */
    const trainedBy = (run: { id: string }) =>
      Array.from({ length: EPOCHS }, (_, i) => {
        const segment = scheduleOf(run).find((s) => s.firstEpoch <= i + 1 && i + 1 <= s.lastEpoch)!;
        return rowsOf.get(segment.trainedBy.index)!.get(i + 1)!;
      });
    const heldReplay = await replayedEpochs(held.index);
    assert.deepEqual(heldReplay.map(lossesOf), trainedBy(held).map(lossesOf), "every epoch of the copying run's weights, its final metrics included");
    // And the sweep's best run by its objective, whichever it is (when it is the copying run, the replay above).
    const best = (await call(api.url, `/api/sweeps/${sweepId}/best?limit=1`)).body as BestResponse;
    const bestRun = runs.find((run) => run.id === best.runs.entries[0]?.id)!;
    assert.ok(bestRun, JSON.stringify(best.runs));
    console.log(`# the best run by dLoss: #${bestRun.index}`);
    const bestReplay = bestRun.id === held.id ? heldReplay : await replayedEpochs(bestRun.index);
    assert.deepEqual(bestReplay.map(lossesOf).at(-1), trainedBy(bestRun).map(lossesOf).at(-1), `the best run's (#${bestRun.index}) final metrics`);
    const unreadable = await trainCli(["--config", "/nonexistent/missing.yaml", "--backend", "wasm"]);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /- --config: cannot read .*missing\.yaml: ENOENT/);

    const cli = await runSweepsCli(["lineage", sweepId], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(cli.code, 0, cli.stderr);
    console.log(cli.stdout.replace(/^/gm, "# "));
    assert.ok(cli.stdout.startsWith(`pbt sweep ${sweepId}: perturbs lr; 2 runs, ${lineage.decisions.length} decisions, ${exploits.length} exploits\n`), cli.stdout);
    const lr = (value: number) => ({ [DONOR_LR]: "2e-3", [HELD_LR]: "1e-6", 4e-3: "4e-3" })[value];
    const [{ to: firstTo }] = exploit.changes as Array<{ to: number }>;
    assert.match(cli.stdout, new RegExp(`\\n    2  #1   #0 as of ${exploit.fromEpoch}  lr 2e-3 -> ${lr(firstTo)} \\((shift (left|right)(, at the end: unchanged)?|x[\\d.]+(, clamped to the range)?|resampled)\\)\\n`), "the exploit's row, with how explore moved lr");
    const range = (first: number, last: number) => (first === last ? `${first}` : `${first}-${last}`);
    const shownSchedule = scheduleOf(held).map((s) => `${range(s.firstEpoch, s.lastEpoch)} #${s.trainedBy.index} lr ${lr(s.values.lr!)}`).join(" | ");
    assert.ok(cli.stdout.includes(`\n#1   completed       6  ${shownSchedule}\n`), "the copying run's schedule");
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
    const noSuchRun = await runSweepsCli(["lineage", sweepId, "--replay", "7"], { env: { SWEEPS_API_URL: api.url } });
    assert.equal(noSuchRun.code, 2);
    assert.match(noSuchRun.stderr, /--replay 7: no such run in sweep .*; give its index \(0 to 1\) or its id/);
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
