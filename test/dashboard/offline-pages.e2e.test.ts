// The pages the API serves besides the dashboard, in real Chromium, with every request they make
// recorded: BullMQ's admin view (whose bull-board template links Google Fonts) and the API's docs page
// render fully and ask nothing of any host but the API's own.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "../api/helpers.ts";
import { launchBrowser, screenshot, type Browser } from "./helpers.ts";

const DATABASE = "sgan_offline_pages_test";

describe("pages served without outside requests", { timeout: 90_000 }, () => {
  let api: TestApi;
  let browser: Browser;
  let runId: string;
  const requested: string[] = [];
  const failed: string[] = [];

  before(async () => {
    [api, browser] = await Promise.all([startTestApi(DATABASE), launchBrowser()]);
    browser.context.on("request", (request) => requested.push(request.url()));
    browser.page.on("response", (response) => {
      if (response.status() >= 400) failed.push(`${response.url()}: ${response.status()}`);
    });
    browser.context.on("requestfailed", (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
    const submitted = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(TINY_SWEEP) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    runId = submitted.body.runs[0].id;
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  /** Every URL requested since `from` that is not the API's own host (data: and blob: URLs stay in the page). */
  const outside = (from: number) =>
    requested.slice(from).filter((url) => {
      const { protocol, host } = new URL(url);
      return !["data:", "blob:"].includes(protocol) && host !== new URL(api.url).host;
    });

  it("BullMQ's admin view renders the queue and its job (prioritized: runs carry a priority), loading everything from the API only", async () => {
    const from = requested.length;
    const queueName = api.ctx.queue.queue.name;
    await browser.page.goto(`${api.url}/admin/queues/queue/${encodeURIComponent(queueName)}?status=prioritized`);
    await browser.page.getByText(runId).first().waitFor({ timeout: 20_000 });
    await browser.page.waitForLoadState("networkidle");
    await screenshot(browser.page, "bull-board-offline");
    const loaded = requested.slice(from);
    assert.ok(loaded.some((url) => /\/admin\/queues\/static\/js\/.+\.js$/.test(url)), `its scripts came from the API: ${loaded.join(", ")}`);
    assert.ok(loaded.some((url) => url.includes("/admin/queues/api/queues")), "it read the queues through bull-board's API");
    assert.deepEqual(outside(from), [], "no request left the API's host");
    assert.deepEqual(failed, [], "no request failed");
    assert.deepEqual(browser.errors, []);
    const html = await (await fetch(`${api.url}/admin/queues`)).text();
    assert.doesNotMatch(html, /fonts\.googleapis|fonts\.gstatic/);
    assert.match(html, /static\/css\/main\.[0-9a-f]+\.css/, "its own stylesheet stays");
  });

  it("the API's docs page renders the document with one request, its own", async () => {
    const from = requested.length;
    await browser.page.goto(`${api.url}/api/docs`);
    await browser.page.getByRole("heading", { name: /SGAN sweeps API/ }).waitFor({ timeout: 10_000 });
    assert.ok(await browser.page.locator("#postApiSweeps").isVisible(), "the submit operation is on the page");
    assert.equal(await browser.page.locator("article").count() >= 20, true);
    await screenshot(browser.page, "api-docs");
    assert.deepEqual(requested.slice(from), [`${api.url}/api/docs`]);
    assert.deepEqual(failed, []);
    assert.deepEqual(browser.errors, [], "no CSP violation, no error");
  });
});
