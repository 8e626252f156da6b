import type { Redis } from "ioredis";

/**
 * Live events from workers to whoever watches (the API's server-sent events). Redis pub/sub: fire
 * and forget, nothing is stored; PostgreSQL keeps the record.
 */
export type LiveEvent =
  | { type: "run-progress"; runId: string; sweepId: string; workerId: string; epoch: number; batch: number; batches: number; samplesPerSec: number; etaSeconds: number | null }
  | { type: "run-epoch"; runId: string; sweepId: string; epoch: number; testAccuracy: number; dAccMean: number; gLossMean: number; dLossMean: number }
  | { type: "run-status"; runId: string; sweepId: string; status: string; workerId: string | null }
  | { type: "worker"; workerId: string; alive: boolean; host: string; backend: string; device: string; runs: string[] };

export interface ControlMessage {
  type: "cancel";
  runIds: string[];
}

const EVENTS_CHANNEL = "sgan:events";
const CONTROL_CHANNEL = "sgan:control";

export async function publishEvent(redis: Redis, event: LiveEvent): Promise<void> {
  await redis.publish(EVENTS_CHANNEL, JSON.stringify(event));
}

export async function publishControl(redis: Redis, message: ControlMessage): Promise<void> {
  await redis.publish(CONTROL_CHANNEL, JSON.stringify(message));
}

/** Subscribes a dedicated connection (a subscribed Redis client can do nothing else). */
async function subscribe<T>(subscriber: Redis, channel: string, handler: (message: T) => void): Promise<void> {
  subscriber.on("message", (received: string, text: string) => {
    if (received !== channel) return;
    try {
      handler(JSON.parse(text) as T);
    } catch {
      // A malformed message from another publisher must not take a subscriber down.
    }
  });
  await subscriber.subscribe(channel);
}

export function subscribeEvents(subscriber: Redis, handler: (event: LiveEvent) => void): Promise<void> {
  return subscribe(subscriber, EVENTS_CHANNEL, handler);
}

export function subscribeControl(subscriber: Redis, handler: (message: ControlMessage) => void): Promise<void> {
  return subscribe(subscriber, CONTROL_CHANNEL, handler);
}
