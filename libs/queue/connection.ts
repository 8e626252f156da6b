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
