// The sweep page's lifecycle buttons and the run page's retry, in headless Chromium against the real
// API (PostgreSQL, Redis; no worker, so runs stay queued unless the test moves them).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Dialog } from "playwright-core";
import { submitSweep } from "../../libs/service/index.ts";
import { waitFor } from "../support/wait-for.ts";
import { launchBrowser, openView, startDashboard, type Browser, type DashboardEnv } from "./helpers.ts";

const CONFIG = {
  name: "lifecycle-buttons",
  strategy: "random",
  samples: 2,
  fixed: { epochs: 2, limit: 64, imgSize: 28 },
  parameters: { batchSize: 32, lr: { loguniform: [1e-4, 1e-3] } },
};

describe("dashboard: a sweep's lifecycle buttons", { timeout: 120_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let sweepId: string;
  /** What the next prompt() is answered; confirm() is accepted; alert() texts are kept. */
  const answers: string[] = [];
  const alerts: string[] = [];

  before(async () => {
    [env, browser] = await Promise.all([startDashboard("lifecycle"), launchBrowser()]);
    sweepId = (await submitSweep(env.api.ctx, CONFIG)).sweep.id;
    browser.page.on("dialog", (dialog: Dialog) => {
      if (dialog.type() === "alert") alerts.push(dialog.message());
      void (dialog.type() === "prompt" ? dialog.accept(answers.shift() ?? "") : dialog.accept());
    });
  });

  after(async () => {
    await browser?.close();
    await env?.close();
  });

  const button = (label: string) => browser.page.locator(`.sweep-actions [data-action="${label}"]`);
  const headSays = (status: string) => browser.page.waitForSelector(`.page-head h1 .badge:text-is("${status}")`, { timeout: 15_000 });
  const stored = () => env.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });

  it("pause and resume: the buttons follow the sweep's status", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${sweepId}`, "sweep");
    assert.equal(await button("Resume").count(), 0, "an active sweep shows no resume");
    await button("Pause").click();
    await headSays("paused");
    assert.equal((await stored()).status, "paused");
    assert.equal(await button("Pause").count(), 0);
    await button("Resume").click();
    await headSays("active");
    assert.equal((await stored()).status, "active");
  });

  it("add trials asks how many: the new runs appear; a refused count says why", async () => {
    const { page } = browser;
    answers.push("3");
    await button("Add trials").click();
    await page.waitForFunction(() => document.querySelectorAll("#run-table tbody tr").length === 5, null, { timeout: 15_000 });
    assert.equal((await stored()).trialBudget, 5);
    answers.push("0");
    await button("Add trials").click();
    const refusal = await waitFor("the refusal's alert", () => alerts.at(-1), 10_000);
    assert.match(refusal, /^Add trials failed: trials: /);
    assert.equal((await stored()).trialBudget, 5, "nothing changed");
  });

  it("a cancelled run is retried from its page; delete removes the sweep and goes back to the list", async () => {
    const { page } = browser;
    await button("Cancel sweep").click();
    await headSays("cancelled");
    const [run] = await env.db.run.findMany({ where: { sweepId }, orderBy: { index: "asc" } });
    assert.equal(run.status, "cancelled");
    await openView(page, env.url, `/runs/${run.id}`, "run");
    await page.locator("#run-retry").click();
    await page.waitForSelector('.page-head h1 .badge:text-is("queued")', { timeout: 15_000 });
    assert.equal(await page.locator("#run-retry").count(), 0, "a queued run shows no retry");
    assert.equal((await env.db.run.findUniqueOrThrow({ where: { id: run.id } })).status, "queued");
    assert.equal((await stored()).status, "active", "its sweep is active again");

    await openView(page, env.url, `/sweeps/${sweepId}`, "sweep");
    await button("Delete").click();
    await page.waitForSelector('[data-view="sweeps"][data-ready="true"]', { timeout: 15_000 });
    assert.equal(await env.db.sweep.count({ where: { id: sweepId } }), 0);
    assert.equal(await env.db.run.count({ where: { sweepId } }), 0);
  });

  it("raised no script errors", () => {
    assert.deepEqual(browser.errors.filter((error) => !/status of 400/.test(error)), []);
  });
});
