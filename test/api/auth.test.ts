// API tokens against the real API: writes need a write token once tokens are configured, reads only
// when read protection is on, the event stream takes ?token=, BullMQ's admin view sits behind the
// write check, a refused write stores nothing, and no token reaches the log.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";
import { runSweepsCli, type CliResult } from "../support/sweeps-cli.ts";

const DATABASE = "sgan_auth_test";
const WRITE_A = "write-token-a-0123456789";
const WRITE_B = "wr1te-B";
const READ_ONLY = "read-only-token-xyz";
const ALL_TOKENS = [WRITE_A, WRITE_B, READ_ONLY];

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const postSweep = (api: TestApi, headers: Record<string, string> = {}) =>
  call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(TINY_SWEEP) });

/** The status of the event stream's response, then closes it. */
async function sseStatus(api: TestApi, query: string, headers: Record<string, string> = {}): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(`${api.url}/api/events${query}`, { headers, signal: controller.signal });
  const status = response.status;
  controller.abort();
  await response.body?.cancel().catch(() => undefined);
  return status;
}

function assertRefusal(result: { status: number; body: any; headers: Headers }, status = 401) {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.equal(typeof result.body.error, "string");
  if (status === 401) {
    assert.match(result.body.error, /Authorization: Bearer <token>/, "says how to send a token");
    assert.ok(result.headers.get("www-authenticate"));
  }
}

describe("API tokens: writes protected, reads open", { timeout: 120_000 }, () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: ` ${WRITE_A}, ${WRITE_B} ,`, readTokens: READ_ONLY });
  });
  after(async () => {
    await api?.close();
  });

  it("a write without a token, or with a wrong one, is 401 and stores nothing; each write token works", async () => {
    assertRefusal(await postSweep(api));
    assertRefusal(await postSweep(api, bearer("not-a-token")));
    assertRefusal(await postSweep(api, bearer(`${WRITE_A}x`)));
    assertRefusal(await postSweep(api, bearer(WRITE_A.slice(0, -1))));
    assertRefusal(await postSweep(api, { Authorization: WRITE_A }));
    assertRefusal(await postSweep(api, { Authorization: "Bearer" }));
    assertRefusal(await postSweep(api, bearer(READ_ONLY)), 403);
    // A body the parser would refuse is not even read without a token.
    assertRefusal(await call(api.url, "/api/sweeps", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" }));
    assert.equal(await api.sweepCount(), 0, "nothing stored");

    const first = await postSweep(api, bearer(WRITE_A));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await postSweep(api, { authorization: `bearer ${WRITE_B}` });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    assert.equal(await api.sweepCount(), 2);

    const id = first.body.sweep.id;
    assertRefusal(await call(api.url, `/api/sweeps/${id}/cancel`, { method: "POST" }));
    assertRefusal(await call(api.url, `/api/sweeps/${id}/cancel`, { method: "POST", headers: bearer("nope") }));
    assert.equal((await call(api.url, `/api/sweeps/${id}`)).body.status, "active", "a refused cancel changes nothing");
    const cancelled = await call(api.url, `/api/sweeps/${id}/cancel`, { method: "POST", headers: bearer(WRITE_B) });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  });

  it("reads and the event stream stay open; /healthz is open", async () => {
    assert.equal((await call(api.url, "/api/sweeps")).status, 200);
    assert.equal((await call(api.url, "/api/workers")).status, 200);
    assert.equal(await sseStatus(api, ""), 200);
    assert.equal((await call(api.url, "/healthz")).status, 200);
  });

  it("bull-board needs a write token (Bearer, or Basic's password for a browser)", async () => {
    assertRefusal(await call(api.url, "/admin/queues"));
    assertRefusal(await call(api.url, "/admin/queues/api/queues"));
    assertRefusal(await call(api.url, "/admin/queues", { headers: bearer(READ_ONLY) }), 403);
    assert.match((await call(api.url, "/admin/queues")).headers.get("www-authenticate") ?? "", /^Basic /);
    assert.equal((await call(api.url, "/admin/queues", { headers: bearer(WRITE_A) })).status, 200);
    const basic = `Basic ${Buffer.from(`admin:${WRITE_B}`).toString("base64")}`;
    assert.equal((await call(api.url, "/admin/queues/api/queues", { headers: { Authorization: basic } })).status, 200);
  });

  it("the sweeps CLI sends --token or SWEEPS_API_TOKEN; without one a 401 is one clear line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sweeps-auth-"));
    try {
      const file = join(dir, "tiny.json");
      await writeFile(file, JSON.stringify(TINY_SWEEP));
      const refused = await cli(["submit", file], api.url);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^error: .*401.*--token.*SWEEPS_API_TOKEN\n$/);
      const before = await api.sweepCount();
      const withOption = await cli(["submit", file, "--token", WRITE_A], api.url);
      assert.equal(withOption.code, 0, withOption.stderr);
      const withEnv = await cli(["submit", file], api.url, { SWEEPS_API_TOKEN: WRITE_B });
      assert.equal(withEnv.code, 0, withEnv.stderr);
      assert.equal(await api.sweepCount(), before + 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("no token appears in the log", () => {
    const logs = api.logs();
    assert.ok(logs.length > 0);
    for (const token of ALL_TOKENS) assert.ok(!logs.includes(token), `token ${token} logged`);
    assert.doesNotMatch(logs, /authorization/i);
  });
});

describe("API tokens: reads protected (SGAN_READ_TOKENS_REQUIRED=1)", { timeout: 120_000 }, () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: WRITE_A, readTokens: READ_ONLY, readRequired: "1" });
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  it("GET /api/* needs a read or write token; /healthz and the dashboard's files stay open", async () => {
    for (const path of ["/api/sweeps", "/api/workers", "/api/sweeps/00000000-0000-4000-8000-000000000000", "/api/runs/x/samples/1.png"]) {
      assertRefusal(await call(api.url, path));
      assertRefusal(await call(api.url, path, { headers: bearer("wrong") }));
    }
    assert.equal((await call(api.url, "/api/sweeps", { headers: bearer(READ_ONLY) })).status, 200);
    assert.equal((await call(api.url, "/api/sweeps", { headers: bearer(WRITE_A) })).status, 200);
    assert.equal((await call(api.url, "/api/sweeps?token=" + READ_ONLY)).status, 401, "?token= only where headers cannot be set");
    assert.equal((await call(api.url, "/healthz")).status, 200);
    // Sample images load by URL (<img>), so they take ?token= like the event stream.
    assert.equal((await call(api.url, `/api/runs/00000000-0000-4000-8000-000000000000/samples/1.png?token=${READ_ONLY}`)).status, 404);
  });

  it("the event stream takes ?token= or the header", async () => {
    assert.equal(await sseStatus(api, ""), 401);
    assert.equal(await sseStatus(api, "?token=wrong"), 401);
    assert.equal(await sseStatus(api, `?token=${encodeURIComponent(READ_ONLY)}`), 200);
    assert.equal(await sseStatus(api, `?sweepId=00000000-0000-4000-8000-000000000000&token=${WRITE_A}`), 200);
    assert.equal(await sseStatus(api, "", bearer(WRITE_A)), 200);
  });

  it("writes still need a write token, and the CLI reads with its token", async () => {
    assertRefusal(await postSweep(api, bearer(READ_ONLY)), 403);
    assert.equal((await postSweep(api, bearer(WRITE_A))).status, 201);
    const refused = await cli(["ls"], api.url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: .*401.*\n$/);
    const listed = await cli(["ls", "--json"], api.url, { SWEEPS_API_TOKEN: READ_ONLY });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).total, 1);
    for (const token of [WRITE_A, READ_ONLY]) assert.ok(!api.logs().includes(token), "token logged");
  });
});

function cli(args: string[], apiUrl: string, env: Record<string, string> = {}): Promise<CliResult> {
  return runSweepsCli(args, { env: { SWEEPS_API_TOKEN: undefined, ...env, SWEEPS_API_URL: apiUrl } });
}
