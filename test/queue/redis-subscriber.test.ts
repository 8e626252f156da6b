// The live channel's Redis subscriber across reconnects, on the real Redis: it listens again to its
// channels once the connection is back, and a connection closed while that resubscription is still
// unanswered (a shutdown as the connection is lost) leaves no unhandled rejection: ioredis 6.0's own
// resubscription leaves its SUBSCRIBE's promise unhandled (redis/ioredis#2187), and Node 20 ends the
// process on one (this test failed so, "Connection is closed.", before the subscriber resubscribed itself).
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { connectRedis, redisUrl } from "../../libs/queue/index.ts";
import { RedisSubscriber } from "../../libs/queue/pubsub.ts";
import { waitFor } from "../support/wait-for.ts";

const namespace = `redis-subscriber-test-${process.pid}`;

describe("RedisSubscriber across a reconnect", { timeout: 30_000 }, () => {
  const publisher = connectRedis(redisUrl());
  after(() => publisher.quit());

  it("hears its channel again once the connection is back", async () => {
    const subscriber = new RedisSubscriber(connectRedis(redisUrl(), { blocking: true }), namespace);
    const heard: string[] = [];
    await subscriber.subscribe("resubscribed", (message) => heard.push(message));
    try {
      subscriber.connection.disconnect(true);
      await once(subscriber.connection, "ready");
      await waitFor("a message after the reconnect", async () => {
        await publisher.publish(`${namespace}:resubscribed`, "after");
        return heard.includes("after");
      }, 10_000, 50);
    } finally {
      await subscriber.close();
    }
  });

  it("leaves no rejection unhandled when the connection is closed during its resubscription", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const subscriber = new RedisSubscriber(connectRedis(redisUrl(), { blocking: true }), namespace);
    subscriber.connection.on("error", () => undefined); // ioredis is silent about "Connection is closed." on a connection closed on purpose
    try {
      await subscriber.subscribe("cut-short", () => undefined);
      subscriber.connection.disconnect(true);
      await once(subscriber.connection, "ready"); // the resubscription is on the wire, unanswered
      // Closing (a shutdown) as the connection is lost: nothing more comes from Redis on it.
      subscriber.connection.disconnect();
      subscriber.connection.stream.destroy();
      await once(subscriber.connection, "end");
      await new Promise((resolve) => setTimeout(resolve, 100)); // past the turn where Node reports unhandled rejections
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
