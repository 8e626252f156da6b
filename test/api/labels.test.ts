// Tags and notes through the real API (PostgreSQL, Redis), no worker: set at submit from the config
// (not stored in it, not in any configuration key), changed with PATCH (replace, add, remove) under
// the write token, told to event-stream clients, filtered by in the sweep list and a sweep's runs;
// bad input is a 400 naming the field, an unknown id a 404.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeSweep } from "../../libs/service/index.ts";
import { parseSweepConfig } from "../../libs/sweep/index.ts";
import { call, dropTestDatabase, startTestApi, TINY_SWEEP, type TestApi } from "./helpers.ts";

const DATABASE = "sgan_labels_test";
const WRITE = "labels-write-token";
const READ = "labels-read-token";
const auth = { Authorization: `Bearer ${WRITE}` };
const MISSING = "00000000-0000-4000-8000-000000000000";

const TWO_RUNS = { ...TINY_SWEEP, name: "labelled", parameters: { batchSize: 32, lr: { choice: [2e-4, 1e-3] } } };

describe("tags and notes through the API", { timeout: 60_000 }, () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(DATABASE, { writeTokens: WRITE, readTokens: READ });
  });
  after(async () => {
    await api?.close();
    await dropTestDatabase(DATABASE);
  });

  const patch = (path: string, body: unknown, headers: Record<string, string> = auth) =>
    call(api.url, path, { method: "PATCH", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const store = async (name: string, tags?: string[]) => (await storeSweep(api.ctx.db, parseSweepConfig({ ...TWO_RUNS, name, ...(tags ? { tags } : {}) }))).sweep;

  it("a submit takes tags and a note from the config: kept in their own fields, not in the stored config, and no configuration key changes", async () => {
    const plain = await call(api.url, "/api/sweeps?dryRun=1", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(TWO_RUNS) });
    const labelled = { ...TWO_RUNS, tags: ["baseline", "lr:sweep", "baseline"], note: "first try\n\twith two rates" };
    const submitted = await call(api.url, "/api/sweeps", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(labelled) });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    assert.deepEqual(submitted.body.sweep.tags, ["baseline", "lr:sweep"], "each tag once, in the order given");
    assert.equal(submitted.body.sweep.note, "first try\n\twith two rates");
    assert.equal("tags" in submitted.body.sweep.config || "note" in submitted.body.sweep.config, false);
    assert.deepEqual(
      submitted.body.runs.map((run: { configKey: string }) => run.configKey),
      plain.body.runs.map((run: { configKey: string }) => run.configKey),
    );
    const detail = await call(api.url, `/api/sweeps/${submitted.body.sweep.id}`, { headers: auth });
    assert.deepEqual([detail.body.tags, detail.body.note], [["baseline", "lr:sweep"], "first try\n\twith two rates"]);
    assert.deepEqual(detail.body.runs.map((run: { tags: string[]; note: string | null }) => [run.tags, run.note]), [[[], null], [[], null]]);
  });

  it("a bad tag or note in a config is a 400 naming the field", async () => {
    const bad = await call(api.url, "/api/sweeps?dryRun=1", {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ ...TWO_RUNS, tags: ["ok", "has space"], note: "bell\u0007" }),
    });
    assert.equal(bad.status, 400);
    const paths = bad.body.issues.map((issue: { path: string }) => issue.path);
    assert.deepEqual(paths.sort(), ["note", "tags.1"], JSON.stringify(bad.body));
    assert.match(bad.body.issues.find((issue: { path: string }) => issue.path === "tags.1").message, /letters, digits and _ \. : - only/);
  });

  it("PATCH replaces, adds and removes tags and sets or clears the note, and the event stream tells it", async () => {
    const sweep = await store("patched", ["draft"]);
    const events = await eventStream(api.url, sweep.id);
    const added = await patch(`/api/sweeps/${sweep.id}`, { addTags: ["baseline", "draft"], note: "the seed recipe" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual([added.body.id, added.body.tags, added.body.note], [sweep.id, ["draft", "baseline"], "the seed recipe"]);
    const removed = await patch(`/api/sweeps/${sweep.id}`, { removeTags: ["draft", "never-there"] });
    assert.deepEqual([removed.body.tags, removed.body.note], [["baseline"], "the seed recipe"], "the note stays when left out");
    const replaced = await patch(`/api/sweeps/${sweep.id}`, { tags: ["final"], note: "" });
    assert.deepEqual([replaced.body.tags, replaced.body.note], [["final"], null], "an empty note removes it");
    const event = await events.next((data) => data.type === "labels" && data.tags[0] === "final");
    assert.deepEqual(event, { type: "labels", sweepId: sweep.id, runId: null, tags: ["final"], note: null });
    events.close();
    const read = await call(api.url, `/api/sweeps/${sweep.id}`);
    assert.deepEqual([read.body.tags, read.body.note], [["final"], null], "the read cache was emptied by the write");

    const runId = (await call(api.url, `/api/sweeps/${sweep.id}`)).body.runs[1].id;
    const run = await patch(`/api/runs/${runId}`, { tags: ["best-lr"], note: "look at epoch 2" });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.deepEqual([run.body.id, run.body.sweepId, run.body.tags, run.body.note], [runId, sweep.id, ["best-lr"], "look at epoch 2"]);
    const detail = await call(api.url, `/api/runs/${runId}`);
    assert.deepEqual([detail.body.tags, detail.body.note], [["best-lr"], "look at epoch 2"]);
  });

  it("the sweep list and a sweep's runs filter by tag: every tag asked for must match", async () => {
    const [a, b] = [await store("filter-a", ["exp:7", "baseline"]), await store("filter-b", ["exp:7"])];
    const both = await call(api.url, "/api/sweeps?tag=exp:7&pageSize=200");
    assert.deepEqual(both.body.items.map((item: { id: string }) => item.id).sort(), [a.id, b.id].sort());
    assert.equal(both.body.total, 2);
    const one = await call(api.url, "/api/sweeps?tag=exp:7&tag=baseline");
    assert.deepEqual([one.body.total, one.body.items.map((item: { id: string }) => item.id)], [1, [a.id]]);
    assert.equal((await call(api.url, "/api/sweeps?tag=nowhere")).body.total, 0);
    const bad = await call(api.url, "/api/sweeps?tag=no%20spaces");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, "tag");

    const runs = (await call(api.url, `/api/sweeps/${a.id}/runs`)).body.runs;
    assert.equal(runs.length, 2);
    await patch(`/api/runs/${runs[0].id}`, { tags: ["keep"] });
    const kept = await call(api.url, `/api/sweeps/${a.id}/runs?tag=keep`);
    assert.equal(kept.status, 200);
    assert.deepEqual([kept.body.sweepId, kept.body.tags, kept.body.runs.map((run: { id: string }) => run.id)], [a.id, ["keep"], [runs[0].id]]);
    assert.equal(kept.body.runs[0].epochCount, 0);
    assert.deepEqual((await call(api.url, `/api/sweeps/${b.id}/runs?tag=keep`)).body.runs, [], "a sweep with no such run: an empty list");
    assert.equal((await call(api.url, `/api/sweeps/${MISSING}/runs`)).status, 404);
  });

  it("bad input is a 400 naming the field and the fix; an unknown id a 404, a malformed one a 400 at id", async () => {
    const sweep = await store("refused", Array.from({ length: 19 }, (_, i) => `t${i}`));
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, "(root)", /changes nothing: send tags, addTags, removeTags or note/],
      [{ tags: ["a"], addTags: ["b"] }, "tags", /send it without addTags and removeTags/],
      [{ addTags: ["x"], removeTags: ["x"] }, "removeTags", /x is in addTags too/],
      [{ tags: ["-leading-dash"] }, "tags.0", /a letter or digit first/],
      [{ tags: ["x".repeat(41)] }, "tags.0", /longer than 40 characters/],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "tags", /more than 20 tags/],
      [{ addTags: ["one", "two"] }, "addTags", /would make 21 tags, more than the 20 one may have/],
      [{ note: "x".repeat(2001) }, "note", /longer than 2000 characters/],
      [{ note: "escape \u001b[31m" }, "note", /control character: only line breaks/],
      [{ colour: "red" }, "colour", /unknown key/],
    ];
    for (const [body, path, message] of cases) {
      const answer = await patch(`/api/sweeps/${sweep.id}`, body);
      assert.equal(answer.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${answer.status}`);
      const issue = answer.body.issues.find((candidate: { path: string }) => candidate.path === path);
      assert.ok(issue, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.body.issues)}`);
      assert.match(issue.message, message);
    }
    assert.equal((await call(api.url, `/api/sweeps/${sweep.id}`)).body.tags.length, 19, "nothing refused was stored");

    for (const kind of ["sweeps", "runs"]) {
      assert.equal((await patch(`/api/${kind}/${MISSING}`, { tags: [] })).status, 404, kind);
      const malformed = await patch(`/api/${kind}/not-an-id`, { tags: [] });
      assert.deepEqual([malformed.status, malformed.body.issues[0].path], [400, "id"], kind);
    }
  });

  it("a change needs the write token: none is 401, a read token 403", async () => {
    const sweep = await store("guarded");
    assert.equal((await patch(`/api/sweeps/${sweep.id}`, { tags: ["x"] }, {})).status, 401);
    assert.equal((await patch(`/api/sweeps/${sweep.id}`, { tags: ["x"] }, { Authorization: `Bearer ${READ}` })).status, 403);
    const runId = (await call(api.url, `/api/sweeps/${sweep.id}/runs`)).body.runs[0].id;
    assert.equal((await patch(`/api/runs/${runId}`, { tags: ["x"] }, {})).status, 401);
    assert.deepEqual((await call(api.url, `/api/sweeps/${sweep.id}`)).body.tags, [], "unchanged");
  });
});

/** An open event stream of one sweep; next() waits for the first event's data that `matches`. */
async function eventStream(base: string, sweepId: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/events?sweepId=${sweepId}&token=${READ}`, { signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async next(matches: (data: any) => boolean): Promise<unknown> {
      for (;;) {
        // The last piece may be a line still arriving.
        for (const line of buffered.split("\n").slice(0, -1).filter((text) => text.startsWith("data: "))) {
          const data = JSON.parse(line.slice("data: ".length));
          if (matches(data)) return data;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffered += value;
      }
    },
    close: () => controller.abort(),
  };
}
