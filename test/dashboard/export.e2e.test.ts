// The sweep page's Export control in headless Chromium: each link downloads a file that parses (CSV
// strictly as RFC 4180, JSON) and holds the sweep's runs or epoch rows with the API's figures.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { float32Text, type SweepDetail, type SweepExportJson } from "../../libs/results/index.ts";
import { csvObjects } from "../support/csv.ts";
import { launchBrowser, openView, screenshot, registerTestWorker, seedSweep, startDashboard, trainRun, type Browser, type DashboardEnv } from "./helpers.ts";

describe("dashboard: sweep export", { timeout: 90_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let sweepId: string;

  before(async () => {
    env = await startDashboard("export");
    await registerTestWorker(env.db, "export-worker");
    const seeded = await seedSweep(env.db, {
      name: "export, \"e2e\"",
      strategy: "grid",
      fixed: { epochs: 2, dataset: "mnist", imgSize: 28, limit: 64 },
      parameters: { batchSize: 32, lr: { choice: [2.0e-4, 1.0e-3] } },
    });
    sweepId = seeded.sweepId;
    for (const run of seeded.runs) await trainRun(env.db, run, "export-worker", 2, "completed", { png: false });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await env?.close();
  });

  /** Clicks the Export link and reads the file the browser saved. */
  async function download(which: string): Promise<{ name: string; text: string }> {
    const [saved] = await Promise.all([browser.page.waitForEvent("download"), browser.page.click(`[data-export="${which}"]`)]);
    return { name: saved.suggestedFilename(), text: await readFile((await saved.path())!, "utf8") };
  }

  it("downloads the runs as CSV and the epochs as JSON, with the API's figures", async () => {
    await openView(browser.page, env.url, `/sweeps/${sweepId}`, "sweep");
    await screenshot(browser.page, "sweep-export");
    const detail = (await (await fetch(`${env.url}/api/sweeps/${sweepId}`)).json()) as SweepDetail;

    const runs = await download("runs-csv");
    assert.equal(runs.name, `sweep-${sweepId}-runs.csv`);
    const rows = csvObjects(runs.text);
    assert.deepEqual(rows.map((row) => row.runId), detail.runs.map((run) => run.id));
    for (const [i, run] of detail.runs.entries()) {
      assert.equal(rows[i].sweep, "export, \"e2e\"");
      assert.equal(Number(rows[i].lr), run.hyperparameters.lr);
      assert.equal(rows[i].finalTestAccuracy, float32Text(run.summary!.finalTestAccuracy!));
    }

    const epochs = await download("epochs-json");
    const json = JSON.parse(epochs.text) as SweepExportJson;
    assert.equal(json.rows, "epochs");
    assert.equal(json.data.length, detail.runs.length * 2);
    assert.deepEqual(browser.errors, []);
  });
});
