import { Redis, type RedisOptions } from "ioredis";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export function redisUrl(): string {
  return process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}

/**
 * A Redis connection for BullMQ. Blocking clients (workers, event listeners, subscribers) need
 * `maxRetriesPerRequest: null` so they wait out a Redis restart instead of failing commands.
 */
export function connectRedis(url = redisUrl(), options: { blocking?: boolean } = {}): Redis {
  const settings: RedisOptions = options.blocking ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 3 };
  return new Redis(url, { ...settings, lazyConnect: false });
}

/**
 * Whether a Redis answers PING at url within timeoutMs: one try, no reconnects, nothing left open.
 * A Redis that refuses us (wrong password, protected mode) counts as not answering.
 */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
