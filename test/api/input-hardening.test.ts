// Inputs an adversarial test of the running API broke (issue 11, section 6), each against the real
// API on its own database: text PostgreSQL cannot store, YAML tags outside the core schema, huge
// issue lists, deeply nested YAML, slow bodies, too many connections, and retried submits.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_input_hardening_test";
const JSON_TYPE = { "Content-Type": "application/json" };
const YAML_TYPE = { "Content-Type": "application/yaml" };

const post = (api: TestApi, body: string, headers: Record<string, string> = JSON_TYPE) =>
  call(api.url, "/api/sweeps", { method: "POST", headers, body });

/** One raw HTTP request on a socket of its own, so the test decides how fast its bytes go. */
function rawSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Everything the server sends until it closes the socket. */
function received(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk) => (text += chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(text));
  });
}

describe("bad input always gets a 400 naming the field, and nothing is stored", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, {}, { SGAN_REQUEST_TIMEOUT_MS: "1500", SGAN_MAX_CONNECTIONS: "8" });
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  for (const [label, name] of [
    ["a NUL character", "a\u0000b"],
    ["a lone high surrogate", "x\ud800"],
    ["a lone low surrogate", "\udc00y"],
  ] as const) {
    it(`a name with ${label} is refused with a 400 naming it (not a 500 from PostgreSQL)`, async () => {
      const { status, body } = await post(api, JSON.stringify({ ...TINY_SWEEP, name }));
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.issues[0].path, "name");
      assert.match(body.issues[0].message, label.includes("NUL") ? /NUL/ : /surrogate/);
      assert.equal(await api.sweepCount(), 0);
    });
  }

  it("a dataset path with a NUL character is refused naming fixed.dataset", async () => {
    const { status, body } = await post(api, JSON.stringify({ ...TINY_SWEEP, fixed: { ...TINY_SWEEP.fixed, dataset: "mni\u0000st" } }));
    assert.equal(status, 400, JSON.stringify(body));
    assert.ok(body.issues.some((issue: { path: string }) => issue.path === "fixed.dataset"), JSON.stringify(body.issues));
    assert.equal(await api.sweepCount(), 0);
  });

  it("a NUL in YAML text (escaped as \\0) is refused too", async () => {
    const { status, body } = await post(api, 'name: "nul\\0name"\nfixed: { epochs: 1, limit: 64 }\n', YAML_TYPE);
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(body.issues[0].path, "name");
  });

  for (const [tag, text] of [
    ["!!omap", "name: omap\nfixed: !!omap\n  - epochs: 5\n  - limit: 64\n"],
    ["!!set", "name: set\nfixed: !!set { epochs, limit }\n"],
    ["!!binary", "name: !!binary aGVsbG8=\n"],
    ["!!timestamp", "name: stamp\nfixed: { epochs: !!timestamp 2026-01-01 }\n"],
    ["a local tag", "name: !shout loud\n"],
  ] as const) {
    it(`YAML with ${tag} (outside the core schema) is refused, not silently dropped`, async () => {
      const { status, body } = await post(api, text, YAML_TYPE);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.issues[0].path, "(yaml)");
      assert.match(body.issues[0].message, /tag/);
      assert.equal(await api.sweepCount(), 0);
    });
  }

  it("core-schema tags (!!str, !!int) still work", async () => {
    const { status, body } = await post(api, "name: !!str 2026\nstrategy: grid\nfixed: { epochs: !!int 1, imgSize: 28, limit: 64 }\n", YAML_TYPE);
    assert.equal(status, 201, JSON.stringify(body));
    assert.equal(body.sweep.name, "2026");
    await api.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep" CASCADE`);
  });

  it("50,000 bad choice values get a short answer: the list is refused for its length, before each value is checked", async () => {
    const body = JSON.stringify({ name: "many", parameters: { lr: { choice: Array.from({ length: 50_000 }, () => "x") } } });
    const response = await fetch(`${api.url}/api/sweeps`, { method: "POST", headers: JSON_TYPE, body });
    const text = await response.text();
    assert.equal(response.status, 400);
    assert.ok(text.length < 20_000, `answer of ${text.length} bytes`);
    const answer = JSON.parse(text);
    assert.deepEqual(answer.issues.map((issue: { path: string }) => issue.path), ["parameters.lr.choice"]);
    assert.match(answer.issues[0].message, /50,000 values; a choice takes at most 1000/);
  });

  it("900 bad choice values list the first 20 issues and count the rest", async () => {
    const body = JSON.stringify({ name: "many", parameters: { lr: { choice: Array.from({ length: 900 }, () => "x") } } });
    const { status, body: answer } = await post(api, body);
    assert.equal(status, 400);
    assert.equal(answer.issues.length, 21);
    assert.equal(answer.issues[0].path, "parameters.lr.choice.0");
    assert.equal(answer.issues[20].path, "(more)");
    assert.match(answer.issues[20].message, /and 880 more issues/);
  });

  it("deeply nested YAML is refused with a message that says so, not a stack overflow", async () => {
    const { status, body } = await post(api, `name: deep\nfixed: ${"[".repeat(20_000)}1${"]".repeat(20_000)}\n`, YAML_TYPE);
    assert.equal(status, 400, JSON.stringify(body));
    assert.doesNotMatch(JSON.stringify(body), /call stack/i);
    assert.match(body.issues[0].message, /nested too deeply/);
  });

  it("a body sent one byte at a time is cut off at the request timeout with a 408", async () => {
    const socket = await rawSocket(api.url);
    const answer = received(socket);
    const body = JSON.stringify(TINY_SWEEP);
    socket.write(`POST /api/sweeps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < body.length && !socket.destroyed) socket.write(body[sent++]);
    }, 200);
    const text = await answer;
    clearInterval(drip);
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.ok(sent < body.length, "the server did not wait for the whole trickle");
    assert.equal(await api.sweepCount(), 0);
  });

  it("connections beyond the cap are refused while the API keeps answering", async () => {
    const held = await Promise.all(Array.from({ length: 8 }, () => rawSocket(api.url)));
    const extra = await rawSocket(api.url);
    const extraAnswer = received(extra);
    extra.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(await extraAnswer, "", "the connection over the cap is closed unanswered");
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await call(api.url, "/healthz");
    assert.equal(health.status, 200);
  });
});

describe("Idempotency-Key: a retried submit returns the first sweep instead of creating a second", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(`${DATABASE}_idem`);
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(`${DATABASE}_idem`);
  });

  it("the same key and body twice: one sweep, the second answer replays the first", async () => {
    const headers = { ...JSON_TYPE, "Idempotency-Key": "retry-me-1" };
    const first = await post(api, JSON.stringify(TINY_SWEEP), headers);
    const second = await post(api, JSON.stringify(TINY_SWEEP), headers);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal(second.body.sweep.id, first.body.sweep.id);
    assert.deepEqual(second.body.runs.map((run: { id: string }) => run.id), first.body.runs.map((run: { id: string }) => run.id));
    assert.equal(await api.sweepCount(), 1);
    assert.equal((await api.ctx.queue.pendingRunIds()).size, 1, "one job");
  });

  it("concurrent retries with one key store one sweep", async () => {
    const headers = { ...JSON_TYPE, "Idempotency-Key": "burst-2" };
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(api, JSON.stringify({ ...TINY_SWEEP, name: "burst" }), headers)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(answers.map((answer) => answer.body.sweep.id)).size, 1);
    assert.equal(await api.ctx.db.sweep.count({ where: { name: "burst" } }), 1);
  });

  it("the same key with another body is a 422 naming the header; nothing new is stored", async () => {
    const before = await api.sweepCount();
    const { status, body } = await post(api, JSON.stringify({ ...TINY_SWEEP, name: "other" }), { ...JSON_TYPE, "Idempotency-Key": "retry-me-1" });
    assert.equal(status, 422, JSON.stringify(body));
    assert.match(body.error, /Idempotency-Key/);
    assert.equal(await api.sweepCount(), before);
  });

  it("a key that is not 1-200 printable characters is a 400", async () => {
    for (const key of ["", "x".repeat(201), "tab\there"]) {
      const { status, body } = await post(api, JSON.stringify(TINY_SWEEP), { ...JSON_TYPE, "Idempotency-Key": key });
      assert.equal(status, 400, `${JSON.stringify(key)}: ${JSON.stringify(body)}`);
      assert.match(body.error, /Idempotency-Key/);
    }
  });

  it("without a key, two submits are two sweeps (as before)", async () => {
    const before = await api.sweepCount();
    await post(api, JSON.stringify(TINY_SWEEP));
    await post(api, JSON.stringify(TINY_SWEEP));
    assert.equal(await api.sweepCount(), before + 2);
  });
});
