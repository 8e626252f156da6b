// The dashboard against an API whose reads need a token (SGAN_READ_TOKENS_REQUIRED=1): it asks for
// the token, keeps it for the session, and then loads its data, live events and sample images.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openView, registerTestWorker, seedSweep, startDashboard, trainRun, type Browser, type DashboardEnv } from "./helpers.ts";

const TOKEN = "dashboard-token-3f9a";
const SWEEP_NAME = `token <img id="injected" src=x>&"name"`;

describe("dashboard with API tokens", { timeout: 120_000 }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let sweepId: string;
  let runId: string;

  before(async () => {
    const saved = { tokens: process.env.SGAN_API_TOKENS, required: process.env.SGAN_READ_TOKENS_REQUIRED };
    process.env.SGAN_API_TOKENS = TOKEN;
    process.env.SGAN_READ_TOKENS_REQUIRED = "1";
    try {
      [env, browser] = await Promise.all([startDashboard("auth"), launchBrowser()]);
    } finally {
      for (const [name, value] of [["SGAN_API_TOKENS", saved.tokens], ["SGAN_READ_TOKENS_REQUIRED", saved.required]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const seeded = await seedSweep(env.db, { name: SWEEP_NAME, strategy: "grid", fixed: { epochs: 2, limit: 2000, imgSize: 28 }, parameters: { lr: { choice: [2e-4, 1e-3] } } });
    sweepId = seeded.sweepId;
    runId = seeded.runs[0].id;
    await registerTestWorker(env.db, "worker-auth");
    await trainRun(env.db, seeded.runs[0], "worker-auth", 2, "completed");
  });

  after(async () => {
    await browser?.close();
    await env?.close();
  });

  it("asks for the token, refuses a wrong one, then shows the sweeps, live, with names as text", async () => {
    const { page } = browser;
    await page.goto(`${env.url}/#/sweeps`);
    await page.waitForSelector("#token-form", { timeout: 20_000 });
    assert.match(await page.locator("#token-form").innerText(), /API token needed/);
    await page.fill("#api-token", "wrong-token");
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector("#token-form >> text=refused the token", { timeout: 10_000 });
    await page.fill("#api-token", TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('[data-view="sweeps"][data-ready="true"]', { timeout: 20_000 });
    assert.equal(await page.locator("#token-form").count(), 0);
    const row = page.locator(`#sweeps-table tbody tr[data-id="${sweepId}"]`);
    assert.ok((await row.innerText()).includes(SWEEP_NAME), "the name shows as text");
    assert.equal(await page.locator("#injected").count(), 0, "markup in a sweep name is not rendered");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("sgan-api-token")), TOKEN);
    // The event stream connects with ?token=.
    await page.waitForSelector('#live[data-state="open"]', { timeout: 20_000 });
  });

  it("keeps the token for the session: a reload and the run page (sample image by URL) need no form", async () => {
    const { page, errors } = browser;
    await page.reload();
    await openView(page, env.url, `/runs/${runId}`, "run");
    assert.equal(await page.locator("#token-form").count(), 0);
    const image = page.locator("img.sample");
    await image.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => (document.querySelector("img.sample") as HTMLImageElement | null)?.complete === true);
    assert.ok((await image.evaluate((img: HTMLImageElement) => img.naturalWidth)) > 0, "the sample grid loaded with the token");
    const unexpected = errors.filter((error) => !/401|Unauthorized/.test(error));
    assert.deepEqual(unexpected, []);
  });
});
