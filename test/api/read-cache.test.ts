// The API's short-lived read cache: identical GETs within the TTL are answered from memory (with an
// ETag, 304 on If-None-Match), and any write through the API or any epoch/status event on the bus
// empties it, so a client never reads its own write stale.
import assert from "node:assert/strict";
import { get } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { ResponseCache, responseCacheOptionsFromEnv } from "../../apps/api/response-cache.ts";
import { publishEvent } from "../../libs/queue/index.ts";
import { waitFor } from "../support/wait-for.ts";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_read_cache_test";

describe("read cache", { timeout: 60_000 }, () => {
  let api: TestApi;
  let sweepId: string;
  const rename = (name: string) => api.ctx.db.sweep.update({ where: { id: sweepId }, data: { name } });
  const readName = async () => (await call(api.url, `/api/sweeps/${sweepId}`)).body.name as string;

  before(async () => {
    process.env.SGAN_READ_CACHE_MS = "60000"; // long enough that only a clear can refresh it
    try {
      api = await startTestApi(DATABASE);
    } finally {
      delete process.env.SGAN_READ_CACHE_MS;
    }
    const created = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(TINY_SWEEP) });
    assert.equal(created.status, 201);
    sweepId = created.body.sweep.id;
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  it("answers a repeated GET from memory, with an ETag that a conditional GET turns into 304", async () => {
    assert.equal(await readName(), TINY_SWEEP.name);
    await rename("changed behind the API's back");
    const again = await call(api.url, `/api/sweeps/${sweepId}`);
    assert.equal(again.body.name, TINY_SWEEP.name, "served from the cache");
    const etag = again.headers.get("etag");
    assert.ok(etag, "cached responses carry an ETag");
    // node:http, not fetch: fetch adds "Cache-Control: no-cache" to conditional requests, which asks for a full answer.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${api.url}/api/sweeps/${sweepId}`, { headers: { "If-None-Match": etag } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).once("error", reject);
    });
    assert.equal(status, 304);
  });

  it("empties on a write through the API: the writer reads its own write", async () => {
    await rename("renamed before a write");
    const second = await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(TINY_SWEEP) });
    assert.equal(second.status, 201);
    assert.equal(await readName(), "renamed before a write");
    const listed = await call(api.url, "/api/sweeps");
    assert.equal(listed.body.total, 2, "the new sweep is listed at once");
  });

  it("empties on an epoch or status event from the bus, not on progress", async () => {
    const cachedName = await readName();
    await rename("renamed before a progress event");
    const base = { runId: "00000000-0000-0000-0000-000000000000", sweepId };
    await publishEvent(api.ctx.publisher, { type: "run-progress", ...base, workerId: "w", epoch: 1, epochs: 1, batch: 1, batches: 2, samplesPerSec: 1, etaSeconds: null });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await readName(), cachedName, "progress leaves the cache alone");
    await publishEvent(api.ctx.publisher, { type: "run-status", ...base, status: "running", workerId: "w" });
    await waitFor("the status event to empty the cache", async () => (await readName()) === "renamed before a progress event", 5_000, 50);
    assert.equal(await readName(), "renamed before a progress event");
  });

  it("leaves the event stream alone: many clients hold it open at once", async () => {
    const streams = await Promise.all(Array.from({ length: 3 }, async () => {
      const controller = new AbortController();
      const response = await fetch(`${api.url}/api/events`, { signal: controller.signal });
      return { response, controller };
    }));
    assert.deepEqual(streams.map((s) => s.response.status), [200, 200, 200]);
    for (const { response, controller } of streams) {
      controller.abort();
      await response.body?.cancel().catch(() => undefined);
    }
  });

  it("does not keep errors", async () => {
    const missing = "/api/sweeps/00000000-0000-0000-0000-000000000001";
    assert.equal((await call(api.url, missing)).status, 404);
    await api.ctx.db.sweep.update({ where: { id: sweepId }, data: { name: "x" } });
    assert.equal((await call(api.url, missing)).status, 404);
    assert.equal((await call(api.url, `/api/sweeps/${sweepId}/nope`)).status, 404);
  });
});

describe("read cache expiry and settings", () => {
  it("serves a response for ttlMs, then computes it again", async () => {
    const cache = new ResponseCache({ ttlMs: 200, maxEntries: 10 });
    let computed = 0;
    const app = express().use(cache.middleware()).get("/value", (_req, res) => {
      res.json({ computed: ++computed });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/value`;
    try {
      const read = async () => ((await (await fetch(url)).json()) as { computed: number }).computed;
      assert.equal(await read(), 1);
      assert.equal(await read(), 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal(await read(), 2);
    } finally {
      server.close();
    }
  });

  it("computes concurrent identical requests once, and lets waiters compute their own after an error", async () => {
    const cache = new ResponseCache({ ttlMs: 60_000, maxEntries: 10 });
    let computed = 0;
    let failNext = true;
    const app = express().use(cache.middleware()).get("/slow", async (_req, res) => {
      computed++;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (failNext) {
        failNext = false;
        res.status(503).json({ error: "busy" });
        return;
      }
      res.json({ computed });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
    try {
      const first = await Promise.all(Array.from({ length: 5 }, () => fetch(url)));
      assert.deepEqual(first.map((r) => r.status).sort(), [200, 200, 200, 200, 503], "the failed one's waiters computed again");
      const before = computed;
      const answers = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(url)).json()));
      assert.equal(computed, before, "all ten served from the cache");
      assert.ok(answers.every((a) => (a as { computed: number }).computed === answers[0]!.computed));
    } finally {
      server.close();
    }
  });

  it("reads SGAN_READ_CACHE_MS and refuses a bad value with a clear error", () => {
    assert.equal(responseCacheOptionsFromEnv({}).ttlMs, 1_000);
    assert.equal(responseCacheOptionsFromEnv({ SGAN_READ_CACHE_MS: "0" }).ttlMs, 0);
    assert.throws(() => responseCacheOptionsFromEnv({ SGAN_READ_CACHE_MS: "soon" }), /SGAN_READ_CACHE_MS must be a number of milliseconds/);
  });
});
