// Runs alone in the suite (test/suite.sh): the kills are timed against job locks.
// The study loop end to end: a tpe + asha sweep on the real API (a process of its own), PostgreSQL,
// Redis and two worker processes. Trials are asked as runs end, losing ones are pruned, and killing
// the API and a worker mid-study changes nothing in the result's accounting: every trial of the
// budget is asked once, each trains once to its end or its pruning.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { api, freePort, ownDatabaseUrl, postSweep, spawnWorker, waitFor, type WorkerProcess } from "../faults/helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATABASE_URL = ownDatabaseUrl("sgan_e2e_study");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TRIALS = 8;

const STUDY = {
  name: "study-e2e",
  strategy: "tpe",
  seed: 11,
  trials: TRIALS,
  parallelism: 2,
  fixed: { epochs: 3, dataset: "mnist", imgSize: 28, limit: 256 },
  parameters: { lr: { loguniform: [1e-5, 5e-2] }, batchSize: { choice: [16, 32] } },
  pruner: { kind: "asha", minEpochs: 1, reductionFactor: 2 },
};

/** The API as its own process (apps/api/main.ts), so that it can be SIGKILLed like a crashed one. */
class ApiProcess {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ["--import", "tsx", "apps/api/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL, REDIS_URL, SGAN_QUEUE_BACKEND: "redis", PORT: String(this.port), LOG_LEVEL: "warn" },
      stdio: "ignore",
    });
    await waitFor("the API to answer", async () => (await fetch(`${this.url}/healthz`).catch(() => null))?.ok, 60_000);
  }

  kill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    return exited.then(() => undefined);
  }
}

describe("the study loop: tpe + asha on two workers, the API and a worker killed mid-study", () => {
  let apiProcess: ApiProcess;
  const workers: WorkerProcess[] = [];
  const worker = () => {
    const started = spawnWorker({ queueName: "sgan-runs", databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, args: ["--lock-ms", "10000"] });
    workers.push(started);
    return started;
  };

  before(async () => {
    apiProcess = new ApiProcess(await freePort());
    await apiProcess.start();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`TRUNCATE "Sweep", "Worker" CASCADE`);
    await client.end();
  });
  after(async () => {
    for (const started of workers) started.child.kill("SIGKILL");
    await apiProcess?.kill().catch(() => undefined);
  });

  it("asks every trial of the budget once, prunes some, and survives the kills", async () => {
    const first = worker();
    worker();
    const submitted = await postSweep(apiProcess.url, STUDY);
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId: string = submitted.body.sweep.id;
    assert.equal(submitted.body.runs.length, 2, "the first wave: parallelism trials");
    const sweep = async () => (await api(apiProcess.url, `/api/sweeps/${sweepId}`)).body;

    const midway = await waitFor("three trials to end", async () => {
      const current = await sweep();
      const ended = current.runs.filter((run: { status: string }) => run.status === "completed" || run.status === "pruned");
      return ended.length >= 3 && current;
    }, 180_000);
    assert.ok(midway.runs.length > 2, "trials were asked as runs ended");

    // A crash of both: the API (SIGKILL: no shutdown) and a worker mid-training.
    await apiProcess.kill();
    first.child.kill("SIGKILL");
    await first.exited;
    await apiProcess.start();
    worker();

    const done = await waitFor("the study to complete", async () => {
      const current = await sweep();
      return current.status === "completed" && current;
    }, 300_000);
    const runs = done.runs as Array<{ id: string; index: number; configKey: string; status: string; epochsDone: number; prunedReason: string | null }>;
    const byStatus = Object.fromEntries(["completed", "pruned"].map((status) => [status, runs.filter((run) => run.status === status).length]));
    console.log(`# study: ${runs.length} runs, ${byStatus.completed} completed, ${byStatus.pruned} pruned; epochs ${runs.map((run) => run.epochsDone).join(",")}`);

    assert.equal(runs.length, TRIALS, "one run per trial (repeats 1): no trial asked twice, none lost");
    assert.equal(new Set(runs.map((run) => run.configKey)).size, TRIALS, "every trial a configuration of its own");
    assert.deepEqual(runs.map((run) => run.index).sort((a, b) => a - b), Array.from({ length: TRIALS }, (_, i) => i));
    assert.equal(byStatus.completed + byStatus.pruned, TRIALS, JSON.stringify(runs.map((run) => run.status)));
    assert.ok(byStatus.pruned >= 1, "asha pruned a losing trial");
    for (const run of runs.filter((candidate) => candidate.status === "pruned")) {
      assert.ok(run.epochsDone < STUDY.fixed.epochs, `pruned run #${run.index} stopped early`);
      assert.match(run.prunedReason ?? "", /rung|reduction|top/i);
    }
    for (const run of runs.filter((candidate) => candidate.status === "completed")) assert.equal(run.epochsDone, STUDY.fixed.epochs);
    for (const run of runs) {
      const metrics = (await api(apiProcess.url, `/api/runs/${run.id}/metrics`)).body;
      assert.deepEqual(metrics.epochs.map((row: { epoch: number }) => row.epoch), Array.from({ length: run.epochsDone }, (_, i) => i + 1), `run #${run.index}: each epoch once`);
    }
  });
});
