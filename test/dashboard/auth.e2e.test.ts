// The dashboard against an API whose reads need a token (SGAN_READ_TOKENS_REQUIRED=1): it asks for
// the token, keeps it for the session, and then loads its data, live events and sample images; with it,
// tags and notes are edited in place (PATCH) and the sweep list is filtered by a tag.
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
  let untaggedId: string;

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
    untaggedId = (await seedSweep(env.db, { name: "untagged", strategy: "grid", fixed: { epochs: 1, limit: 2000, imgSize: 28 }, parameters: { lr: 1e-3 } })).sweepId;
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

  it("edits a sweep's and a run's tags and note in place, shows the API's refusal, and filters the sweep list by a tag", async () => {
    const { page } = browser;
    await openView(page, env.url, `/sweeps/${sweepId}`, "sweep");
    const labels = page.locator('[data-labels="sweep"]');
    await labels.locator('input[name="add-tags"]').fill("baseline exp:1");
    await labels.locator('input[name="add-tags"]').press("Enter");
    await labels.locator('.tag[data-tag="exp:1"]').waitFor({ timeout: 10_000 });
    await labels.locator('.tag[data-tag="exp:1"] .tag-remove').click();
    await labels.locator('.tag[data-tag="exp:1"]').waitFor({ state: "detached", timeout: 10_000 });
    await labels.locator('input[name="add-tags"]').fill("fine has!bang");
    await labels.locator('input[name="add-tags"]').press("Enter");
    await labels.locator(".labels-error:not([hidden])").waitFor({ timeout: 10_000 });
    assert.match(await labels.locator(".labels-error").innerText(), /^Not saved: addTags\.1: is no tag: letters, digits and _ \. : - only/);
    assert.equal(await labels.locator('input[name="add-tags"]').inputValue(), "fine has!bang", "what was typed stays, to be fixed");

    const note = `<b id="note-injected">first</b>\nsecond line`;
    await labels.locator('[data-action="edit-note"]').click();
    await labels.locator('textarea[name="note"]').fill(note);
    await labels.locator('[data-action="save-note"]').click();
    await labels.locator(".note-text").waitFor({ timeout: 10_000 });
    assert.equal(await labels.locator(".note-text").textContent(), note, "the note as text, its line break kept");
    assert.equal(await page.locator("#note-injected").count(), 0, "markup in a note is not rendered");
    const stored = await env.db.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    assert.deepEqual([stored.tags, stored.note], [["baseline"], note]);

    await openView(page, env.url, `/runs/${runId}`, "run");
    const runLabels = page.locator('[data-labels="run"]');
    await runLabels.locator('input[name="add-tags"]').fill("best-run");
    await runLabels.locator('input[name="add-tags"]').press("Enter");
    await runLabels.locator('.tag[data-tag="best-run"]').waitFor({ timeout: 10_000 });
    assert.deepEqual((await env.db.run.findUniqueOrThrow({ where: { id: runId } })).tags, ["best-run"]);

    await openView(page, env.url, "/sweeps", "sweeps");
    const untagged = page.locator(`#sweeps-table tbody tr[data-id="${untaggedId}"]`);
    await untagged.waitFor({ timeout: 10_000 });
    await page.locator(`#sweeps-table tbody tr[data-id="${sweepId}"] button.tag[data-tag="baseline"]`).click();
    await untagged.waitFor({ state: "detached", timeout: 10_000 });
    await page.waitForSelector('[data-view="sweeps"][data-ready="true"]');
    assert.match(page.url(), /#\/sweeps\?tag=baseline$/);
    assert.equal(await page.locator("#sweeps-table tbody tr").count(), 1);
    assert.ok(await page.locator(`#sweeps-table tbody tr[data-id="${sweepId}"]`).isVisible());

    await page.locator('.tag-filter input[name="tag"]').fill("nowhere");
    await page.locator('.tag-filter input[name="tag"]').press("Enter");
    await page.waitForSelector(".sweep-list >> text=No sweep has every one of these tags: baseline, nowhere.", { timeout: 10_000 });
    await page.locator('.active-filter .tag[data-tag="nowhere"] .tag-remove').click();
    await page.locator(`#sweeps-table tbody tr[data-id="${sweepId}"]`).waitFor({ timeout: 10_000 });
  });
});
