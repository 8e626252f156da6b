// Seeing the search (issue 12 §5), in headless Chromium against the real API and PostgreSQL: the
// optimization history, pruned runs marked, parallel coordinates, parameter importance, a map that
// keeps configurations apart, the across-repeats legend, and labels that name what varies with enough digits.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Run } from "../../libs/db/index.ts";
import type { BestResponse, ImportanceResponse, SweepDetail } from "../../libs/results/index.ts";
import { launchBrowser, openView, registerTestWorker, screenshot, seedSweep, startDashboard, trainRun, type Browser, type DashboardEnv } from "./helpers.ts";

// 2 x 2 x 2 configurations: learning rates 1.0309e-4 and 1.0329e-4 (they print alike with 2 digits),
// batch sizes 32 and 64, and the two variants, which share every (lr, batch size) point of the map.
const CONFIG = {
  name: "search view",
  strategy: "grid",
  repeats: 1,
  fixed: { epochs: 6, limit: 2000, imgSize: 28 },
  parameters: {
    batchSize: { log2int: [32, 64] },
    lr: { loguniform: [1.0309e-4, 1.0329e-4], points: 2 },
    variant: { choice: ["improved", "reference"] },
  },
};
const REASON = "stuck: d_acc within 0.001 of 0.500 for 3 epochs";

describe("the sweep page shows the search", { timeout: 120_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let sweepId: string;
  let runs: Run[];
  const shots: string[] = [];
  const PRUNED = [2, 5];
  const RUNNING = 7;

  before(async () => {
    [env, browser] = await Promise.all([startDashboard("search"), launchBrowser()]);
    ({ sweepId, runs } = await seedSweep(env.db, CONFIG));
    await registerTestWorker(env.db, "worker-a");
    for (const [i, run] of runs.entries()) {
      if (PRUNED.includes(i)) {
        await trainRun(env.db, run, "worker-a", 3, "pruned", { png: false });
        await env.db.run.update({ where: { id: run.id }, data: { prunedReason: REASON } });
      } else {
        await trainRun(env.db, run, "worker-a", i === RUNNING ? 2 : 6, i === RUNNING ? "running" : "completed", { png: false });
      }
    }
  });

  after(async () => {
    for (const path of shots) console.log(`screenshot: ${path}`);
    await browser?.close();
    await env?.close();
  });

  const detail = async () => (await (await fetch(`${env.url}/api/sweeps/${sweepId}`)).json()) as SweepDetail;

  it("GET /api/sweeps/:id lists the trials in the order asked, with the ranking's values and the best so far", async () => {
    const sweep = await detail();
    const best = (await (await fetch(`${env.url}/api/sweeps/${sweepId}/best?limit=100`)).json()) as BestResponse;
    assert.deepEqual(sweep.trials.map((trial) => trial.number), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(sweep.trials.map((trial) => trial.configKey), runs.map((run) => run.configKey), "one run per configuration, in index order");
    assert.deepEqual(sweep.trials.map((trial) => trial.state), ["complete", "complete", "pruned", "complete", "complete", "pruned", "complete", "running"]);
    const scores = new Map(best.configurations.entries.map((entry) => [entry.configKey, entry.score]));
    for (const trial of sweep.trials.filter((t) => t.state === "complete")) assert.equal(trial.value, scores.get(trial.configKey), "the ranking's score");
    const metrics = (await (await fetch(`${env.url}/api/runs/${runs[2].id}/metrics`)).json()) as { epochs: Array<{ testAccuracy: number }> };
    assert.equal(sweep.trials[2].value, metrics.epochs.at(-1)!.testAccuracy, "a pruned trial: its last value");
    assert.equal(sweep.trials[2].step, 3);
    assert.equal(sweep.trials[2].prunedReason, REASON);
    assert.equal(sweep.trials[7].value, null, "a running trial has no value yet");
    let bestValue: number | null = null;
    for (const trial of sweep.trials) {
      if (trial.state === "complete") bestValue = Math.max(bestValue ?? -Infinity, trial.value!);
      assert.equal(trial.bestSoFar, bestValue, `best so far at trial ${trial.number}`);
    }
  });

  it("optimization history: a point per trial with a value, pruned ones as crosses with their reason, and the best-so-far line", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${sweepId}`, "sweep");
    const chart = page.locator('[data-chart="history"]');
    assert.equal(await chart.getAttribute("data-complete"), "5");
    assert.equal(await chart.getAttribute("data-pruned"), "2");
    const sweep = await detail();
    assert.equal(Number(await chart.getAttribute("data-best")), sweep.trials.at(-1)!.bestSoFar);
    assert.match(await page.locator(".history .chart-legend").innerText(), /complete[\s\S]*pruned[\s\S]*best so far/);
    // Trial 2 was pruned: probe down its column (trials sit at x = number, the axis spans -0.5 to n - 0.5).
    await chart.scrollIntoViewIfNeeded();
    const canvas = (await chart.locator("canvas").boundingBox())!;
    const [left, top, width, height] = (await chart.getAttribute("data-area"))!.split(",").map(Number);
    const x = canvas.x + left + ((2 + 0.5) / 8) * width;
    const tooltip = chart.locator(".chart-tooltip");
    for (let y = top; y <= top + height && !(await tooltip.isVisible()); y += 4) {
      await page.mouse.move(x, canvas.y + y);
      await page.waitForTimeout(20);
    }
    assert.ok(await tooltip.isVisible(), "a tooltip over the pruned trial");
    const text = await tooltip.innerText();
    assert.match(text, /trial 2, pruned at epoch 3/);
    assert.ok(text.includes(REASON), text);
    assert.match(text, /lr = 1\.03[13]e-4/);
    await page.mouse.move(0, 0);
  });

  it("pruned runs: the table says why, and their curves end with a mark whose tooltip says why", async () => {
    const { page } = browser;
    for (const i of PRUNED) {
      const row = page.locator(`#run-table tr[data-id="${runs[i].id}"]`);
      assert.equal(await row.locator(".badge.status-pruned").count(), 1);
      assert.ok((await row.innerText()).includes(REASON));
    }
    assert.equal(await page.getAttribute('[data-chart="curves-testAccuracy"]', "data-pruned"), "2");
    await page.locator('select[name="status"]').selectOption("pruned");
    await page.locator("button", { hasText: /^filtered$/ }).click();
    const chart = page.locator('[data-chart="curves-testAccuracy"]');
    await page.waitForSelector('[data-chart="curves-testAccuracy"][data-curves="2"]');
    const canvas = (await chart.locator("canvas").boundingBox())!;
    const [left, top, width, height] = (await chart.getAttribute("data-area"))!.split(",").map(Number);
    const tooltip = chart.locator(".chart-tooltip");
    for (let y = top; y <= top + height && !(await tooltip.isVisible()); y += 6) {
      await page.mouse.move(canvas.x + left + width - 1, canvas.y + y);
      await page.waitForTimeout(20);
    }
    assert.ok(await tooltip.isVisible());
    assert.match(await tooltip.innerText(), new RegExp(`epoch 3: [\\s\\S]*pruned at epoch 3: ${REASON.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    await page.mouse.move(0, 0);
    await page.locator('select[name="status"]').selectOption("");
    await page.locator("button", { hasText: /^all$/ }).click();
  });

  it("labels name what varies with enough digits to tell the learning rates apart", async () => {
    const { page } = browser;
    await page.waitForSelector('[data-chart="repeats"][data-curves="8"]');
    const lrCells = await page.locator("#run-table tbody td.hp-lr").allInnerTexts();
    assert.deepEqual([...new Set(lrCells)].sort(), ["1.031e-4", "1.033e-4"]);
    const legend = await page.locator(".repeats .chart-legend li").allInnerTexts();
    assert.equal(legend.length, 8, "one legend entry per configuration drawn");
    assert.ok(legend.some((text) => text.includes("bs 32 lr 1.031e-4 variant reference")), legend.join(" | "));
  });

  it("parallel coordinates: an axis per varying parameter (log for log-scaled ones, categorical for choices) and the objective, a line per trial", async () => {
    const { page } = browser;
    const chart = page.locator('[data-chart="parallel"]');
    assert.equal(await chart.getAttribute("data-axes"), "batchSize:log,lr:log,variant:categorical,objective:linear");
    assert.equal(await chart.getAttribute("data-lines"), "8");
    assert.deepEqual(await chart.locator(".axis-label").allInnerTexts(), ["bs", "lr", "variant", "testAccuracy (last)"]);
  });

  it("parameter importance: a bar per varying parameter, in the API's order, the batch size first", async () => {
    const { page } = browser;
    const importance = (await (await fetch(`${env.url}/api/sweeps/${sweepId}/importance`)).json()) as ImportanceResponse;
    assert.ok(importance.assessed, JSON.stringify(importance));
    assert.equal(importance.trials, 5, "the complete trials: not the pruned or the running ones");
    const order = importance.parameters.map((parameter) => parameter.name);
    // The synthetic curves' plateau falls with 16 / batchSize; the two learning rates differ by 0.2%
    // and the variant not at all (only the jitter, by run, tells them apart): the batch size holds most of the variance.
    assert.equal(order[0], "batchSize");
    assert.ok(importance.parameters[0].importance > 0.5, JSON.stringify(importance.parameters));
    assert.deepEqual([...order].sort(), ["batchSize", "lr", "variant"]);
    const chart = page.locator('[data-chart="importance"]');
    await chart.scrollIntoViewIfNeeded();
    assert.equal(await chart.getAttribute("data-parameters"), order.join(","));
    assert.match(await page.locator("#importance-note").innerText(), /^Assessed by testAccuracy \(last\) over 5 complete trials, a forest of 64 trees; batchSize explains most \(\d+(\.\d+)?%\)\.$/);
  });

  it("the stability map draws configurations that differ only in the variant as distinct points", async () => {
    const { page } = browser;
    const map = page.locator('[data-chart="stability-map"]');
    assert.equal(await map.getAttribute("data-points"), "8");
    assert.equal(await map.getAttribute("data-positions"), "8");
    shots.push(await screenshot(page, "sweep-search"));
  });

  it("raised no script errors", () => {
    assert.deepEqual(browser.errors, []);
  });
});
