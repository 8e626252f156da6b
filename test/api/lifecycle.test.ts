// A sweep's lifecycle through the real API (PostgreSQL, Redis, BullMQ), no worker: dry runs and the
// plan line, pause and resume (jobs held and given back, the reconciler leaves a paused sweep alone),
// retry, delete with everything stored, extend; bad input is a 400 naming the field, a state the
// operation does not apply to is a 409 saying why, and every write needs the write token.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { recordEpoch, saveCheckpoint } from "../../libs/db/index.ts";
import { reconcileQueue, storeSweep } from "../../libs/service/index.ts";
import { parseSweepConfig } from "../../libs/sweep/index.ts";
import { epochMetrics, summary } from "../db/helpers.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_lifecycle_test";
const WRITE = "lifecycle-write-token";
const auth = { Authorization: `Bearer ${WRITE}` };

/** Two learning rates, one run each: a 2-configuration space. */
const TWO_RUNS = {
  name: "lifecycle",
  strategy: "random",
  fixed: { epochs: 2, dataset: "mnist", imgSize: 28, limit: 64 },
  parameters: { batchSize: 32, lr: { choice: [2e-4, 1e-3] } },
};

describe("a sweep's lifecycle through the API", { timeout: 120_000 }, () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: WRITE });
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  const write = (method: string, path: string, body?: unknown) =>
    call(api.url, path, { method, headers: { ...auth, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const submit = async (config: object = TWO_RUNS) => {
    const submitted = await write("POST", "/api/sweeps", config);
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    return submitted.body as { sweep: { id: string }; runs: Array<{ id: string }>; plan: { description: string } };
  };
  const jobState = async (runId: string) => (await (await api.ctx.queue.queue.getJob(runId))?.getState()) ?? "missing";
  const jobCount = async () => Object.values(await api.ctx.queue.queue.getJobCounts()).reduce((sum, count) => sum + count, 0);
  const sweepStatus = async (id: string) => (await call(api.url, `/api/sweeps/${id}`)).body.status;

  it("a submit says how many configurations x repeats it planned and why", async () => {
    const submitted = await submit();
    assert.equal(submitted.plan.description, "2 configurations x 1 repeats = 2 runs (samples 10, but the space has only 2 configurations)");
    assert.equal(submitted.runs.length, 2);
    await write("DELETE", `/api/sweeps/${submitted.sweep.id}`);
  });

  it("a dry run validates and shows the plan, storing and enqueuing nothing", async () => {
    const [sweepsBefore, jobsBefore] = [await api.sweepCount(), await jobCount()];
    const dry = await write("POST", "/api/sweeps?dryRun=1", { ...TWO_RUNS, repeats: 2 });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.equal(dry.body.dryRun, true);
    assert.equal(dry.body.plan.description, "2 configurations x 2 repeats = 4 runs (samples 10, but the space has only 2 configurations)");
    assert.deepEqual([dry.body.plan.configurations, dry.body.plan.repeats, dry.body.plan.runs, dry.body.plan.spaceSize], [2, 2, 4, 2]);
    assert.deepEqual(dry.body.runs.map((run: { index: number; repeat: number }) => [run.index, run.repeat]), [[0, 0], [1, 0], [2, 1], [3, 1]]);
    assert.deepEqual(new Set(dry.body.runs.map((run: { hyperparameters: { lr: number } }) => run.hyperparameters.lr)), new Set([2e-4, 1e-3]));
    assert.equal(dry.body.runs[0].params.epochs, 2);
    assert.equal(await api.sweepCount(), sweepsBefore, "nothing stored");
    assert.equal(await jobCount(), jobsBefore, "no job");

    const tpe = await write("POST", "/api/sweeps?dryRun=true", { ...TWO_RUNS, strategy: "tpe", trials: 6, parallelism: 2, parameters: { batchSize: 32, lr: { loguniform: [1e-4, 1e-3] } } });
    assert.equal(tpe.status, 200, JSON.stringify(tpe.body));
    assert.equal(tpe.body.plan.description, "6 trials x 1 repeats = 6 runs; 2 planned now, the rest asked as trials finish, 2 in flight at a time");
    assert.equal(tpe.body.runs.length, 2, "the first wave");

    const invalid = await write("POST", "/api/sweeps?dryRun=1", { ...TWO_RUNS, colour: "red" });
    assert.equal(invalid.status, 400);
    assert.ok(invalid.body.issues.some((issue: { path: string }) => issue.path === "colour"), JSON.stringify(invalid.body));
    const badFlag = await write("POST", "/api/sweeps?dryRun=yes", TWO_RUNS);
    assert.equal(badFlag.status, 400);
    assert.equal(badFlag.body.issues[0].path, "dryRun");
    assert.equal(await api.sweepCount(), sweepsBefore, "still nothing stored");
    assert.equal(await jobCount(), jobsBefore);
  });

  it("pause holds the queued runs without jobs, the reconciler leaves them; resume gives them jobs again", async () => {
    const { sweep, runs } = await submit();
    const ids = runs.map((run) => run.id);
    for (const id of ids) assert.notEqual(await jobState(id), "missing");

    const paused = await write("POST", `/api/sweeps/${sweep.id}/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.deepEqual(paused.body, { sweepId: sweep.id, status: "paused", held: ids, pausing: [] });
    assert.equal(await sweepStatus(sweep.id), "paused");
    for (const id of ids) {
      assert.equal(await jobState(id), "missing", "its job left the queue");
      const run = (await call(api.url, `/api/runs/${id}`)).body;
      assert.equal(run.status, "queued");
      assert.deepEqual(run.events.map((event: { status: string }) => event.status), ["queued", "held"]);
    }
    assert.deepEqual(await reconcileQueue(api.ctx), [], "the reconciler re-enqueues nothing of a paused sweep");
    for (const id of ids) assert.equal(await jobState(id), "missing");
    const again = await write("POST", `/api/sweeps/${sweep.id}/pause`);
    assert.deepEqual([again.status, again.body.held], [200, []], "pausing a paused sweep changes nothing");

    const resumed = await write("POST", `/api/sweeps/${sweep.id}/resume`);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.deepEqual(resumed.body, { sweepId: sweep.id, status: "active", requeued: ids, newRuns: [] }, "every configuration of the space is planned already");
    assert.equal(await sweepStatus(sweep.id), "active");
    for (const id of ids) assert.ok(["waiting", "prioritized"].includes(await jobState(id)), await jobState(id));
    const events = (await call(api.url, `/api/runs/${ids[0]}`)).body.events.map((event: { status: string }) => event.status);
    assert.deepEqual(events, ["queued", "held", "resumed"]);
  });

  it("a paused sweep can be cancelled; pause and resume of a finished sweep are 409 saying why; unknown is 404, a bad id 400", async () => {
    const { sweep } = await submit();
    await write("POST", `/api/sweeps/${sweep.id}/pause`);
    const cancel = await write("POST", `/api/sweeps/${sweep.id}/cancel`);
    assert.equal(cancel.body.cancelledQueued.length, 2);
    assert.equal(await sweepStatus(sweep.id), "cancelled");
    const pause = await write("POST", `/api/sweeps/${sweep.id}/pause`);
    assert.equal(pause.status, 409);
    assert.match(pause.body.error, /is cancelled: only an active sweep can be paused/);
    const resume = await write("POST", `/api/sweeps/${sweep.id}/resume`);
    assert.equal(resume.status, 409);
    assert.match(resume.body.error, /is cancelled: only a paused sweep can be resumed/);
    for (const [method, path] of [["POST", "pause"], ["POST", "resume"], ["POST", "trials"], ["DELETE", ""]]) {
      const suffix = path ? `/${path}` : "";
      const body = path === "trials" ? { trials: 1 } : undefined;
      const missing = await write(method, `/api/sweeps/00000000-0000-4000-8000-000000000000${suffix}`, body);
      assert.equal(missing.status, 404, `${method} ${path}: ${JSON.stringify(missing.body)}`);
      const bad = await write(method, `/api/sweeps/not-an-id${suffix}`, body);
      assert.equal(bad.status, 400, `${method} ${path}`);
      assert.equal(bad.body.issues[0].path, "id");
    }
  });

  it("retry queues a failed or cancelled run again with a job, logs it, and reopens its sweep; other runs are 409", async () => {
    const { sweep, runs } = await storeSweep(api.ctx.db, parseSweepConfig(TWO_RUNS));
    const [failed, completed] = runs;
    await recordEpoch(api.ctx.db, failed.id, epochMetrics(1), null, summary(0.5));
    await saveCheckpoint(api.ctx.db, failed.id, 1, Buffer.from("checkpoint after epoch 1"));
    await api.ctx.db.run.update({ where: { id: failed.id }, data: { status: "failed", error: "backend lost", finishedAt: new Date() } });
    await api.ctx.db.run.update({ where: { id: completed.id }, data: { status: "completed", finishedAt: new Date() } });
    await api.ctx.db.sweep.update({ where: { id: sweep.id }, data: { status: "completed" } });

    const retried = await write("POST", `/api/runs/${failed.id}/retry`);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.deepEqual(retried.body, { runId: failed.id, sweepId: sweep.id, status: "queued", sweepStatus: "active", resumesAfterEpoch: 1, enqueued: true });
    assert.ok(["waiting", "prioritized"].includes(await jobState(failed.id)));
    const run = (await call(api.url, `/api/runs/${failed.id}`)).body;
    assert.deepEqual([run.status, run.error, run.finishedAt, run.epochsDone], ["queued", null, null, 1], "epochs kept, error cleared");
    const last = run.events.at(-1);
    assert.equal(last.status, "retried");
    assert.equal(last.message, "retried after it was failed (backend lost): resumes from its checkpoint after epoch 1");
    assert.equal(await sweepStatus(sweep.id), "active");

    const notAgain = await write("POST", `/api/runs/${failed.id}/retry`);
    assert.equal(notAgain.status, 409);
    assert.match(notAgain.body.error, /is queued: only a failed or cancelled run can be retried/);
    const done = await write("POST", `/api/runs/${completed.id}/retry`);
    assert.equal(done.status, 409);
    assert.match(done.body.error, /completed: there is nothing to retry/);
    await api.ctx.db.run.update({ where: { id: completed.id }, data: { status: "pruned", prunedReason: "below the median at epoch 1" } });
    const pruned = await write("POST", `/api/runs/${completed.id}/retry`);
    assert.equal(pruned.status, 409);
    assert.match(pruned.body.error, /was pruned by its sweep's pruner \(below the median at epoch 1\)/);
    await api.ctx.db.run.update({ where: { id: completed.id }, data: { status: "diverged", divergedEpoch: 1 } });
    assert.match((await write("POST", `/api/runs/${completed.id}/retry`)).body.error, /diverged at epoch 1: a retry would train the same config/);

    assert.equal((await write("POST", "/api/runs/00000000-0000-4000-8000-000000000000/retry")).status, 404);
    const bad = await write("POST", "/api/runs/nope/retry");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, "id");
  });

  it("a run retried in a paused sweep waits, queued, without a job; resume gives it one", async () => {
    const { sweep, runs } = await submit();
    await write("POST", `/api/sweeps/${sweep.id}/cancel`);
    // Cancelled: retried, the sweep is active again; pause it, then retry the other run.
    const first = await write("POST", `/api/runs/${runs[0].id}/retry`);
    assert.deepEqual([first.status, first.body.sweepStatus, first.body.resumesAfterEpoch], [200, "active", 0]);
    assert.equal((await write("POST", `/api/sweeps/${sweep.id}/pause`)).status, 200);
    const held = await write("POST", `/api/runs/${runs[1].id}/retry`);
    assert.deepEqual([held.status, held.body.sweepStatus, held.body.enqueued], [200, "paused", false]);
    assert.equal(await jobState(runs[1].id), "missing");
    const resumed = await write("POST", `/api/sweeps/${sweep.id}/resume`);
    assert.deepEqual(resumed.body.requeued, runs.map((run) => run.id));
  });

  it("delete removes the sweep with its runs, epochs, samples, checkpoints, logs and jobs; it needs the write token", async () => {
    const { sweep, runs } = await submit();
    const [run] = runs;
    await recordEpoch(api.ctx.db, run.id, epochMetrics(1), Buffer.from("png"), summary(0.5));
    await saveCheckpoint(api.ctx.db, run.id, 1, Buffer.from("checkpoint"));
    const ids = runs.map((r) => r.id);
    const stored = () =>
      Promise.all([
        api.ctx.db.run.count({ where: { id: { in: ids } } }),
        api.ctx.db.epochMetric.count({ where: { runId: { in: ids } } }),
        api.ctx.db.sampleImage.count({ where: { runId: { in: ids } } }),
        api.ctx.db.checkpoint.count({ where: { runId: { in: ids } } }),
        api.ctx.db.runEvent.count({ where: { runId: { in: ids } } }),
      ]);
    assert.deepEqual(await stored(), [2, 1, 1, 1, 2]);

    const refused = await call(api.url, `/api/sweeps/${sweep.id}`, { method: "DELETE" });
    assert.equal(refused.status, 401);
    assert.equal(await sweepStatus(sweep.id), "active", "a refused delete deletes nothing");

    const deleted = await write("DELETE", `/api/sweeps/${sweep.id}`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.deepEqual(deleted.body, { sweepId: sweep.id, deletedRuns: 2, stopped: [] });
    assert.deepEqual(await stored(), [0, 0, 0, 0, 0]);
    for (const id of ids) assert.equal(await jobState(id), "missing");
    assert.equal((await call(api.url, `/api/sweeps/${sweep.id}`)).status, 404);
    assert.equal((await write("DELETE", `/api/sweeps/${sweep.id}`)).status, 404);
  });

  it("extend raises the trial budget within the space and MAX_RUNS_LIMIT, naming trials when it cannot", async () => {
    const open = { ...TWO_RUNS, samples: 3, repeats: 2, parameters: { batchSize: 32, lr: { loguniform: [1e-4, 1e-3] } } };
    const { sweep } = await submit(open);
    const extended = await write("POST", `/api/sweeps/${sweep.id}/trials`, { trials: 4 });
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    const { newRuns, ...answer } = extended.body;
    assert.deepEqual(answer, { sweepId: sweep.id, status: "active", trialBudget: 7, added: 4 });
    assert.equal((await api.ctx.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } })).trialBudget, 7);
    // The study asks the new trials at once: 4 configurations x 2 repeats, each with a job.
    const detail = (await call(api.url, `/api/sweeps/${sweep.id}`)).body;
    assert.equal(detail.runs.length, 14);
    assert.equal(new Set(detail.runs.map((run: { configKey: string }) => run.configKey)).size, 7);
    assert.deepEqual(newRuns, detail.runs.slice(6).map((run: { id: string }) => run.id));
    for (const id of newRuns) assert.ok(["waiting", "prioritized"].includes(await jobState(id)));

    for (const [body, pattern] of [
      [{ trials: 0 }, /trials/],
      [{ trials: 1001 }, /trials/],
      [{ trials: 1.5 }, /trials/],
      [{ trials: "3" }, /trials/],
      [{}, /trials/],
      [{ trials: 2, more: 1 }, /more/],
      [{ trials: 500 }, /507 trials x 2 repeats = 1014 runs, more than the 1000 a sweep may have: add at most 493/],
    ] as const) {
      const refused = await write("POST", `/api/sweeps/${sweep.id}/trials`, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(refused.body.issues), pattern, JSON.stringify(refused.body));
    }
    assert.equal((await api.ctx.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } })).trialBudget, 7, "refusals changed nothing");
    const finite = await submit();
    const full = await write("POST", `/api/sweeps/${finite.sweep.id}/trials`, { trials: 1 });
    assert.equal(full.status, 400);
    assert.deepEqual(full.body.issues, [{ path: "trials", message: "the search space has only 2 configurations and 2 are in the budget already: none is left to ask; submit a sweep with a wider space" }]);
    // A completed sweep is active again, asking the new trials; a paused one asks them on resume.
    await api.ctx.db.run.updateMany({ where: { sweepId: sweep.id }, data: { status: "completed", finishedAt: new Date() } });
    await api.ctx.db.sweep.update({ where: { id: sweep.id }, data: { status: "completed" } });
    const reopened = await write("POST", `/api/sweeps/${sweep.id}/trials`, { trials: 1 });
    assert.deepEqual([reopened.body.status, reopened.body.trialBudget, reopened.body.newRuns.length], ["active", 8, 2]);
    await write("POST", `/api/sweeps/${sweep.id}/pause`);
    const whilePaused = await write("POST", `/api/sweeps/${sweep.id}/trials`, { trials: 1 });
    assert.deepEqual([whilePaused.body.status, whilePaused.body.trialBudget, whilePaused.body.newRuns], ["paused", 9, []]);
    const resumed = await write("POST", `/api/sweeps/${sweep.id}/resume`);
    assert.equal(resumed.body.newRuns.length, 2, "the trial added while paused");
    await write("POST", `/api/sweeps/${sweep.id}/cancel`);
    const cancelled = await write("POST", `/api/sweeps/${sweep.id}/trials`, { trials: 1 });
    assert.equal(cancelled.status, 409);
    assert.match(cancelled.body.error, /was cancelled/);
    assert.equal((await api.ctx.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } })).trialBudget, 9, "the cancelled sweep's refusal changed nothing");
  });
});
