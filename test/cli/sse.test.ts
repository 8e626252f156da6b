import assert from "node:assert/strict";
import { test } from "node:test";
import { readSse } from "../../apps/cli/sweeps/sse.ts";

async function eventsOf(chunks: string[]) {
  async function* body() {
    for (const chunk of chunks) yield new TextEncoder().encode(chunk);
  }
  const events = [];
  for await (const event of readSse(body())) events.push(event);
  return events;
}

test("frames end at a blank line; comments and retry are skipped; data lines join with newlines", async () => {
  const stream = 'retry: 3000\n: connected\n\nevent: run-status\ndata: {"a":1}\n\n: keepalive\n\ndata: one\ndata:two\n\n';
  assert.deepEqual(await eventsOf([stream]), [
    { event: "run-status", data: '{"a":1}' },
    { event: "message", data: "one\ntwo" },
  ]);
});

test("a frame split anywhere across chunks, \\r\\n included, reads as the whole frame", async () => {
  const stream = "event: run-epoch\r\ndata: {\"epoch\":1}\r\n\r\nevent: worker\ndata: x\n\n";
  const whole = await eventsOf([stream]);
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(await eventsOf([stream.slice(0, cut), stream.slice(cut)]), whole, `cut at ${cut}`);
  }
  assert.deepEqual(whole, [
    { event: "run-epoch", data: '{"epoch":1}' },
    { event: "worker", data: "x" },
  ]);
});

test("a multi-byte character split between chunks is decoded whole; an unfinished frame is dropped", async () => {
  const bytes = new TextEncoder().encode("data: ±1\n\ndata: cut off");
  async function* body() {
    yield bytes.slice(0, 7);
    yield bytes.slice(7);
  }
  const events = [];
  for await (const event of readSse(body())) events.push(event);
  assert.deepEqual(events, [{ event: "message", data: "±1" }]);
});
