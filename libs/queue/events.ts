import type { LiveEvent } from "../results/index.ts";
import type { Publisher, Subscriber } from "./pubsub.ts";

// Live events (libs/results LiveEvent) travel from workers to whoever watches (the API's server-sent
// events) over Redis pub/sub or PostgreSQL LISTEN/NOTIFY, whichever the queue runs on: fire and
// forget, nothing is stored; PostgreSQL keeps the record.

/**
 * To the workers training these runs: `cancel` stops them within a batch (they end cancelled);
 * `pause` stops them after their current epoch, checkpointed, back to queued (their sweep is paused).
 */
export interface ControlMessage {
  type: "cancel" | "pause";
  runIds: string[];
}

export const EVENTS_CHANNEL = "sgan:events";
export const CONTROL_CHANNEL = "sgan:control";

export async function publishEvent(publisher: Publisher, event: LiveEvent): Promise<void> {
  await publisher.publish(EVENTS_CHANNEL, JSON.stringify(event));
}

export async function publishControl(publisher: Publisher, message: ControlMessage): Promise<void> {
  await publisher.publish(CONTROL_CHANNEL, JSON.stringify(message));
}

/** Subscribes a dedicated connection (a subscribed Redis client can do nothing else). */
async function subscribe<T>(subscriber: Subscriber, channel: string, handler: (message: T) => void): Promise<void> {
  await subscriber.subscribe(channel, (text) => {
    try {
      handler(JSON.parse(text) as T);
    } catch {
      // A malformed message from another publisher must not take a subscriber down.
    }
  });
}

export function subscribeEvents(subscriber: Subscriber, handler: (event: LiveEvent) => void): Promise<void> {
  return subscribe(subscriber, EVENTS_CHANNEL, handler);
}

export function subscribeControl(subscriber: Subscriber, handler: (message: ControlMessage) => void): Promise<void> {
  return subscribe(subscriber, CONTROL_CHANNEL, handler);
}
