export { connectRedis, redisUrl, redisAnswers, DEFAULT_REDIS_URL } from "./connection.ts";
export { DEFAULT_QUEUE_NAME, bullPriority } from "./jobs.ts";
export type { RunJobData, RunJobResult, RunJobSpec } from "./jobs.ts";
export { isLiveJobState, RunQueue, type RunJobState, type RunQueueOptions } from "./run-queue.ts";
export { publishEvent, publishControl, subscribeEvents, subscribeControl, EVENTS_CHANNEL, CONTROL_CHANNEL } from "./events.ts";
export type { ControlMessage } from "./events.ts";
export { PgPublisher, PgSubscriber, RedisPublisher, RedisSubscriber, type Publisher, type Subscriber } from "./pubsub.ts";
export {
  DEFAULT_QUEUE_SCHEMA,
  describeQueueBackend,
  openQueueTransport,
  queueNamespace,
  QUEUE_NAMESPACE_ENV,
  queueBackendEnv,
  resolveQueueBackend,
  type ConnectionSettings,
  type QueueBackendConfig,
  type QueueBackendKind,
  type QueueTransport,
  type ResolveOptions,
  type TransportOptions,
} from "./backend.ts";
