// Two deployments (each its own database, as two `npm start` with their own data folders) on one
// Redis, with the same queue name: each deployment's worker must train its own sweep, never take
// the other's jobs, and neither API may hear the other's live events.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { readSse } from "../../apps/cli/sweeps/sse.ts";
import { createLogger } from "../../libs/log/index.ts";
import { api, ownDatabaseUrl, postSweep, spawnWorker, tinySweep, waitFor, type WorkerProcess } from "./helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

interface Deployment {
  name: string;
  databaseUrl: string;
  api: RunningApi;
  worker: WorkerProcess;
  /** Every live event this deployment's API relayed, whatever sweep it was about. */
  events: Array<{ runId?: string; sweepId?: string }>;
  stopEvents: () => void;
}

/** All of the API's server-sent events (no sweep filter). */
function listen(url: string): { events: Deployment["events"]; stop: () => void } {
  const events: Deployment["events"] = [];
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${url}/api/events`, { signal: controller.signal });
    for await (const { data } of readSse(response.body!)) events.push(JSON.parse(data));
  })().catch(() => undefined);
  return { events, stop: () => controller.abort() };
}

describe("two deployments sharing one Redis and one queue name", () => {
  // What both `npm start`s would use: the same queue name on the same Redis.
  const queueName = `shared-${randomBytes(4).toString("hex")}`;
  const deployments: Deployment[] = [];

  before(async () => {
    for (const name of ["a", "b"]) {
      const databaseUrl = ownDatabaseUrl(`sgan_shared_redis_${name}`);
      const running = await startApi({ log: createLogger(`deployment-${name}`), port: 0, databaseUrl, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
      await running.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
      const { events, stop } = listen(running.url);
      deployments.push({ name, databaseUrl, api: running, worker: spawnWorker({ queueName, databaseUrl, redisUrl: REDIS_URL }), events, stopEvents: stop });
    }
  });
  after(async () => {
    for (const deployment of deployments) {
      deployment.stopEvents();
      deployment.worker.child.kill("SIGKILL");
      await deployment.api.ctx.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await deployment.api.close();
    }
  });

  it("each deployment has a queue namespace of its own, derived from its database", () => {
    const [a, b] = deployments.map((deployment) => deployment.api.ctx.queue.queue.opts.prefix);
    assert.match(a ?? "", /^sgan-[0-9a-f-]{36}$/);
    assert.match(b ?? "", /^sgan-[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
  });

  it("both sweeps train to the end on their own deployment's worker; no worker skips a foreign job", async () => {
    const submitted: Array<{ sweep: { id: string }; runs: Array<{ id: string }> }> = [];
    for (const deployment of deployments) {
      const answer = await postSweep(deployment.api.url, tinySweep(`shared-${deployment.name}`, [2e-4, 4e-4], 1, 64));
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      submitted.push(answer.body);
    }
    for (const [i, deployment] of deployments.entries()) {
      const sweepId = submitted[i].sweep.id;
      const sweep: any = await waitFor(`deployment ${deployment.name}'s sweep to finish`, async () => {
        const { body } = await api<any>(deployment.api.url, `/api/sweeps/${sweepId}`);
        return body.status !== "active" && body;
      }, 120_000);
      assert.equal(sweep.status, "completed");
      assert.deepEqual(sweep.runs.map((run: { status: string }) => run.status), ["completed", "completed"]);
      const workerIds = new Set(sweep.runs.map((run: { workerId: string }) => run.workerId));
      assert.equal(workerIds.size, 1, "one worker trained both runs");
    }
    for (const deployment of deployments) {
      assert.doesNotMatch(deployment.worker.output(), /run is finished or gone; skipping its job/, `deployment ${deployment.name}'s worker took a foreign job`);
    }
    const runsOf = (i: number) => new Set<string>(submitted[i].runs.map((run: { id: string }) => run.id));
    for (const [i, deployment] of deployments.entries()) {
      const foreign = runsOf(1 - i);
      assert.ok(deployment.events.some((event) => event.runId !== undefined && runsOf(i).has(event.runId)), "it heard its own runs");
      assert.deepEqual(deployment.events.filter((event) => event.runId !== undefined && foreign.has(event.runId)), [], `deployment ${deployment.name} heard the other's events`);
    }
  });
});
