// Exports of a sweep's results against the real API and PostgreSQL: the CSV (parsed strictly as RFC
// 4180) and the JSON carry the same numbers as the API's JSON reads (an epoch's confusion matrix as
// JSON text in one CSV column, nested arrays in JSON), metric figures as the shortest
// decimal of the same float32; the CLI writes the same files; a hostile sweep name stays inert.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { float32Text, type BestResponse, type RunMetrics, type SweepDetail, type SweepExportJson, type SweepMetrics } from "../../libs/results/index.ts";
import { Prisma } from "../../libs/db/index.ts";
import { printable } from "../../libs/terminal-text/index.ts";
import { registerTestWorker, seedSweep, trainRun } from "../dashboard/helpers.ts";
import { csvObjects } from "../support/csv.ts";
import { hasActedOn, HOSTILE } from "../support/hostile-text.ts";
import { runSweepsCli } from "../support/sweeps-cli.ts";
import { call, dropTestDatabase, startTestApi, type TestApi } from "./helpers.ts";

const DATABASE = `sgan_export_test_${process.pid}`;
const NAME = `${HOSTILE}, "quoted"`;
/** What `--json` printed before: 0.097 after float64 arithmetic. */
const NOISY = 0.09699999999999998;
const SUMMARY_FIGURES = ["finalTestAccuracy", "bestTestAccuracy", "lastKMeanTestAccuracy", "testAccuracyStdLastK", "maxGLoss", "finalDLoss"] as const;
const EPOCH_FIGURES = ["dLossMean", "dLossStd", "gLossMax", "dAccMean", "testAccuracy", "testClassLoss", "samplesPerSec", "wallSeconds"] as const;

/** The exported figure is the same float32 as the API's, written as its shortest decimal. */
function assertSameFigure(exported: string | number | null, api: number | null, where: string): void {
  if (api === null) return assert.ok(exported === "" || exported === null, `${where}: empty, got ${exported}`);
  assert.equal(String(exported), float32Text(api), where);
  assert.equal(Math.fround(Number(exported)), Math.fround(api), where);
}

describe("sweep exports", { timeout: 60_000 }, () => {
  let api: TestApi;
  let sweepId: string;
  let detail: SweepDetail;
  let dir: string;
  const get = (path: string) => call(api.url, path);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sweep-export-"));
    api = await startTestApi(DATABASE);
    const db = api.ctx.db;
    await registerTestWorker(db, "export-worker");
    const seeded = await seedSweep(db, {
      name: NAME,
      strategy: "grid",
      fixed: { epochs: 3, dataset: "mnist", imgSize: 28, limit: 64 },
      parameters: { batchSize: { choice: [32, 64] }, lr: { choice: [2.0e-4, 1.0e-3] } },
    });
    sweepId = seeded.sweepId;
    const [first, second, third] = seeded.runs;
    await trainRun(db, first, "export-worker", 3, "completed", { png: false });
    await trainRun(db, second, "export-worker", 3, "completed", { png: false });
    await trainRun(db, third, "export-worker", 1, "failed", { png: false });
    // Also an epoch as stored before confusion matrices were: none.
    await db.epochMetric.update({ where: { runId_epoch: { runId: first.id, epoch: 1 } }, data: { testAccuracy: NOISY, confusion: Prisma.DbNull } });
    detail = (await get(`/api/sweeps/${sweepId}`)).body;
  });

  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
    await rm(dir, { recursive: true, force: true });
  });

  it("runs as CSV: a row per run, a column per hyperparameter, the API's figures and objective", async () => {
    const response = await get(`/api/sweeps/${sweepId}/export?format=csv&rows=runs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
    assert.equal(response.headers.get("content-disposition"), `attachment; filename=sweep-${sweepId}-runs.csv`);
    const text = response.body as string;
    assert.equal(hasActedOn(text.replaceAll("\r\n", "\n")), false, "no raw control character from the sweep name");
    const rows = csvObjects(text);
    assert.equal(rows.length, detail.runs.length);
    const best: BestResponse = (await get(`/api/sweeps/${sweepId}/best?limit=100`)).body;
    for (const [i, run] of detail.runs.entries()) {
      const row = rows[i];
      assert.equal(row.sweep, printable(NAME));
      assert.equal(row.runId, run.id);
      assert.equal(row.status, run.status);
      assert.equal(Number(row.batchSize), run.hyperparameters.batchSize);
      assert.equal(Number(row.lr), run.hyperparameters.lr, "hyperparameters keep their float64");
      for (const figure of SUMMARY_FIGURES) assertSameFigure(row[figure], run.summary?.[figure] ?? null, `${run.id} ${figure}`);
      const ranked = best.runs.entries.find((entry) => entry.id === run.id);
      assertSameFigure(row.objective, ranked?.score ?? null, `${run.id} objective`);
      const trial = detail.trials.find((candidate) => candidate.runIds.includes(run.id))!;
      assert.equal(Number(row.trial), trial.number);
      assertSameFigure(row.trialObjective, trial.value, `${run.id} trial objective`);
    }
    assert.equal(rows.filter((row) => row.objective !== "").length, 2, "only completed runs have an objective value");
  });

  it("epochs as CSV and JSON: every epoch row, figures as the API's, without float noise", async () => {
    const metrics: SweepMetrics = (await get(`/api/sweeps/${sweepId}/metrics`)).body;
    const csv = csvObjects((await get(`/api/sweeps/${sweepId}/export?format=csv&rows=epochs`)).body);
    const json: SweepExportJson = (await get(`/api/sweeps/${sweepId}/export?format=json&rows=epochs`)).body;
    assert.equal(json.name, NAME);
    const apiRows = metrics.runs.flatMap((run) => run.epochs.map((epoch) => ({ runId: run.runId, ...epoch })));
    assert.equal(csv.length, apiRows.length);
    assert.equal(json.data.length, apiRows.length);
    for (const [i, expected] of apiRows.entries()) {
      assert.equal(csv[i].runId, expected.runId);
      assert.equal(Number(csv[i].epoch), expected.epoch);
      assert.equal(json.data[i].epoch, expected.epoch);
      for (const figure of EPOCH_FIGURES) {
        assertSameFigure(csv[i][figure], expected[figure], `csv row ${i} ${figure}`);
        assertSameFigure(json.data[i][figure] as number, expected[figure], `json row ${i} ${figure}`);
      }
    }
    const confusions = (await Promise.all(metrics.runs.map(async (run) => ((await get(`/api/runs/${run.runId}/metrics`)).body as RunMetrics).epochs))).flat();
    for (const [i, { confusion }] of confusions.entries()) {
      assert.deepEqual(csv[i].confusion === "" ? null : JSON.parse(csv[i].confusion), confusion, `csv row ${i}: the matrix as JSON text`);
      assert.deepEqual(json.data[i].confusion, confusion, `json row ${i}: the matrix as nested arrays`);
    }
    const noisy = apiRows.findIndex((row) => row.testAccuracy === NOISY);
    assert.deepEqual([confusions[noisy].confusion, confusions[noisy].classAccuracy, csv[noisy].confusion], [null, null, ""], "an epoch without a matrix");
    assert.equal(confusions.filter((row) => row.confusion !== null).length, apiRows.length - 1);
    assert.equal(csv[noisy].testAccuracy, "0.097");
    assert.equal(json.data[noisy].testAccuracy, 0.097);
  });

  it("runs carry their tags and note, the JSON the sweep's; a note's line break is written as a visible escape", async () => {
    const patch = (path: string, body: object) => call(api.url, path, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const [first] = detail.runs;
    assert.equal((await patch(`/api/sweeps/${sweepId}`, { tags: ["exported"], note: "sweep note" })).status, 200);
    assert.equal((await patch(`/api/runs/${first.id}`, { tags: ["best", "lr:2e-4"], note: "=looks\ngood" })).status, 200);
    const csv = csvObjects((await get(`/api/sweeps/${sweepId}/export?format=csv&rows=runs`)).body);
    assert.deepEqual([csv[0].tags, csv[0].note], ["best lr:2e-4", "'=looks\\ngood"], "one line per row, a formula-looking note defused");
    assert.deepEqual([csv[1].tags, csv[1].note], ["", ""]);
    const json: SweepExportJson = (await get(`/api/sweeps/${sweepId}/export?format=json&rows=runs`)).body;
    assert.deepEqual([json.tags, json.note], [["exported"], "sweep note"]);
    assert.deepEqual([json.data[0].tags, json.data[0].note], ["best lr:2e-4", "=looks\ngood"]);
  });

  it("refuses an unknown format naming the parameter, and answers 404 for no such sweep", async () => {
    const bad = await get(`/api/sweeps/${sweepId}/export?format=xml`);
    assert.equal(bad.status, 400);
    assert.ok(bad.body.issues.some((issue: { path: string }) => issue.path.includes("format")), JSON.stringify(bad.body));
    assert.equal((await get(`/api/sweeps/00000000-0000-4000-8000-000000000000/export`)).status, 404);
  });

  it("sweeps export writes what the API serves: CSV on stdout, JSON of the epochs to --out", async () => {
    const env = { SWEEPS_API_URL: api.url };
    const printed = await runSweepsCli(["export", sweepId], { env });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, (await get(`/api/sweeps/${sweepId}/export?format=csv`)).body);
    const file = join(dir, "epochs.json");
    const written = await runSweepsCli(["export", sweepId, "--format", "json", "--epochs", "--out", file], { env });
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")), (await get(`/api/sweeps/${sweepId}/export?format=json&rows=epochs`)).body);
    const refused = await runSweepsCli(["export", sweepId, "--format", "xml"], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--format is csv or json/);
  });
});
