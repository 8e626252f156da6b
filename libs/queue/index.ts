export { connectRedis, redisUrl, DEFAULT_REDIS_URL } from "./connection.ts";
export { DEFAULT_QUEUE_NAME, bullPriority } from "./jobs.ts";
export type { RunJobData, RunJobResult, RunJobSpec } from "./jobs.ts";
export { RunQueue, type RunQueueOptions } from "./run-queue.ts";
export { publishEvent, publishControl, subscribeEvents, subscribeControl } from "./events.ts";
export type { LiveEvent, ControlMessage } from "./events.ts";
