// The run queue and the live channel on both queue backends, Redis and BullMQ's PostgreSQL backend:
// the same scenarios, the same expectations. Real servers: the local Redis and PostgreSQL (a database
// of this test's own), no mocks.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UnrecoverableError, WaitingError, type Job, type Processor, type Worker } from "bullmq";
import pg from "pg";
import { resolveDatabaseUrl } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import {
  describeQueueBackend,
  openQueueTransport,
  publishControl,
  publishEvent,
  queueBackendEnv,
  redisUrl,
  resolveQueueBackend,
  RunQueue,
  subscribeControl,
  subscribeEvents,
  type ControlMessage,
  type QueueBackendConfig,
  type QueueTransport,
  type RunJobData,
} from "../../libs/queue/index.ts";
import type { LiveEvent } from "../../libs/results/index.ts";
import type { TrainingConfig } from "../../libs/sgan/index.ts";
import { dropDatabase } from "../db/helpers.ts";
import { waitFor as waitUntil, type Probe } from "../support/wait-for.ts";

const DATABASE = `sgan_queue_test_${process.pid}`;
const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);

const params = { epochs: 1 } as unknown as TrainingConfig;
const spec = (runId: string, priority = 0) => ({ runId, sweepId: "sweep-1", params, priority });

/** Queue events arrive within milliseconds: poll often, give up after 20 s. */
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 20_000) => waitUntil(what, probe, timeoutMs, 50);

/** A queue of its own per scenario, and the workers it starts, all closed at the end. */
class Scenario {
  readonly name = `sgan-queue-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly queue: RunQueue;
  private readonly workers: Worker[] = [];

  constructor(
    readonly transport: QueueTransport,
    options: { attempts?: number; backoffMs?: number } = {},
  ) {
    this.queue = new RunQueue(transport, { name: this.name, ...options });
  }

  worker(processor: Processor<RunJobData, string>, options: { concurrency?: number; lockDuration?: number; stalledInterval?: number } = {}): Worker<RunJobData, string> {
    const worker = this.transport.createWorker<RunJobData, string>(this.name, processor, { concurrency: 1, ...options });
    worker.on("error", () => undefined);
    this.workers.push(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true).catch(() => undefined)));
    await this.queue.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
  }
}

function backendSuite(kind: "redis" | "postgres", config: () => QueueBackendConfig): void {
  describe(`queue on ${kind}`, { timeout: 90_000 }, () => {
    let transport: QueueTransport;

    before(() => {
      transport = openQueueTransport(config(), { namespace: `queue-test-${process.pid}` });
    });
    after(async () => {
      await transport?.close();
    });

    test("enqueue: one job per run (enqueuing again is harmless), higher priority first, pending ids", async () => {
      const scenario = new Scenario(transport);
      try {
        await scenario.queue.enqueue([spec("low", -10), spec("high", 50), spec("mid", 0)]);
        await scenario.queue.enqueue([spec("low", -10)]);
        assert.deepEqual([...(await scenario.queue.pendingRunIds())].sort(), ["high", "low", "mid"]);
        const counts = await scenario.queue.queue.getJobCounts();
        assert.equal(counts.prioritized + counts.waiting, 3);
        const order: string[] = [];
        scenario.worker(async (job) => {
          order.push(job.data.runId);
          return "completed";
        });
        await waitFor("all three processed", () => order.length === 3);
        assert.deepEqual(order, ["high", "mid", "low"]);
        await waitFor("nothing pending", async () => (await scenario.queue.pendingRunIds()).size === 0);
      } finally {
        await scenario.close();
      }
    });

    test("process: the job carries its data, reports progress, and ends completed with its result", async () => {
      const scenario = new Scenario(transport);
      try {
        await scenario.queue.enqueue([spec("run-a", 0)]);
        const seen: Array<{ runId: string; sweepId: string }> = [];
        const progress: unknown[] = [];
        const worker = scenario.worker(async (job) => {
          seen.push({ runId: job.data.runId, sweepId: job.data.sweepId });
          await job.updateProgress({ epoch: 1, batch: 2 });
          return "completed";
        });
        worker.on("progress", (_job, value) => progress.push(value));
        const completed = new Promise<Job>((resolve) => worker.on("completed", (job) => resolve(job)));
        const job = await completed;
        assert.equal(job.id, "run-a");
        assert.deepEqual(seen, [{ runId: "run-a", sweepId: "sweep-1" }]);
        assert.deepEqual(progress, [{ epoch: 1, batch: 2 }]);
        const stored = await scenario.queue.queue.getJob("run-a");
        assert.equal(await stored?.getState(), "completed");
        assert.deepEqual(stored?.progress, { epoch: 1, batch: 2 });
        assert.equal(stored?.returnvalue, "completed");
      } finally {
        await scenario.close();
      }
    });

    test("retry: a failed attempt is retried after the backoff; an unrecoverable error is not", async () => {
      const scenario = new Scenario(transport, { attempts: 3, backoffMs: 50 });
      try {
        await scenario.queue.enqueue([spec("flaky"), spec("broken")]);
        const attempts = new Map<string, number>();
        const failures: Array<{ id: string; attemptsMade: number; final: boolean }> = [];
        const worker = scenario.worker(async (job) => {
          attempts.set(job.data.runId, (attempts.get(job.data.runId) ?? 0) + 1);
          if (job.data.runId === "broken") throw new UnrecoverableError("bad config");
          if (job.attemptsMade === 0) throw new Error("transient");
          return "completed";
        });
        worker.on("failed", (job, error) => {
          if (!job) return;
          const final = error instanceof UnrecoverableError || error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
          failures.push({ id: job.id!, attemptsMade: job.attemptsMade, final });
        });
        const flaky = await waitFor("the flaky job to complete", async () => {
          const job = await scenario.queue.queue.getJob("flaky");
          return (await job?.getState()) === "completed" ? job : null;
        });
        const broken = await waitFor("the broken job to fail", async () => {
          const job = await scenario.queue.queue.getJob("broken");
          return (await job?.getState()) === "failed" ? job : null;
        });
        assert.equal(attempts.get("flaky"), 2);
        assert.equal(flaky?.attemptsMade, 2);
        assert.equal(attempts.get("broken"), 1);
        assert.equal(broken?.failedReason, "bad config");
        assert.deepEqual(
          failures.sort((a, b) => a.id.localeCompare(b.id)),
          [
            { id: "broken", attemptsMade: 1, final: true },
            { id: "flaky", attemptsMade: 1, final: false },
          ],
        );
      } finally {
        await scenario.close();
      }
    });

    test("cancel: waiting jobs are removed, the active one is kept (it is stopped through the control channel)", async () => {
      const scenario = new Scenario(transport);
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const started: string[] = [];
        scenario.worker(async (job) => {
          started.push(job.data.runId);
          if (job.data.runId === "first") await held;
          return "completed";
        });
        await scenario.queue.enqueue([spec("first", 10)]);
        await waitFor("the first job to be active", () => started.includes("first"));
        await scenario.queue.enqueue([spec("second", 0), spec("third", 0)]);
        const kept = await scenario.queue.removeWaiting(["first", "second", "missing"]);
        assert.deepEqual(kept, ["first"]);
        assert.equal(await scenario.queue.queue.getJob("second"), undefined);
        assert.deepEqual([...(await scenario.queue.pendingRunIds())].sort(), ["first", "third"]);
        release();
        await waitFor("third processed", () => started.includes("third"));
        assert.deepEqual(started, ["first", "third"]);
      } finally {
        await scenario.close();
      }
    });

    test("hand-back: a job moved back to waiting (worker shutting down) is taken again without using an attempt", async () => {
      const scenario = new Scenario(transport, { attempts: 1 });
      try {
        await scenario.queue.enqueue([spec("handed-back")]);
        let calls = 0;
        scenario.worker(async (job, token) => {
          calls += 1;
          if (calls === 1) {
            await job.moveToWait(token);
            throw new WaitingError();
          }
          return "completed";
        });
        const job = await waitFor("the handed-back job to complete", async () => {
          const found = await scenario.queue.queue.getJob("handed-back");
          return (await found?.getState()) === "completed" ? found : null;
        });
        assert.equal(calls, 2);
        assert.equal(job?.returnvalue, "completed");
      } finally {
        await scenario.close();
      }
    });

    test("stalled: a job whose worker died (lock not renewed) is taken over by another worker", async () => {
      const scenario = new Scenario(transport);
      try {
        await scenario.queue.enqueue([spec("orphan")]);
        let first!: Worker;
        const taken = new Promise<void>((resolve) => {
          first = scenario.worker(
            async () => {
              resolve();
              return new Promise<string>(() => undefined); // never ends: its worker "dies" below
            },
            { lockDuration: 1_000, stalledInterval: 500 },
          );
        });
        await taken;
        await first.close(true); // force: no lock renewal, no hand-back, like a killed process
        const takenBy: string[] = [];
        scenario.worker(
          async (job) => {
            takenBy.push(job.data.runId);
            return "completed";
          },
          { lockDuration: 1_000, stalledInterval: 500 },
        );
        await waitFor("the orphaned job to be taken over", () => takenBy.includes("orphan"), 30_000);
      } finally {
        await scenario.close();
      }
    });

    test("live channel: events and control messages reach every subscriber", async () => {
      const events: LiveEvent[] = [];
      const controls: ControlMessage[] = [];
      await subscribeEvents(transport.createSubscriber(), (event) => events.push(event));
      await subscribeControl(transport.createSubscriber(), (message) => controls.push(message));
      const publisher = transport.createPublisher();
      const event: LiveEvent = { type: "run-status", runId: "r1", sweepId: "s1", status: "running", workerId: "w1" };
      await publisher.ping();
      await publishEvent(publisher, event);
      await publishControl(publisher, { type: "cancel", runIds: ["r1", "r2"] });
      await publisher.publish("sgan:events", "not json"); // a malformed message is dropped, not fatal
      await publishEvent(publisher, { ...event, status: "completed" });
      await waitFor("both events", () => events.length === 2);
      await waitFor("the control message", () => controls.length === 1);
      assert.deepEqual(events, [event, { ...event, status: "completed" }]);
      assert.deepEqual(controls, [{ type: "cancel", runIds: ["r1", "r2"] }]);
    });
  });
}

describe("choosing the queue backend", () => {
  const db = "postgresql://u@127.0.0.1:5432/d";
  const deadRedis = "redis://127.0.0.1:1";

  test("REDIS_URL, or a Redis answering on this machine, means Redis; none means PostgreSQL on the same database", async () => {
    assert.deepEqual(await resolveQueueBackend({ databaseUrl: db, env: { REDIS_URL: "redis://elsewhere:6380" } }), {
      kind: "redis",
      redisUrl: "redis://elsewhere:6380",
      reason: "REDIS_URL",
    });
    const local = await resolveQueueBackend({ databaseUrl: db, env: { SGAN_REDIS_PROBE_URL: redisUrl() } });
    assert.equal(local.kind, "redis");
    assert.equal(local.kind === "redis" && local.redisUrl, redisUrl());
    const none = await resolveQueueBackend({ databaseUrl: db, env: { SGAN_REDIS_PROBE_URL: deadRedis, SGAN_QUEUE_SCHEMA: "q" } });
    assert.equal(none.kind, "postgres");
    assert.equal(none.kind === "postgres" && none.databaseUrl, db);
    assert.equal(none.kind === "postgres" && none.schema, "q");
    assert.match(describeQueueBackend(none), /PostgreSQL .*schema q.*no REDIS_URL and no Redis answering at redis:\/\/127\.0\.0\.1:1/);
  });

  test("SGAN_QUEUE_BACKEND forces one; an explicit Redis URL (the API's option) wins; a bad value is refused", async () => {
    assert.equal((await resolveQueueBackend({ databaseUrl: db, env: { SGAN_QUEUE_BACKEND: "postgres", REDIS_URL: redisUrl() } })).kind, "postgres");
    assert.deepEqual(await resolveQueueBackend({ databaseUrl: db, env: { SGAN_QUEUE_BACKEND: "redis", SGAN_REDIS_PROBE_URL: deadRedis } }), {
      kind: "redis",
      redisUrl: "redis://127.0.0.1:6379",
      reason: "SGAN_QUEUE_BACKEND=redis",
    });
    assert.deepEqual(await resolveQueueBackend({ databaseUrl: db, redisUrl: "redis://given:1", env: { SGAN_QUEUE_BACKEND: "postgres" } }), { kind: "redis", redisUrl: "redis://given:1" });
    await assert.rejects(resolveQueueBackend({ databaseUrl: db, env: { SGAN_QUEUE_BACKEND: "kafka" } }), /SGAN_QUEUE_BACKEND must be redis, postgres or auto/);
  });

  test("workers started by npm start get the same choice through their environment", () => {
    assert.deepEqual(queueBackendEnv({ kind: "redis", redisUrl: "redis://r:1" }), { SGAN_QUEUE_BACKEND: "redis", REDIS_URL: "redis://r:1" });
    assert.deepEqual(queueBackendEnv({ kind: "postgres", databaseUrl: db, schema: "q" }), { SGAN_QUEUE_BACKEND: "postgres", DATABASE_URL: db, SGAN_QUEUE_SCHEMA: "q" });
  });
});

backendSuite("redis", () => ({ kind: "redis", redisUrl: redisUrl() }));

describe("postgres database for the queue", () => {
  before(async () => {
    const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres") });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(DATABASE)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(DATABASE)}`);
    } finally {
      await admin.end();
    }
  });
  after(async () => {
    await dropDatabase(databaseUrl, DATABASE);
  });
  backendSuite("postgres", () => ({ kind: "postgres", databaseUrl, schema: "bullmq_test" }));
});
