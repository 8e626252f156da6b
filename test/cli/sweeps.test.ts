// The sweeps CLI as a person runs it: a child process against the real API (in this process), with a
// real worker training the runs, on a database and queue of this test's own.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { initBackend } from "../../libs/backends/index.ts";
import { openDatabase, recordEpoch, resolveDatabaseUrl, type Database } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { createLogger } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { TrainingWorker } from "../../libs/worker/index.ts";
import { storeSweep } from "../../libs/service/index.ts";
import { parseSweepText } from "../../libs/sweep/index.ts";
import { dropDatabase, epochMetrics, summary } from "../db/helpers.ts";
import { hasActedOn, HOSTILE, HOSTILE_SHOWN } from "../support/hostile-text.ts";
import { runSweepsCli, type CliResult } from "../support/sweeps-cli.ts";
import { freePort } from "../../libs/embedded-db/index.ts";

const DATABASE = `sgan_cli_test_${process.pid}`;
const databaseUrl = withDatabase(resolveDatabaseUrl(), DATABASE);
// Workers of other test runs share this Redis: a queue of our own keeps our jobs ours.
const queueName = `sgan-cli-test-${process.pid}-${Date.now()}`;
const log = createLogger("cli-test");

/** Runs `sweeps <args>` against `apiUrl`; `onStdout` sees its output as it comes. */
function sweeps(args: string[], apiUrl: string, onStdout?: (text: string) => void): Promise<CliResult> {
  return runSweepsCli(args, { env: { SWEEPS_API_URL: apiUrl }, onStdout });
}

function sweepIdIn(stdout: string): string {
  const match = /submitted sweep ([0-9a-f-]{36}) /.exec(stdout);
  assert.ok(match, `no sweep id in: ${stdout}`);
  return match[1];
}

/** Two configurations, one run each, one epoch of two batches: a few seconds of training. */
const TWO_RUNS = `
name: cli-test
strategy: grid
fixed: { epochs: 1, dataset: mnist, imgSize: 28, limit: 64 }
parameters:
  batchSize: 32
  lr: { choice: [2.0e-4, 1.0e-3] }
`;

describe("sweeps CLI", { timeout: 120_000 }, () => {
  let api: RunningApi;
  let workerDb: Database | null = null;
  let worker: TrainingWorker | null = null;
  let dir: string;
  let trainedId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sweeps-cli-"));
    await writeFile(join(dir, "two-runs.yaml"), TWO_RUNS);
    await writeFile(join(dir, "invalid.yaml"), "name: broken\nfixed: { lr: 0.001 }\ncolour: red\n");
    api = await startApi({ log, port: 0, databaseUrl, redisUrl: redisUrl(), queueName, reconcileMs: 0 });
  });

  after(async () => {
    await worker?.stop();
    await workerDb?.close();
    await api?.ctx.queue.queue.obliterate({ force: true });
    await api?.close();
    await dropDatabase(databaseUrl, DATABASE);
    await rm(dir, { recursive: true, force: true });
  });

  const total = async () => JSON.parse((await sweeps(["ls", "--json"], api.url)).stdout).total as number;

  test("an unreachable API is one line naming the URL, exit 1", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await sweeps(["ls"], url);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, new RegExp(`^error: cannot reach the sweeps API at ${url} \\(.*ECONNREFUSED.*\\): .*SWEEPS_API_URL.*\\n$`));
  });

  test("an invalid config is refused with its issues, exit 1, and nothing is stored", async () => {
    const before = await total();
    const { code, stdout, stderr } = await sweeps(["submit", join(dir, "invalid.yaml")], api.url);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(stderr, /^error: invalid sweep config\n/);
    assert.match(stderr, /^ {2}fixed\.lr: lr may differ between runs/m);
    assert.match(stderr, /^ {2}colour: unknown key/m);
    assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/, "no stack trace");
    assert.equal(await total(), before);
  });

  test("watch rides out an API restart; cancel drops the queued runs and the watch ends", async () => {
    // No worker runs yet, so the sweep's runs stay queued.
    const submitted = await sweeps(["submit", join(dir, "two-runs.yaml")], api.url);
    assert.equal(submitted.code, 0, submitted.stderr);
    assert.match(submitted.stdout, /"cli-test": 2 runs\nplan: 2 configurations x 1 repeats = 2 runs\nfollow it: sweeps watch /);
    const id = sweepIdIn(submitted.stdout);

    let cancelled: Promise<CliResult> | null = null;
    let restarted: Promise<void> | null = null;
    const watched = await sweeps(["watch", id], api.url, (stdout) => {
      if (!restarted && /0\/2 runs final - 2 queued/.test(stdout)) {
        const port = Number(new URL(api.url).port);
        restarted = api.close().then(async () => {
          api = await startApi({ log, port, databaseUrl, redisUrl: redisUrl(), queueName, reconcileMs: 0 });
        });
      }
      if (!cancelled && /^reconnected$/m.test(stdout)) cancelled = sweeps(["cancel", id], api.url);
    });
    await restarted;
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /^lost the API \(.+\); reconnecting\nreconnected$/m);
    assert.match(watched.stdout, /^#0 lr 2.0e-4 {2}cancelled, test acc -$/m);
    assert.match(watched.stdout, /^sweep cli-test \(cancelled\): 2\/2 runs final - 2 cancelled$/m);

    const cancel = await cancelled!;
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(cancel.stdout, `sweep ${id}: cancelled 2 queued runs; 0 running runs stopping after the current batch\n`);
    const listed = JSON.parse((await sweeps(["ls", "--json"], api.url)).stdout);
    const sweep = listed.items.find((item: { id: string }) => item.id === id);
    assert.equal(sweep.status, "cancelled");
    assert.equal(sweep.counts.cancelled, 2);
  });

  test("submit --watch follows a sweep to the end with a line per event", async () => {
    workerDb = await openDatabase(databaseUrl);
    worker = new TrainingWorker({ db: workerDb.prisma, redisUrl: redisUrl(), queueName, backend: await initBackend("wasm"), log });
    await worker.start();

    const { code, stdout, stderr } = await sweeps(["submit", join(dir, "two-runs.yaml"), "--watch"], api.url);
    assert.equal(code, 0, stderr);
    trainedId = sweepIdIn(stdout);
    // Run #1 starts once the watch is well under way, so every one of its events must show.
    assert.match(stdout, /^#1 lr 1.0e-3 {2}running, on \S+$/m);
    for (const run of ["#0 lr 2.0e-4", "#1 lr 1.0e-3"]) {
      assert.match(stdout, new RegExp(`^${run} {2}epoch 1/1 batch 2/2 {2}[\\d.]+ samples/s {2}ETA 0s {2}test acc (-|[\\d.]+%)$`, "m"), "a progress line");
      assert.match(stdout, new RegExp(`^${run} {2}epoch 1/1: test acc [\\d.]+% {2}d_acc [\\d.]+% {2}G loss [\\d.]+ {2}D loss [\\d.]+$`, "m"));
      assert.match(stdout, new RegExp(`^${run} {2}completed, test acc [\\d.]+%$`, "m"));
    }
    assert.match(stdout, /^sweep cli-test \(completed\): 2\/2 runs final - 2 completed\n/m);
    assert.match(stdout, new RegExp(`every run is final; rank them: sweeps best ${trainedId}\\n$`));
  });

  test("best ranks the configurations and the runs", async () => {
    const { code, stdout, stderr } = await sweeps(["best", trainedId], api.url);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ranked by testAccuracy \(scope last, penalty 0, maximize\), best first$/m);
    assert.match(stdout, /^same in every entry: batchSize 32, b1 0\.5, /m);
    assert.match(stdout, /^configurations, across repeats \(showing 2 of 2 ranked\)\n#\s+SCORE\s+VALUE\s+STD\s+RUNS\s+CONFIG\s+lr\n1\s.*\n2\s/m);
    assert.match(stdout, /^runs \(showing 2 of 2 ranked\)\n#\s+SCORE\s+VALUE\s+STD\s+STATUS\s+REPEAT\s+RUN\s+lr\n1\s+[\d.]+%.*completed\s+0\s+[0-9a-f-]{36}\s+(2\.0e-4|1\.0e-3)\n2\s/m);

    const json = await sweeps(["best", trainedId, "--json", "--metric", "gLoss", "--scope", "max"], api.url);
    const best = JSON.parse(json.stdout);
    assert.deepEqual(best.options, { metric: "gLoss", scope: "max", k: 5, penalty: 0, direction: "minimize", limit: 10 });
    assert.equal(best.runs.ranked, 2);

    const refused = await sweeps(["best", trainedId, "--metric", "accuracy"], api.url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: invalid ranking options\n {2}metric: /);
  });

  test("ls shows the sweeps newest first with their progress and best accuracy", async () => {
    const { code, stdout } = await sweeps(["ls"], api.url);
    assert.equal(code, 0);
    const [header, newest, older, footer] = stdout.trimEnd().split("\n");
    assert.match(header, /^ID\s+NAME\s+STATUS\s+COMPLETED\s+OTHER RUNS\s+BEST ACC\s+CREATED\s+TAGS$/);
    assert.match(newest, new RegExp(`^${trainedId}\\s+cli-test\\s+completed\\s+2/2\\s+-\\s+[\\d.]+%\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
    // Cancelled before any run trained: none completed, both cancelled.
    assert.match(older, /\scancelled\s+0\/2\s+2 cancelled\s+-\s/);
    assert.equal(footer, "page 1 of 1, 2 sweeps");
  });

  test("an unknown sweep is not found, exit 1; a bad command line is exit 2", async () => {
    const missing = await sweeps(["watch", "00000000-0000-4000-8000-000000000000"], api.url);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: sweep 00000000-0000-4000-8000-000000000000 not found\n");

    const [unknown, extra, help] = await Promise.all([
      sweeps(["frobnicate"], api.url),
      sweeps(["ls", "--metric", "gLoss"], api.url),
      sweeps(["--help"], api.url),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^sweeps: unknown command 'frobnicate'/);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^sweeps: ls takes no --metric\n/);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^ {2}sweeps submit <file> \[--watch \| --json\] \[--dry-run\]$/m);
  });

  test("names, keys and messages from users and the API are shown escaped, in every command", async () => {
    // Stored as the API would send it whatever it accepts at submit: the CLI must not trust it.
    const { sweep, runs } = await storeSweep(api.ctx.db, parseSweepText(TWO_RUNS));
    const [run, other] = runs;
    await api.ctx.db.sweep.update({ where: { id: sweep.id }, data: { name: HOSTILE, status: "completed" } });
    await api.ctx.db.run.updateMany({ where: { sweepId: sweep.id }, data: { status: "completed", finishedAt: new Date() } });
    await api.ctx.db.run.update({ where: { id: run.id }, data: { configKey: `${HOSTILE} key` } });
    for (const { id } of [run, other]) await recordEpoch(api.ctx.db, id, epochMetrics(1), null, summary(0.5));

    // A page size no earlier request used: the API's read cache cannot answer from before the rows were written.
    const listed = await sweeps(["ls", "--page-size", "7"], api.url);
    const best = await sweeps(["best", sweep.id], api.url);
    const watched = await sweeps(["watch", sweep.id], api.url);
    for (const [what, result] of Object.entries({ listed, best, watched })) {
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      assert.ok(!hasActedOn(result.stdout), `${what} wrote raw control characters: ${JSON.stringify(result.stdout)}`);
      assert.doesNotMatch(result.stdout, /^fake line/m, `${what}: no forged line`);
    }
    assert.match(listed.stdout, new RegExp(`^${sweep.id}\\s+${escapeRegExp(HOSTILE_SHOWN)}\\s+completed\\s`, "m"));
    assert.ok(best.stdout.includes(`${HOSTILE_SHOWN} key`), best.stdout);
    assert.ok(watched.stdout.includes(`sweep ${HOSTILE_SHOWN} (completed)`), watched.stdout);

    // --json stays JSON, the same value, with nothing raw that a terminal acts on.
    const json = await sweeps(["ls", "--json", "--page-size", "7"], api.url);
    assert.ok(!hasActedOn(json.stdout), json.stdout);
    assert.equal(JSON.parse(json.stdout).items.find((item: { id: string }) => item.id === sweep.id).name, HOSTILE);

    // Error messages: what the user typed, echoed by the CLI itself or by the API.
    const [usage, missing] = await Promise.all([sweeps([`frob\u001b[2J`], api.url), sweeps(["best", `x\u001b]0;PWNED\u0007`], api.url)]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^sweeps: unknown command 'frob\\x1b\[2J'/);
    assert.equal(missing.code, 1);
    assert.ok(missing.stderr.includes("x\\x1b]0;PWNED\\x07"), missing.stderr);
    for (const result of [usage, missing]) assert.ok(!hasActedOn(result.stderr), JSON.stringify(result.stderr));
  });

  test("best ranks completed runs only, and says how many it left out and why", async () => {
    // One run trained to the end; the other, better after its one epoch, was cancelled there.
    const { sweep, runs } = await storeSweep(api.ctx.db, parseSweepText(TWO_RUNS));
    const [completed, cancelled] = runs;
    await recordEpoch(api.ctx.db, completed.id, epochMetrics(1, { testAccuracy: 0.5 }), null, summary(0.5));
    await recordEpoch(api.ctx.db, cancelled.id, epochMetrics(1, { testAccuracy: 0.9 }), null, summary(0.9));
    await api.ctx.db.run.update({ where: { id: completed.id }, data: { status: "completed", finishedAt: new Date() } });
    await api.ctx.db.run.update({ where: { id: cancelled.id }, data: { status: "cancelled", finishedAt: new Date() } });
    await api.ctx.db.sweep.update({ where: { id: sweep.id }, data: { status: "cancelled" } });

    const { code, stdout, stderr } = await sweeps(["best", sweep.id], api.url);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^configurations, across repeats \(showing 1 of 1 ranked; left out: 1 without a completed run\)$/m);
    assert.match(stdout, /^runs \(showing 1 of 1 ranked; left out: 1 cancelled\)$/m);
    assert.match(stdout, new RegExp(`^1\\s+50\\.00%\\s+50\\.00%.*completed\\s+0\\s+${completed.id}`, "m"));
    assert.ok(!stdout.includes(cancelled.id), "the cancelled run is not listed");

    const json = JSON.parse((await sweeps(["best", sweep.id, "--json"], api.url)).stdout);
    assert.deepEqual([json.runs.ranked, json.runs.unranked, json.runs.leftOut], [1, 1, { cancelled: 1 }]);
    assert.deepEqual(json.configurations.leftOut, { noCompletedRun: 1 });
    const help = await sweeps(["--help"], api.url);
    assert.match(help.stdout, /Only completed runs are ranked/);
  });

  test("best ranks by the sweep's objective; options override it; a sweep stored without one ranks by the defaults", async () => {
    const config = parseSweepText(`${TWO_RUNS}objective: { metric: gLoss, scope: max }\n`);
    assert.deepEqual(config.objective, { metric: "gLoss", scope: "max", k: 5, penalty: 0, direction: "minimize" });
    const { sweep, runs } = await storeSweep(api.ctx.db, config);
    // The first run has the better accuracy, the second the lower generator loss.
    const figures = [{ testAccuracy: 0.9, gLossMean: 2.5 }, { testAccuracy: 0.4, gLossMean: 0.7 }];
    for (const [i, run] of runs.entries()) {
      await recordEpoch(api.ctx.db, run.id, epochMetrics(1, figures[i]), null, summary(figures[i].testAccuracy));
      await api.ctx.db.run.update({ where: { id: run.id }, data: { status: "completed", finishedAt: new Date() } });
    }
    const ranked = async (...args: string[]) => JSON.parse((await sweeps(["best", sweep.id, "--json", ...args], api.url)).stdout);

    const byObjective = await ranked();
    assert.deepEqual(byObjective.options, { metric: "gLoss", scope: "max", k: 5, penalty: 0, direction: "minimize", limit: 10 });
    assert.deepEqual(byObjective.runs.entries.map((entry: { id: string }) => entry.id), [runs[1].id, runs[0].id]);
    const text = await sweeps(["best", sweep.id], api.url);
    assert.match(text.stdout, /^ranked by gLoss \(scope max, penalty 0, minimize\), best first$/m);

    const byAccuracy = await ranked("--metric", "testAccuracy");
    assert.deepEqual(byAccuracy.options, { metric: "testAccuracy", scope: "max", k: 5, penalty: 0, direction: "maximize", limit: 10 });
    assert.deepEqual(byAccuracy.runs.entries.map((entry: { id: string }) => entry.id), [runs[0].id, runs[1].id]);
    const highestLoss = await ranked("--direction", "maximize");
    assert.deepEqual(highestLoss.runs.entries.map((entry: { id: string }) => entry.id), [runs[0].id, runs[1].id]);
    const refused = await sweeps(["best", sweep.id, "--direction", "up"], api.url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /direction/);

    // Configs stored before objectives existed have none: they read, and rank, as the defaults.
    const { objective: _objective, ...older } = config;
    await api.ctx.db.sweep.update({ where: { id: sweep.id }, data: { config: JSON.parse(JSON.stringify(older)) } });
    const detail = (await (await fetch(`${api.url}/api/sweeps/${sweep.id}`)).json()) as { config: { objective: unknown } };
    assert.deepEqual(detail.config.objective, { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, direction: "maximize" });
    // --limit: a URL not asked before, so no cached answer from before the change.
    assert.deepEqual((await ranked("--limit", "10")).options, { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, direction: "maximize", limit: 10 });
  });

  test("best --importance: each varying parameter's share of the objective's variance, best first; too few trials say so", async () => {
    // 4 learning rates x 2 batch sizes; the accuracy steps 0.1 per learning rate and 0.01 with batch size 64: lr explains
    // 99.8% of the variance (0.0125 against 0.000025), which a forest of 8 trials puts at about 0.99.
    const { sweep, runs } = await storeSweep(
      api.ctx.db,
      parseSweepText(`${TWO_RUNS.replace(/parameters:[\s\S]*$/, "")}parameters:\n  b1: 0.5\n  batchSize: { choice: [32, 64] }\n  lr: { loguniform: [1.0e-4, 1.0e-2], points: 4 }\n`),
    );
    const lrs = [...new Set(runs.map((run) => run.lr))].sort((a, b) => a - b);
    const importance = async (...args: string[]) => sweeps(["best", sweep.id, "--importance", ...args], api.url);

    // Asked by another URL than the ones below, which the read cache would otherwise answer from before the runs finished.
    const before = await importance("--scope", "last");
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /^parameter importance by testAccuracy \(scope last, penalty 0, maximize\): fANOVA over a random forest of 64 trees, 0 complete trials\nnot enough trials: 0 finished with a value, fANOVA needs at least 2\n$/);

    for (const run of runs) {
      const accuracy = 0.5 + 0.1 * lrs.indexOf(run.lr) + (run.batchSize === 64 ? 0.01 : 0);
      await recordEpoch(api.ctx.db, run.id, epochMetrics(1, { testAccuracy: accuracy }), null, summary(accuracy));
      await api.ctx.db.run.update({ where: { id: run.id }, data: { status: "completed", finishedAt: new Date() } });
    }
    const text = await importance();
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /8 complete trials\nPARAMETER\s+IMPORTANCE\s+SCALE\nlr\s+0\.9\d\d\s+\[#{19,20}-?\]\s+log\nbatchSize\s+0\.0\d+\s+\[#?-{19,20}\]\s+categorical\n$/);

    const json = JSON.parse((await importance("--json")).stdout);
    assert.equal(json.assessed, true);
    assert.deepEqual(json.method, { name: "fanova", trees: 64, maxDepth: 64, minSamplesSplit: 2, seed: json.method.seed });
    assert.deepEqual(json.parameters.map((parameter: { name: string }) => parameter.name), ["lr", "batchSize"], "b1 is fixed: not assessed");
    assert.ok(json.parameters[0].importance > 0.95 && json.parameters[1].importance < 0.05, JSON.stringify(json.parameters));
    assert.deepEqual(JSON.parse((await importance("--json")).stdout), json, "the same trials give the same numbers");

    // Every run's generator loss is the same: by that objective there is nothing to explain.
    const byLoss = await importance("--metric", "gLoss");
    assert.match(byLoss.stdout, /^parameter importance by gLoss \(scope last, penalty 0, minimize\)[^\n]*\nnot enough trials: all 8 finished trials have the same value\n$/);
    const missing = await sweeps(["best", "00000000-0000-4000-8000-000000000000", "--importance"], api.url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found/);
  });
});

describe("sweeps tag, note, show and ls --tag", { timeout: 60_000 }, () => {
  const database = `sgan_cli_labels_test_${process.pid}`;
  const url = withDatabase(resolveDatabaseUrl(), database);
  let api: RunningApi;
  before(async () => {
    api = await startApi({ log, port: 0, databaseUrl: url, redisUrl: redisUrl(), queueName: `${queueName}-labels`, reconcileMs: 0 });
  });
  after(async () => {
    await api?.ctx.queue.queue.obliterate({ force: true });
    await api?.close();
    await dropDatabase(url, database);
  });

  test("tag and note label a sweep or a run; ls --tag and show --tag list what has them, escaped; bad tags are the API's 400", async () => {
    const { sweep, runs } = await storeSweep(api.ctx.db, parseSweepText(`${TWO_RUNS}tags: [exp-1]\n`));
    await storeSweep(api.ctx.db, parseSweepText(`${TWO_RUNS}tags: [baseline]\n`));
    const tagged = await sweeps(["tag", sweep.id, "+baseline", "lr:sweep", "-exp-1", "--note", "two rates\nsecond line"], api.url);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(tagged.stdout, `sweep ${sweep.id}\ntags: baseline, lr:sweep\nnote:\n  two rates\n  second line\n`);
    const run = await sweeps(["tag", runs[1].id, "best"], api.url);
    assert.equal(run.stdout, `run ${runs[1].id}\ntags: best\nnote: -\n`);
    const noted = await sweeps(["note", runs[1].id, "evil\u202eright"], api.url);
    assert.equal(noted.stdout, `run ${runs[1].id}\ntags: best\nnote:\n  evil\\u202eright\n`);

    const listed = await sweeps(["ls", "--tag", "baseline", "--tag", "lr:sweep"], api.url);
    assert.equal(listed.code, 0, listed.stderr);
    const [header, row, footer] = listed.stdout.trimEnd().split("\n");
    assert.match(header, /\sCREATED\s+TAGS$/);
    assert.match(row, new RegExp(`^${sweep.id}\\s+cli-test\\s.*\\sbaseline, lr:sweep$`));
    assert.equal(footer, "page 1 of 1, 1 sweep");
    assert.equal((await sweeps(["ls", "--tag", "nowhere"], api.url)).stdout, "no sweep has every tag of nowhere\n");

    const shown = await sweeps(["show", sweep.id, "--tag", "best"], api.url);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!hasActedOn(shown.stdout), JSON.stringify(shown.stdout));
    const lines = shown.stdout.trimEnd().split("\n");
    assert.deepEqual(lines.slice(0, 7), ["sweep cli-test (active): 0/2 runs final - 2 queued", "tags: baseline, lr:sweep", "note:", "  two rates", "  second line", "", "runs with tag best: 1 of 2 runs"]);
    assert.match(lines[7], /^#\s+RUN\s+STATUS\s+EPOCHS\s+FINAL ACC\s+TAGS\s+NOTE$/);
    assert.match(lines[8], new RegExp(`^1\\s+${runs[1].id}\\s+queued\\s+0/1\\s+-\\s+best\\s+evil\\\\u202eright$`));
    assert.equal(lines.length, 9);
    const json = JSON.parse((await sweeps(["show", sweep.id, "--json"], api.url)).stdout);
    assert.deepEqual([json.tags, json.runs.map((entry: { tags: string[] }) => entry.tags)], [["baseline", "lr:sweep"], [[], ["best"]]]);

    const bad = await sweeps(["tag", sweep.id, "+has\u001bescape"], api.url);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ {2}addTags\.0: is no tag: letters, digits and _ \. : - only/m);
    assert.ok(!hasActedOn(bad.stderr), JSON.stringify(bad.stderr));
    const unknown = await sweeps(["note", "00000000-0000-4000-8000-000000000000", "x"], api.url);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: no sweep or run 00000000-0000-4000-8000-000000000000: /);
    const nothing = await sweeps(["tag", sweep.id], api.url);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^sweeps: tag needs \+tag, -tag or --note TEXT\n/);
    const help = await sweeps(["--help"], api.url);
    assert.match(help.stdout, /^ {2}sweeps tag <id> \[\+tag \.\.\.\] \[-tag \.\.\.\] \[--note TEXT\] \[--json\]$/m);
  });

  test("show says why each run stopped early: the pruner's reason, the error (escaped)", async () => {
    const { sweep, runs } = await storeSweep(api.ctx.db, parseSweepText(TWO_RUNS.replace("epochs: 1,", "epochs: 6,").replace("[2.0e-4, 1.0e-3]", "[2.0e-4, 1.0e-3, 5.0e-3]")));
    const reason = "stuck: dAcc stayed within 0.005 of 0.5 for 2 epochs (2-3: 0.5, 0.5), the quietest with within-epoch std 0 (maxSpread 0.002)";
    await api.ctx.db.run.update({ where: { id: runs[0].id }, data: { status: "pruned", prunedReason: reason, epochsDone: 3 } });
    await api.ctx.db.run.update({ where: { id: runs[1].id }, data: { status: "failed", error: "data: bad file \u001b[31mred" } });
    await api.ctx.db.run.update({ where: { id: runs[2].id }, data: { status: "diverged", divergedEpoch: 4, epochsDone: 4 } });
    const shown = await sweeps(["show", sweep.id], api.url);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.endsWith(`\nwhy runs stopped early\n#0 pruned after epoch 3: ${reason}\n#1 failed: data: bad file \\x1b[31mred\n#2 diverged at epoch 4\n`), JSON.stringify(shown.stdout));
    const { runs: [, queued] } = await storeSweep(api.ctx.db, parseSweepText(TWO_RUNS));
    assert.ok(!(await sweeps(["show", queued.sweepId], api.url)).stdout.includes("why runs stopped early"), "nothing to say when no run stopped early");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
