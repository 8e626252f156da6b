// The sweeps CLI's lifecycle commands as a person runs them: child processes against the real API
// (PostgreSQL, Redis) on a database and queue of this test's own; no worker, so runs stay queued
// unless the test moves them.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { resolveDatabaseUrl, saveCheckpoint } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { dropDatabase } from "../db/helpers.ts";
import { runSweepsCli, type CliResult } from "../support/sweeps-cli.ts";

const DATABASE = `sgan_cli_lifecycle_${process.pid}`;
const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
const queueName = `sgan-cli-lifecycle-${process.pid}-${Date.now()}`;

const TWO_RUNS = `
name: cli-lifecycle
strategy: random
fixed: { epochs: 1, dataset: mnist, imgSize: 28, limit: 64 }
parameters:
  batchSize: 32
  lr: { choice: [2.0e-4, 1.0e-3] }
`;

describe("sweeps CLI: the lifecycle commands", { timeout: 120_000 }, () => {
  let api: RunningApi;
  let dir: string;
  let file: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sweeps-cli-lifecycle-"));
    file = join(dir, "two-runs.yaml");
    await writeFile(file, TWO_RUNS);
    api = await startApi({ log: createLogger("cli-lifecycle-test"), port: 0, databaseUrl, redisUrl: redisUrl(), queueName, reconcileMs: 0 });
  });

  after(async () => {
    await api?.ctx.queue.queue.obliterate({ force: true });
    await api?.close();
    await dropDatabase(databaseUrl, DATABASE);
    await rm(dir, { recursive: true, force: true });
  });

  const sweeps = (...args: string[]): Promise<CliResult> => runSweepsCli(args, { env: { SWEEPS_API_URL: api.url } });
  const submitted = async () => {
    const result = await sweeps("submit", file);
    assert.equal(result.code, 0, result.stderr);
    const id = /submitted sweep ([0-9a-f-]{36}) /.exec(result.stdout)?.[1];
    assert.ok(id, result.stdout);
    return { id, stdout: result.stdout };
  };

  test("submit prints the plan; --dry-run shows it with every run, storing nothing", async () => {
    const { stdout } = await submitted();
    assert.match(stdout, /"cli-lifecycle": 2 runs\nplan: 2 configurations x 1 repeats = 2 runs \(samples 10, but the space has only 2 configurations\)\nfollow it: sweeps watch /);

    const before = await api.ctx.db.sweep.count();
    const dry = await sweeps("submit", "--dry-run", file);
    assert.equal(dry.code, 0, dry.stderr);
    const lines = dry.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "dry run, nothing stored: 2 configurations x 1 repeats = 2 runs (samples 10, but the space has only 2 configurations)");
    assert.match(lines[1], /^same in every run: batchSize 32, /);
    assert.match(lines[2], /^#\s+REPEAT\s+CONFIG\s+lr$/);
    assert.deepEqual(lines.slice(3).map((line) => line.split(/\s+/).at(-1)).sort(), ["1.0e-3", "2.0e-4"]);
    assert.equal(lines.length, 5);
    const json = JSON.parse((await sweeps("submit", "--dry-run", "--json", file)).stdout);
    assert.equal(json.dryRun, true);
    assert.equal(json.runs.length, 2);
    assert.equal(await api.ctx.db.sweep.count(), before, "nothing stored");

    const both = await sweeps("submit", "--dry-run", "--watch", file);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^sweeps: --watch and --dry-run do not go together/);
  });

  test("pause holds the sweep, resume lets it go on; a finished sweep's pause is refused saying why", async () => {
    const { id } = await submitted();
    const paused = await sweeps("pause", id);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(paused.stdout, `sweep ${id} paused: 2 queued runs held; 0 running runs stopping after the current epoch\ngo on with: sweeps resume ${id}\n`);
    const resumed = await sweeps("resume", id);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, `sweep ${id} active: 2 queued runs back in the queue\n`);

    await sweeps("cancel", id);
    const refused = await sweeps("pause", id);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `error: sweep ${id} is cancelled: only an active sweep can be paused, and this one has no run left to hold\n`);
  });

  test("retry queues a cancelled run again, from its checkpoint; a queued run is refused", async () => {
    const { id } = await submitted();
    await sweeps("cancel", id);
    const [run, other] = await api.ctx.db.run.findMany({ where: { sweepId: id }, orderBy: { index: "asc" } });
    await saveCheckpoint(api.ctx.db, run.id, 1, Buffer.from("checkpoint"));
    const retried = await sweeps("retry", run.id);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal(retried.stdout, `run ${run.id} queued; resumes after epoch 1\n`);
    const fromScratch = await sweeps("retry", other.id, "--json");
    assert.deepEqual(JSON.parse(fromScratch.stdout), { runId: other.id, sweepId: id, status: "queued", sweepStatus: "active", resumesAfterEpoch: 0, enqueued: true });
    const again = await sweeps("retry", run.id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: run \S+ \(#0\) is queued: only a failed or cancelled run can be retried\n$/);
  });

  test("extend adds trials, and names trials when it cannot", async () => {
    const open = join(dir, "open.yaml");
    await writeFile(open, TWO_RUNS.replace("{ choice: [2.0e-4, 1.0e-3] }", "{ loguniform: [1.0e-4, 1.0e-3] }").replace("strategy: random", "strategy: random\nsamples: 2"));
    const result = await sweeps("submit", open);
    const id = /submitted sweep ([0-9a-f-]{36}) /.exec(result.stdout)![1];
    const extended = await sweeps("extend", id, "--trials", "3");
    assert.equal(extended.code, 0, extended.stderr);
    assert.equal(extended.stdout, `sweep ${id} (active): 3 trials added, 5 in its budget\n`);
    const refused = await sweeps("extend", id, "--trials", "lots");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: invalid request body\n {2}trials: /);
    const missing = await sweeps("extend", id);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^sweeps: extend needs --trials N/);
  });

  test("delete asks first (refused without a terminal), deletes with --yes", async () => {
    const { id } = await submitted();
    const unasked = await sweeps("delete", id);
    assert.equal(unasked.code, 2);
    assert.match(unasked.stderr, /^sweeps: delete cannot ask here \(stdin is not a terminal\): pass --yes/);
    assert.equal(await api.ctx.db.sweep.count({ where: { id } }), 1, "not deleted");
    const deleted = await sweeps("delete", id, "--yes");
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `deleted sweep ${id}: 2 runs with everything they stored\n`);
    assert.equal(await api.ctx.db.sweep.count({ where: { id } }), 0);
    const gone = await sweeps("delete", id, "-y");
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `error: sweep ${id} not found\n`);
  });
});
