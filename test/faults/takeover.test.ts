// Runs alone in the suite (test/suite.sh): the pause is timed against a 10 s job lock.
// Fault: a worker loses its connection (here: paused with SIGSTOP past its job lock) and comes back.
// Another worker has taken the run over meanwhile; the first must notice and stop training it,
// writing nothing over the new owner's epochs, checkpoint or status.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, ownDatabaseUrl, postSweep, spawnWorker, RUN_LONG_ENOUGH, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const DATABASE_URL = ownDatabaseUrl("sgan_faults_takeover");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// Long enough that a busy machine (two trainings on shared cores) never loses a lock by mere
// slowness: only the pause below makes the job stall.
const LOCK = ["--lock-ms", "10000"];

describe("fault: a worker that stalls past its lock and comes back", () => {
  let stack: RunningApi;
  const queueName = `faults-takeover-${randomBytes(4).toString("hex")}`;
  const workers: WorkerProcess[] = [];

  before(async () => {
    stack = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
    await stack.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
  });
  after(async () => {
    for (const worker of workers) {
      worker.child.kill("SIGCONT");
      worker.child.kill("SIGKILL");
    }
    await stack.close();
  });

  it("does not train the run twice at the same time: the paused worker stops once it sees it lost the run", async () => {
    const first = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, args: LOCK });
    workers.push(first);
    const submitted = await postSweep(stack.url, tinySweep("faults-takeover", [2e-4], 2, RUN_LONG_ENOUGH));
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const sweepId = submitted.body.sweep.id;
    const runId = submitted.body.runs[0].id;
    const firstRun = await waitFor("the first worker to train a few batches", async () => {
      const { workers: listed } = (await api(stack.url, "/api/workers")).body;
      return listed.find((w: any) => (w.progress?.[runId]?.batch ?? 0) >= 2 && w.alive);
    });
    const firstId = firstRun.id as string;

    const second = spawnWorker({ queueName, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, args: LOCK });
    workers.push(second);
    await waitFor("the second worker to register", async () => {
      const { workers: listed } = (await api(stack.url, "/api/workers")).body;
      return listed.filter((w: any) => w.alive && w.stoppedAt === null).length >= 2;
    });

    const pausedAt = Date.now();
    first.child.kill("SIGSTOP");
    const takenOver = await waitFor("the second worker to take the run over", async () => {
      const run = (await api(stack.url, `/api/runs/${runId}`)).body;
      return run.status === "running" && run.workerId && run.workerId !== firstId && run.attempts === 2 && run;
    }, 60_000);
    const takeoverMs = Date.now() - pausedAt;
    const epochsAtTakeover = (await api(stack.url, `/api/runs/${runId}/metrics`)).body.epochs.length;

    first.child.kill("SIGCONT");
    const resumedAt = Date.now();
    await waitFor("the first worker to notice it lost the run", async () => /lost the run to another worker/.test(first.output()), 60_000);
    const noticedMs = Date.now() - resumedAt;

    const done = await waitFor("the sweep to complete", async () => {
      const sweep = (await api(stack.url, `/api/sweeps/${sweepId}`)).body;
      return sweep.status === "completed" && sweep;
    }, 180_000);
    const run = (await api(stack.url, `/api/runs/${runId}`)).body;
    const metrics = (await api(stack.url, `/api/runs/${runId}/metrics`)).body;
    console.log(
      `# takeover: lock lost and run taken over ${takeoverMs} ms after SIGSTOP (epochs recorded then: ${epochsAtTakeover}); ` +
        `first worker noticed ${noticedMs} ms after SIGCONT; final ${run.status}, attempts ${run.attempts}, epochs ${metrics.epochs.map((e: any) => e.epoch)}`,
    );
    assert.equal(done.runs[0].status, "completed");
    assert.equal(run.attempts, 2);
    assert.equal(run.workerId, takenOver.workerId, "the completed run keeps the worker that finished it");
    assert.deepEqual(metrics.epochs.map((e: { epoch: number }) => e.epoch), [1, 2]);
    // The first worker ended nothing and wrote no events after the takeover: the last events are the new owner's.
    const events = run.events as Array<{ status: string; workerId: string | null; at: string }>;
    const takeoverIndex = events.findIndex((e) => e.status === "requeued");
    assert.ok(takeoverIndex > 0, JSON.stringify(events));
    assert.ok(events.slice(takeoverIndex + 1).every((e) => e.workerId !== firstId), JSON.stringify(events));
    assert.deepEqual(events.map((e) => e.status), ["queued", "running", "requeued", "running", "completed"]);
    // It never ended the run itself, and it is still alive (it goes on taking jobs).
    assert.ok(!first.lines().some((line) => line.msg === "run ended"), "the first worker did not finish the run");
    assert.equal(first.child.exitCode, null, first.output().slice(-2000));
    assert.equal(second.child.exitCode, null);
  });
});
