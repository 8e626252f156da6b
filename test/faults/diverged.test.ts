// Fault: a run whose loss becomes NaN ends as diverged, and the sweep goes on.
//
// No configuration the API accepts makes a tiny training diverge reliably (lr 1 with b1 0, either
// variant, stays finite over 2 epochs on 128 digits: checked), and IDX pixels are bytes, so data
// files cannot carry a NaN. So the NaN is injected where it is honest to: the training data of one
// run of the sweep, handed to the real worker (TrainingWorker in this process, real BullMQ on Redis,
// real PostgreSQL, real training on the wasm backend) through its datasets option. Everything after
// the data, from the trainer's finiteness check to the run's final status, is the production path.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { initBackend } from "../../libs/backends/index.ts";
import type { DataSplit } from "../../libs/data/index.ts";
import { openDatabase, type Database } from "../../libs/db/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import type { TrainingConfig } from "../../libs/sgan/index.ts";
import { DatasetCache, TrainingWorker } from "../../libs/worker/index.ts";
import { poisoned } from "../sgan/helpers.ts";
import { api, ownDatabaseUrl, postSweep, tinySweep, waitFor } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_nan");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const POISONED_LR = 5e-4;

/** The real data, except that the run with POISONED_LR gets a NaN in its first training image. */
class PoisoningCache extends DatasetCache {
  override get(config: Pick<TrainingConfig, "dataset" | "imgSize" | "limit">): Promise<DataSplit> {
    const split = super.get(config);
    return (config as TrainingConfig).lr === POISONED_LR ? split.then(poisoned) : split;
  }
}

describe("fault: a run whose loss becomes NaN", () => {
  let stack: RunningApi;
  let database: Database;
  let worker: TrainingWorker;
  const queueName = `faults-nan-${randomBytes(4).toString("hex")}`;

  before(async () => {
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
    await stack.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
    database = await openDatabase(DATABASE_URL);
    worker = new TrainingWorker({
      db: database.prisma,
      redisUrl: REDIS_URL,
      queueName,
      backend: await initBackend("wasm", { threads: 1 }),
      log: createLogger("faults-worker"),
      datasets: new PoisoningCache(),
      lockDurationMs: 10_000,
    });
    await worker.start();
  });
  after(async () => {
    await worker?.stop();
    await database?.close();
    await stack?.close();
  });

  it("ends as diverged (not failed, not retried) while the sweep's other runs complete", async () => {
    const submitted = await postSweep(stack.url, tinySweep("faults-nan", [1e-4, POISONED_LR, 1e-3], 2, 64));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id;
    // The training shares this process's event loop with the API: a poll may be refused now and then.
    const done = await waitFor("the sweep to finish", async () => {
      const sweep = (await api(stack.url, `/api/sweeps/${sweepId}`).catch(() => null))?.body;
      return sweep?.status === "completed" && sweep;
    }, 180_000);
    assert.deepEqual(done.counts, { queued: 0, running: 0, completed: 2, failed: 0, cancelled: 0, diverged: 1, pruned: 0 });
    const bad = done.runs.find((run: { params: { lr: number } }) => run.params.lr === POISONED_LR);
    const details = (await api(stack.url, `/api/runs/${bad.id}`)).body;
    const metrics = (await api(stack.url, `/api/runs/${bad.id}/metrics`)).body;
    console.log(`# diverged: run ${bad.id}: status ${details.status}, divergedEpoch ${details.divergedEpoch}, error "${details.error}", attempts ${details.attempts}, epochs ${metrics.epochs.length}; sweep ${done.status} with counts ${JSON.stringify(done.counts)}`);
    assert.equal(details.status, "diverged");
    assert.equal(details.divergedEpoch, 1);
    assert.match(details.error, /non-finite (d|g)_loss/);
    assert.equal(details.attempts, 1, "a diverged run is final: not retried");
    assert.deepEqual(details.events.map((e: { status: string }) => e.status), ["queued", "running", "diverged"]);
    for (const run of done.runs.filter((r: { id: string }) => r.id !== bad.id)) {
      const epochs = (await api(stack.url, `/api/runs/${run.id}/metrics`)).body.epochs;
      assert.deepEqual(epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
    }
  });
});
