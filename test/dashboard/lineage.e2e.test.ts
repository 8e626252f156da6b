// The sweep page's lineage panel, in headless Chromium against the real API and PostgreSQL: a pbt
// sweep whose run #1 copied run #0's checkpoint as of epoch 4 at its epoch 2 (stored through libs/db's
// recordPbtDecision, epochs seeded without training) shows the exploit and each run's schedule; a grid
// sweep's page has no lineage panel.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { recordPbtDecision, saveCheckpoint, type Run } from "../../libs/db/index.ts";
import type { LineageResponse } from "../../libs/results/index.ts";
import type { TrainingConfig } from "../../libs/sgan/index.ts";
import { launchBrowser, openView, registerTestWorker, screenshot, seedSweep, startDashboard, trainRun, type Browser, type DashboardEnv } from "./helpers.ts";

const PBT = {
  name: "lineage view",
  strategy: "pbt",
  seed: 2,
  pbt: { population: 3, interval: 2 },
  fixed: { epochs: 6, limit: 2000, imgSize: 28 },
  parameters: { lr: { loguniform: [1e-4, 1e-3] } },
};
const GRID = { name: "no lineage", strategy: "grid", fixed: { epochs: 2, limit: 2000, imgSize: 28 }, parameters: { lr: 1e-3 } };

describe("the sweep page shows a pbt sweep's lineage", { timeout: 90_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let pbtSweep: string;
  let gridSweep: string;
  let runs: Run[];
  const shots: string[] = [];

  before(async () => {
    [env, browser] = await Promise.all([startDashboard("lineage"), launchBrowser()]);
    ({ sweepId: pbtSweep, runs } = await seedSweep(env.db, PBT));
    ({ sweepId: gridSweep } = await seedSweep(env.db, GRID));
    await registerTestWorker(env.db, "worker-a");
    await trainRun(env.db, runs[0], "worker-a", 4, "running", { png: false });
    await saveCheckpoint(env.db, runs[0].id, 4, Buffer.from("run 0 as of epoch 4"), "worker-a");
    for (const run of runs.slice(1)) await trainRun(env.db, run, "worker-a", 2, "running", { png: false });
    const donor = runs[0].params as TrainingConfig;
    const params = { ...donor, lr: donor.lr * 1.2 };
    await recordPbtDecision(env.db, { runId: runs[1].id, epoch: 2 }, () => ({
      action: "exploit",
      fromRunId: runs[0].id,
      fromEpoch: 4,
      changes: [{ field: "lr", from: donor.lr, to: params.lr, operation: { kind: "multiply", factor: 1.2, clamped: false } }],
      run: { params, batchSize: params.batchSize, lr: params.lr, seed: params.seed, variant: params.variant },
      reason: "rank 3 of 3, in the bottom 1: copies run #0",
    }), "worker-a");
    await recordPbtDecision(env.db, { runId: runs[2].id, epoch: 2 }, () => ({ action: "continue", reason: "rank 2 of 3: not in the bottom 1" }), "worker-a");
  });

  after(async () => {
    for (const path of shots) console.log(`screenshot: ${path}`);
    await browser?.close();
    await env?.close();
  });

  it("lists the exploit and draws each run's schedule, the copied epochs as the donor's", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${pbtSweep}`, "sweep");
    const panel = page.locator(".panel.lineage");
    assert.ok(await panel.isVisible());
    assert.equal(await page.locator("#lineage-note").textContent(), "2 decisions, 1 exploits; perturbs lr.");
    const rows = panel.locator(".lineage-exploits tbody tr");
    assert.equal(await rows.count(), 1);
    assert.deepEqual(await rows.first().locator("td").allTextContents(), ["2", "#1", "#0 as of epoch 4", await rows.first().locator("td").nth(3).textContent()]);
    assert.match((await rows.first().locator("td").nth(3).textContent())!, /^lr \S+ → \S+ \(x1\.2\)$/);
    const segments = async (index: number) =>
      panel.locator(`.schedule[data-run="${index}"] .segment`).evaluateAll((elements) =>
        elements.map((element) => [(element as HTMLElement).dataset.first, (element as HTMLElement).dataset.last, (element as HTMLElement).dataset.trainedBy, element.classList.contains("copied")]),
      );
    assert.deepEqual(await segments(0), [["1", "4", "0", false]]);
    assert.deepEqual(await segments(1), [["1", "4", "0", true]], "run #1's weights are run #0's epochs 1-4");
    assert.deepEqual(await segments(2), [["1", "2", "2", false]]);
    const width = async (index: number) => panel.locator(`.schedule[data-run="${index}"] .segment`).first().evaluate((element) => element.getBoundingClientRect().width);
    const [four, two] = [await width(0), await width(2)];
    assert.ok(Math.abs(four / two - 2) < 0.05, `a segment is as wide as its epochs: ${four} vs ${two}`);
    const lineage = (await (await fetch(`${env.url}/api/sweeps/${pbtSweep}/lineage`)).json()) as LineageResponse;
    const download = panel.locator('.schedule[data-run="1"] a.replay');
    assert.equal(await download.getAttribute("download"), "replay-run-1.json");
    const href = (await download.getAttribute("href"))!;
    assert.deepEqual(JSON.parse(decodeURIComponent(href.slice(href.indexOf(",") + 1))), lineage.runs[1].replay, "run #1's schedule as one config");
    shots.push(await screenshot(page, "sweep-lineage"));
  });

  it("shows a pbt run's schedule on its page, under its curves, with the exploits it made or was copied in", async () => {
    const { page } = browser;
    for (const [index, trainedBy] of [[1, "0"], [0, "0"], [2, "2"]] as const) {
      await openView(page, env.url, `/runs/${runs[index].id}`, "run");
      const panel = page.locator(".panel.run-schedule");
      assert.ok(await panel.isVisible(), `run #${index}`);
      assert.equal(await panel.locator(".segment").first().getAttribute("data-trained-by"), trainedBy);
      assert.equal(await panel.locator(".lineage-exploits tbody tr").count(), index === 2 ? 0 : 1, `run #${index}: the exploit it made or was copied in`);
    }
    shots.push(await screenshot(page, "run-schedule"));
  });

  it("has no lineage panel for a grid sweep, nor a schedule on its runs' pages", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${gridSweep}`, "sweep");
    assert.equal(await page.locator(".panel.lineage").isVisible(), false);
    const [gridRun] = (await (await fetch(`${env.url}/api/sweeps/${gridSweep}`)).json()).runs as Array<{ id: string }>;
    await openView(page, env.url, `/runs/${gridRun.id}`, "run");
    assert.equal(await page.locator(".panel.run-schedule").isVisible(), false);
  });
});
