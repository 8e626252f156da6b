// End to end: the real API (PostgreSQL, Redis) serving the built dashboard, seeded through libs/db,
// driven in headless Chromium. Screenshots of every view go to test-output/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { heartbeatWorker, recordEpoch, startRun, stopWorker, type Run } from "../../libs/db/index.ts";
import { publishEvent } from "../../libs/queue/index.ts";
import { classAccuracies, summarizeRun, type RunMetrics } from "../../libs/results/index.ts";
import {
  launchBrowser,
  openView,
  registerTestWorker,
  screenshot,
  seedSweep,
  startDashboard,
  SYNTHETIC_CLASS_IMAGES,
  syntheticEpoch,
  trainRun,
  type Browser,
  type DashboardEnv,
} from "./helpers.ts";

// Markup in a name must show as text, never become elements.
const SWEEP_NAME = `lr-vs-batch <b id="injected">&"bold"</b>`;
const CONFIG = {
  name: SWEEP_NAME,
  strategy: "grid",
  repeats: 2,
  fixed: { epochs: 6, limit: 2000, imgSize: 28 },
  parameters: { batchSize: { choice: [32, 128] }, lr: { choice: [2e-4, 1e-3] } },
  // k only sets the window of the std here (scope last, penalty 0): the ranking's order stays the final accuracy's.
  objective: { k: 3 },
};

describe("dashboard in headless Chromium", { timeout: 120_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let sweepId: string;
  let runs: Run[];
  const shots: string[] = [];

  before(async () => {
    [env, browser] = await Promise.all([startDashboard("e2e"), launchBrowser()]);
    ({ sweepId, runs } = await seedSweep(env.db, CONFIG));
    await registerTestWorker(env.db, "worker-a");
    await registerTestWorker(env.db, "worker-b");
    // 8 runs (4 configurations x 2 repeats): 5 completed, 1 diverged, 1 running, 1 queued.
    for (const i of [0, 1, 2, 4, 5]) await trainRun(env.db, runs[i], "worker-a", 6, "completed", { png: i === 0 });
    await trainRun(env.db, runs[3], "worker-a", 4, "diverged", { png: false });
    await trainRun(env.db, runs[6], "worker-a", 3, "running", { png: false });
  });

  after(async () => {
    for (const path of shots) console.log(`screenshot: ${path}`);
    await browser?.close();
    await env?.close();
  });

  const shownConfusion = (page: Page) =>
    page.locator("#confusion-matrix tbody tr").evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("td.num")].map((cell) => Number(cell.textContent))));
  const waitLive = () => browser.page.waitForSelector('body[data-live="open"]', { timeout: 10_000 });

  it("GET /api/sweeps/:id/metrics gives every run's epoch rows in one response", async () => {
    const response = await fetch(`${env.url}/api/sweeps/${sweepId}/metrics`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { sweepId: string; runs: Array<{ runId: string; status: string; epochs: Array<Record<string, number | null>> }> };
    assert.equal(body.sweepId, sweepId);
    assert.deepEqual(body.runs.map((run) => run.runId), runs.map((run) => run.id), "every run, in index order");
    assert.deepEqual(body.runs.map((run) => run.epochs.length), [6, 6, 6, 4, 6, 6, 3, 0]);
    assert.deepEqual(body.runs[0].epochs.map((row) => row.epoch), [1, 2, 3, 4, 5, 6]);
    assert.equal(Object.keys(body.runs[0].epochs[0]).length, 18, "the metric columns, without runId and createdAt");
    const diverged = body.runs[3].epochs[3];
    assert.equal(diverged.gLossMean, null, "a NaN loss arrives as null");
    assert.equal(body.runs[3].status, "diverged");
    const missing = await fetch(`${env.url}/api/sweeps/00000000-0000-4000-8000-000000000000/metrics`);
    assert.equal(missing.status, 404);
  });

  it("lists the sweep with its run counts and best result", async () => {
    const { page } = browser;
    await openView(page, env.url, "/sweeps", "sweeps");
    const row = page.locator(`#sweeps-table tbody tr[data-id="${sweepId}"]`);
    assert.equal(await row.count(), 1);
    const text = await row.innerText();
    assert.match(text, /5 completed/);
    assert.match(text, /1 diverged/);
    assert.match(text, /1 running/);
    assert.match(text, /6 \/ 8 runs/);
    assert.match(text, /\d+\.\d %/, "best final accuracy as a percentage");
    assert.ok(text.includes(SWEEP_NAME), "the name shows as text");
    assert.equal(await page.locator("#injected").count(), 0, "markup in a sweep name is not rendered");
    shots.push(await screenshot(page, "sweeps"));
  });

  it("sweep page: one table row per run, one curve per run with epochs, map, repeats and best runs", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${sweepId}`, "sweep");
    assert.equal(await page.locator("#run-table tbody tr").count(), 8);
    for (const metric of ["testAccuracy", "dAcc", "dLoss", "gLoss"]) {
      assert.equal(await page.getAttribute(`[data-chart="curves-${metric}"]`, "data-curves"), "7", `curves of ${metric}`);
    }
    // Bands: 7 runs <= the band limit, and every metric but test accuracy has batch extremes.
    assert.equal(await page.getAttribute('[data-chart="curves-dLoss"]', "data-bands"), "7");
    assert.equal(await page.getAttribute('[data-chart="curves-testAccuracy"]', "data-bands"), "0");
    assert.equal(await page.getAttribute('[data-chart="stability-map"]', "data-points"), "4");
    assert.equal(await page.getAttribute('[data-chart="repeats"]', "data-curves"), "4");
    // The best-runs panel lists exactly the API's ranking, in its order: the 5 completed runs (the
    // diverged and the running one have epochs too, but only completed runs are ranked).
    const ranking = (await (await fetch(`${env.url}/api/sweeps/${sweepId}/best`)).json()) as { runs: { entries: Array<{ id: string }> } };
    assert.equal(ranking.runs.entries.length, 5);
    const listed = await page.locator("#best-runs tbody tr").evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    assert.deepEqual(listed, ranking.runs.entries.map((entry) => entry.id));
    assert.equal(await page.locator("h3", { hasText: /^Runs \(/ }).innerText(), "Runs (5 ranked; left out: 1 diverged, 1 running, 1 queued)");
    // Ranked by the sweep's objective, which the form shows (k 3, not the default 5).
    assert.equal(await page.locator("#best-objective").innerText(), "Ranked by the sweep's objective: testAccuracy (scope last, penalty 0, maximize).");
    assert.equal(await page.locator('.best-controls input[name="k"]').inputValue(), "3");
    assert.equal(await page.locator("#injected").count(), 0);
    assert.ok((await page.locator("h1").innerText()).includes(SWEEP_NAME));

    // Sorting by final accuracy puts the best completed run first, as the API's ranking does.
    await page.locator("#run-table th button.sort", { hasText: "final acc" }).click();
    const firstId = await page.locator("#run-table tbody tr").first().getAttribute("data-id");
    const bestId = await page.locator("#best-runs tbody tr").first().getAttribute("data-id");
    assert.equal(firstId, bestId);

    // Hovering a curve shows the run and its hyperparameters: probe down the last epoch's column.
    const chart = page.locator('[data-chart="curves-testAccuracy"]');
    // Sorting scrolled the table into view: bring the chart back (the page is taller than the screen).
    await chart.scrollIntoViewIfNeeded();
    const canvas = await chart.locator("canvas").boundingBox();
    const [left, top, width, height] = (await chart.getAttribute("data-area"))!.split(",").map(Number);
    const tooltip = chart.locator(".chart-tooltip");
    for (let y = top; y <= top + height && !(await tooltip.isVisible()); y += 12) {
      await page.mouse.move(canvas!.x + left + width - 1, canvas!.y + y);
      await page.waitForTimeout(30);
    }
    assert.ok(await tooltip.isVisible(), "a tooltip shows near the curves");
    assert.match(await tooltip.innerText(), /run #\d+ \([0-9a-f]{8}\)[\s\S]*epoch 6: \d+\.\d %[\s\S]*batchSize = (32|128)[\s\S]*lr = [12]\.0e-[34]/);
    await page.mouse.move(0, 0);

    // Filtering and selection change what is drawn.
    await page.fill("#run-filter", "batchSize=128");
    assert.equal(await page.locator("#run-table tbody tr").count(), 4);
    await page.locator("button", { hasText: /^filtered$/ }).click();
    await page.waitForSelector('[data-chart="curves-testAccuracy"][data-curves="3"]');
    await page.fill("#run-filter", "");
    await page.locator("button", { hasText: /^all$/ }).click();
    await page.waitForSelector('[data-chart="curves-testAccuracy"][data-curves="7"]');
    shots.push(await screenshot(page, "sweep"));

    // A new epoch of the queued run arrives live: its curve appears without reload.
    await waitLive();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const queued = runs[7];
    await startRun(env.db, queued.id, "worker-b", "cpu", "2 cores");
    const row = syntheticEpoch(queued, 1);
    await recordEpoch(env.db, queued.id, row, null, summarizeRun([row]));
    await publishEvent(env.api.ctx.publisher, { type: "run-status", runId: queued.id, sweepId, status: "running", workerId: "worker-b" });
    await publishEvent(env.api.ctx.publisher, {
      type: "run-epoch",
      runId: queued.id,
      sweepId,
      epoch: 1,
      testAccuracy: row.testAccuracy,
      dAccMean: row.dAccMean,
      gLossMean: row.gLossMean,
      dLossMean: row.dLossMean,
    });
    await page.waitForSelector('[data-chart="curves-testAccuracy"][data-curves="8"]', { timeout: 10_000 });
    await page.waitForSelector(`#run-table tr[data-id="${queued.id}"] .badge.status-running`, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, "no reload");
  });

  it("run page: config, curves with bands, sample grid slider, confusion matrix and status log", async () => {
    const { page } = browser;
    await openView(page, env.url, `/runs/${runs[0].id}`, "run");
    assert.equal(await page.getAttribute('[data-chart="run-gLoss"]', "data-curves"), "1");
    assert.equal(await page.getAttribute('[data-chart="run-gLoss"]', "data-bands"), "1");
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>("img.sample");
      return image !== null && image.complete && image.naturalWidth > 0;
    });
    assert.match(await page.locator("img.sample").getAttribute("src") ?? "", /\/samples\/6\.png$/);
    await page.locator("#sample-epoch").fill("0");
    assert.match(await page.locator("img.sample").getAttribute("src") ?? "", /\/samples\/1\.png$/);
    const log = await page.locator("#run-events tbody").innerText();
    assert.match(log, /queued/);
    assert.match(log, /running/);
    assert.match(log, /completed/);
    assert.match(await page.locator(".facts").innerText(), /worker\s+worker-a/, "a completed run names the worker that trained it");
    assert.match(await page.locator(".config").innerText(), /batchSize\s+(32|128)/);

    // The confusion matrix: the latest epoch's counts (true class rows), shaded by share of the row,
    // each class's accuracy; the slider goes back to epoch 1.
    const metrics: RunMetrics = await (await fetch(`${env.url}/api/runs/${runs[0].id}/metrics`)).json();
    const latest = metrics.epochs.at(-1)!.confusion!;
    assert.deepEqual(await shownConfusion(page), latest);
    const shares = await page.locator("#confusion-matrix tbody tr").first().locator("td.num").evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell).backgroundColor));
    const rowImages = latest[0].reduce((a, b) => a + b, 0);
    for (const [column, color] of shares.entries()) {
      const alpha = /rgba?\([^)]*?,\s*([\d.]+)\)$/.exec(color)?.[1] ?? (latest[0][column] === rowImages ? "1" : "0");
      assert.ok(Math.abs(Number(alpha) - latest[0][column] / rowImages) < 0.01, `cell (0, ${column}) ${color} for ${latest[0][column]} of ${rowImages}`);
    }
    assert.deepEqual(await page.locator("#confusion-matrix td.class-accuracy").allInnerTexts(), classAccuracies(latest).map((accuracy) => `${(accuracy! * 100).toFixed(1)} %`));
    assert.match(await page.locator(".confusion figcaption").innerText(), new RegExp(`after epoch 6: ${SYNTHETIC_CLASS_IMAGES * 10} held-out images`));
    await page.locator("#confusion-epoch").fill("0");
    assert.deepEqual(await shownConfusion(page), metrics.epochs[0].confusion);
    shots.push(await screenshot(page, "run"));

    // A new epoch of a training run arrives live: its matrix is shown without reload.
    const running = runs[6];
    await openView(page, env.url, `/runs/${running.id}`, "run");
    await waitLive();
    const rows = [1, 2, 3, 4].map((epoch) => syntheticEpoch(running, epoch));
    await recordEpoch(env.db, running.id, rows[3], null, summarizeRun(rows));
    const { testAccuracy, dAccMean, gLossMean, dLossMean } = rows[3];
    await publishEvent(env.api.ctx.publisher, { type: "run-epoch", runId: running.id, sweepId, epoch: 4, testAccuracy, dAccMean, gLossMean, dLossMean });
    await page.waitForFunction(() => document.querySelector(".confusion figcaption")?.textContent?.startsWith("after epoch 4:"), null, { timeout: 10_000 });
    assert.deepEqual(await shownConfusion(page), rows[3].confusion);
  });

  it("workers view: live progress and a dead worker appear without reload", async () => {
    const { page } = browser;
    const running = runs[6];
    await heartbeatWorker(env.db, "worker-a", {
      [running.id]: { runId: running.id, sweepId, epoch: 4, epochs: 6, batch: 10, batches: 63, samplesPerSec: 512, etaSeconds: 95 },
    });
    await heartbeatWorker(env.db, "worker-b", null);
    await openView(page, env.url, "/workers", "workers");
    await waitLive();
    const runBox = page.locator(`.worker[data-id="worker-a"] .worker-run[data-run="${running.id}"]`);
    assert.match(await runBox.innerText(), /epoch 4\/6 · batch 10\/63/);
    assert.match(await runBox.innerText(), /512 samples\/s/);
    assert.equal(await page.getAttribute('.worker[data-id="worker-b"]', "data-state"), "alive");
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));

    await publishEvent(env.api.ctx.publisher, {
      type: "run-progress",
      runId: running.id,
      sweepId,
      workerId: "worker-a",
      epochs: 6,
      epoch: 5,
      batch: 40,
      batches: 63,
      samplesPerSec: 530,
      etaSeconds: 30,
    });
    await publishEvent(env.api.ctx.publisher, { type: "worker", workerId: "worker-b", alive: false, host: "test-host", backend: "cpu", device: "2 cores", runs: [] });
    await page.waitForSelector(`.worker[data-id="worker-a"] .worker-run[data-run="${running.id}"][data-batch="40"]`, { timeout: 10_000 });
    await page.waitForSelector('.worker[data-id="worker-b"][data-state="dead"]', { timeout: 10_000 });
    const progress = page.locator(`.worker[data-id="worker-a"] .worker-run[data-run="${running.id}"] [role="progressbar"]`);
    // Epoch 5 of 6, batch 40 of 63: (4 + 40/63) / 6.
    assert.equal(Number(await progress.getAttribute("aria-valuenow")), Math.round(((4 + 40 / 63) / 6) * 1000) / 10);
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 7, "no reload");
    shots.push(await screenshot(page, "workers"));
  });

  it("workers view: current workers as cards, stopped ones collapsed with a count; only running runs are current", async () => {
    const { page } = browser;
    for (const id of ["worker-old-1", "worker-old-2"]) {
      await registerTestWorker(env.db, id);
      await stopWorker(env.db, id);
    }
    const [finished, running] = [runs[0], runs[6]];
    // A heartbeat stored as the finished run's last batch ended: that run is no longer current.
    await heartbeatWorker(env.db, "worker-a", {
      [finished.id]: { runId: finished.id, sweepId, epoch: 6, epochs: 6, batch: 63, batches: 63, samplesPerSec: 512, etaSeconds: 0 },
      [running.id]: { runId: running.id, sweepId, epoch: 4, epochs: 6, batch: 12, batches: 63, samplesPerSec: 512, etaSeconds: 90 },
    });
    // A fresh load, as a user reloading the page: the previous test left this view open.
    await page.goto("about:blank");
    await openView(page, env.url, "/workers", "workers");
    const current = await page.locator("#workers > .worker").evaluateAll((cards) => cards.map((card) => (card as HTMLElement).dataset.id));
    assert.deepEqual(current.sort(), ["worker-a", "worker-b"]);
    const stopped = page.locator("#workers details.stopped-workers");
    assert.equal(await stopped.getAttribute("open"), null, "collapsed");
    assert.equal(await stopped.locator("summary").innerText(), "2 stopped workers");
    assert.deepEqual(
      (await stopped.locator(".worker").evaluateAll((cards) => cards.map((card) => `${(card as HTMLElement).dataset.id} ${(card as HTMLElement).dataset.state}`))).sort(),
      ["worker-old-1 stopped", "worker-old-2 stopped"],
    );
    const shown = await page.locator('.worker[data-id="worker-a"] .worker-run').evaluateAll((boxes) => boxes.map((box) => (box as HTMLElement).dataset.run));
    assert.deepEqual(shown, [running.id]);
    await stopped.locator("summary").click();
    shots.push(await screenshot(page, "workers-stopped"));
  });

  it("submitting an invalid config shows the error next to the field; a valid one opens the new sweep", async () => {
    const { page } = browser;
    await openView(page, env.url, "/sweeps", "sweeps");
    await page.fill("#sweep-form-name", "too many repeats");
    await page.fill("#sweep-form-repeats", "50");
    await page.locator("#sweep-form button[type=submit]").click();
    const error = page.locator('.field[data-field="repeats"] .field-error');
    await error.waitFor({ state: "visible", timeout: 10_000 });
    assert.match(await error.innerText(), /repeats.*50/s);
    assert.equal(await page.getAttribute("#sweep-form-repeats", "aria-invalid"), "true");
    shots.push(await screenshot(page, "submit-error"));

    // Pasted YAML: an unknown key is refused with its path.
    await page.locator('[data-tab="yaml"]').click();
    await page.fill("#sweep-yaml", "name: pasted\ncolour: 1\n");
    await page.locator("#sweep-yaml-form button[type=submit]").click();
    await page.locator("#sweep-yaml-errors li").first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator("#sweep-yaml-errors").innerText(), /colour.*unknown key/s);

    // The form's own defaults are a valid sweep: 6 configurations x 2 repeats.
    await page.locator('[data-tab="form"]').click();
    await page.fill("#sweep-form-name", "from the form");
    await page.fill("#sweep-form-repeats", "2");
    await page.locator("#sweep-form button[type=submit]").click();
    await page.waitForSelector('[data-view="sweep"][data-ready="true"]', { timeout: 20_000 });
    assert.equal(await page.locator("#run-table tbody tr").count(), 12);
    assert.equal(await page.getAttribute('[data-chart="curves-testAccuracy"]', "data-curves"), "0");
    assert.match(await page.locator(".curves .note").innerText(), /No epochs yet/);
  });

  it("a submit whose answer was lost, sent again, opens the sweep the first try created (Idempotency-Key)", async () => {
    const { page } = browser;
    await openView(page, env.url, "/sweeps", "sweeps");
    // The first POST reaches the API and is stored; its answer never reaches the page.
    let dropped = 0;
    await page.route("**/api/sweeps", async (route) => {
      if (route.request().method() !== "POST" || dropped > 0) return route.continue();
      dropped++;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await page.fill("#sweep-form-name", "answer lost");
    await page.fill("#sweep-form-repeats", "1");
    await page.locator("#sweep-form button[type=submit]").click();
    await page.locator("#sweep-form .form-errors li").first().waitFor({ state: "visible", timeout: 10_000 });
    assert.match(await page.locator("#sweep-form").innerText(), /cannot reach the API/);
    await page.locator("#sweep-form button[type=submit]").click();
    await page.waitForSelector('[data-view="sweep"][data-ready="true"]', { timeout: 20_000 });
    await page.unroute("**/api/sweeps");
    const listed = (await (await fetch(`${env.url}/api/sweeps?pageSize=200`)).json()) as { items: Array<{ name: string }> };
    assert.equal(dropped, 1);
    assert.equal(listed.items.filter((sweep) => sweep.name === "answer lost").length, 1, "one sweep, not two");
  });

  it("raised no script errors or content-security-policy violations", () => {
    const unexpected = browser.errors.filter((error) => !/Failed to load resource: (the server responded with a status of 400|net::ERR_CONNECTION_RESET)/.test(error));
    assert.deepEqual(unexpected, []);
  });
});
