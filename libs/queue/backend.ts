// Where the run queue and the live channel live: Redis, or PostgreSQL (BullMQ's PostgreSQL backend
// plus LISTEN/NOTIFY) on the database the runs are stored in. One interface, two implementations;
// everything above it (RunQueue, the worker, the API) is the same on both.
import { Queue, Worker, createPostgresBackend, type Processor, type QueueOptions, type WorkerOptions } from "bullmq";
import type { Redis } from "ioredis";
import { maskUrl } from "../log/index.ts";
import { connectRedis, DEFAULT_REDIS_URL, redisAnswers } from "./connection.ts";
import { PgPublisher, PgSubscriber, RedisPublisher, RedisSubscriber, type Publisher, type Subscriber } from "./pubsub.ts";

export type QueueBackendKind = "redis" | "postgres";

/** Where BullMQ keeps its tables in the PostgreSQL database, unless SGAN_QUEUE_SCHEMA says otherwise. */
export const DEFAULT_QUEUE_SCHEMA = "bullmq";

export type QueueBackendConfig =
  | { kind: "redis"; redisUrl: string; /** Why this backend: for start-up lines. */ reason?: string }
  | { kind: "postgres"; databaseUrl: string; schema?: string; reason?: string };

export interface ConnectionSettings {
  /** Redis only: wait out a Redis restart (`maxRetriesPerRequest: null`) instead of failing commands. */
  blocking?: boolean;
}

/** The queue backend's side of everything that talks to the queue or the live channel. */
export interface QueueTransport {
  readonly kind: QueueBackendKind;
  /** Where, with passwords masked: for start-up lines and logs. */
  readonly description: string;
  /** A BullMQ Queue on this backend. Typed as the default Queue: every method this project uses exists on both. */
  createQueue<D>(name: string, options: Omit<QueueOptions, "connection">): Queue<D>;
  createWorker<D, R>(name: string, processor: Processor<D, R>, options: Omit<WorkerOptions, "connection">): Worker<D, R>;
  createPublisher(settings?: ConnectionSettings): Publisher;
  createSubscriber(): Subscriber;
  /** Closes the connections this transport opened; close its queues and workers first. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /**
   * The deployment's queue namespace (queueNamespace): on Redis, the prefix of BullMQ's keys and of
   * the live channels, so that deployments sharing a Redis never see each other's jobs or events.
   * On PostgreSQL the database already is the deployment's own.
   */
  namespace: string;
  /** Errors of idle connections (a server restart): logged, never thrown. */
  onConnectionError?: (error: Error) => void;
}

export function openQueueTransport(config: QueueBackendConfig, options: TransportOptions): QueueTransport {
  return config.kind === "redis" ? new RedisTransport(config.redisUrl, options) : new PostgresTransport(config.databaseUrl, config.schema ?? DEFAULT_QUEUE_SCHEMA, options);
}

/** Overrides the queue namespace derived from the database (two databases that must share one queue, or a readable name). */
export const QUEUE_NAMESPACE_ENV = "SGAN_QUEUE_NAMESPACE";

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The queue namespace of the deployment whose database has this id: `sgan-<id>`, unless
 * SGAN_QUEUE_NAMESPACE names one. Every process that reads the same database derives the same one,
 * wherever it runs, whatever URL it reaches the database by.
 */
export function queueNamespace(deploymentId: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[QUEUE_NAMESPACE_ENV]?.trim();
  if (!chosen) return `sgan-${deploymentId}`;
  if (!NAMESPACE.test(chosen)) {
    throw new Error(`${QUEUE_NAMESPACE_ENV} must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), not ${JSON.stringify(chosen.slice(0, 80))}`);
  }
  return chosen;
}

/** One line for a person: which backend, where, and why. */
export function describeQueueBackend(config: QueueBackendConfig): string {
  const where =
    config.kind === "redis"
      ? `Redis ${maskUrl(config.redisUrl)}`
      : `PostgreSQL (BullMQ's PostgreSQL backend, schema ${config.schema ?? DEFAULT_QUEUE_SCHEMA}; live events by LISTEN/NOTIFY) on ${maskUrl(config.databaseUrl)}`;
  return config.reason ? `${where} (${config.reason})` : where;
}

export interface ResolveOptions {
  /** Where the runs are stored: the PostgreSQL backend's database. */
  databaseUrl: string;
  /** An explicit Redis URL (the API's option): Redis, no probing. */
  redisUrl?: string;
  env?: NodeJS.ProcessEnv;
  probeTimeoutMs?: number;
}

/**
 * Picks the queue backend: Redis at options.redisUrl if given; else SGAN_QUEUE_BACKEND=redis|postgres
 * if set; else Redis at REDIS_URL if set; else Redis on this machine if one answers at
 * SGAN_REDIS_PROBE_URL (default redis://127.0.0.1:6379); else the PostgreSQL backend on databaseUrl. Every process of one deployment must make the same
 * choice: `npm start` hands its choice to its workers; set SGAN_QUEUE_BACKEND or REDIS_URL on
 * workers elsewhere.
 */
export async function resolveQueueBackend(options: ResolveOptions): Promise<QueueBackendConfig> {
  const env = options.env ?? process.env;
  const schema = env.SGAN_QUEUE_SCHEMA || undefined;
  const postgres = (reason: string): QueueBackendConfig => ({ kind: "postgres", databaseUrl: options.databaseUrl, schema, reason });
  const explicitRedis = env.REDIS_URL || undefined;
  if (options.redisUrl) return { kind: "redis", redisUrl: options.redisUrl };
  const forced = (env.SGAN_QUEUE_BACKEND ?? "").trim().toLowerCase();
  if (forced === "postgres") return postgres("SGAN_QUEUE_BACKEND=postgres");
  if (forced === "redis") return { kind: "redis", redisUrl: explicitRedis ?? DEFAULT_REDIS_URL, reason: "SGAN_QUEUE_BACKEND=redis" };
  if (forced !== "" && forced !== "auto") throw new Error(`SGAN_QUEUE_BACKEND must be redis, postgres or auto, not "${env.SGAN_QUEUE_BACKEND}"`);
  if (env.REDIS_URL) return { kind: "redis", redisUrl: env.REDIS_URL, reason: "REDIS_URL" };
  const probeUrl = env.SGAN_REDIS_PROBE_URL || DEFAULT_REDIS_URL;
  if (await redisAnswers(probeUrl, options.probeTimeoutMs)) return { kind: "redis", redisUrl: probeUrl, reason: "no REDIS_URL; a Redis answered on this machine" };
  return postgres(`no REDIS_URL and no Redis answering at ${maskUrl(probeUrl)}`);
}

/** The environment that makes a child process (a worker) choose the same backend as this one. */
export function queueBackendEnv(config: QueueBackendConfig): Record<string, string> {
  return config.kind === "redis"
    ? { SGAN_QUEUE_BACKEND: "redis", REDIS_URL: config.redisUrl }
    : { SGAN_QUEUE_BACKEND: "postgres", DATABASE_URL: config.databaseUrl, ...(config.schema ? { SGAN_QUEUE_SCHEMA: config.schema } : {}) };
}

/** Redis: every queue, worker and channel end on an ioredis connection of its own, as BullMQ wants. */
class RedisTransport implements QueueTransport {
  readonly kind = "redis";
  readonly description: string;
  private readonly connections: Redis[] = [];

  constructor(
    private readonly url: string,
    private readonly options: TransportOptions,
  ) {
    this.description = `Redis ${maskUrl(url)} (namespace ${options.namespace})`;
  }

  createQueue<D>(name: string, options: Omit<QueueOptions, "connection">): Queue<D> {
    return new Queue<D>(name, { ...options, prefix: this.options.namespace, connection: this.connect({ blocking: true }) });
  }

  createWorker<D, R>(name: string, processor: Processor<D, R>, options: Omit<WorkerOptions, "connection">): Worker<D, R> {
    return new Worker<D, R>(name, processor, { ...options, prefix: this.options.namespace, connection: this.connect({ blocking: true }) });
  }

  createPublisher(settings: ConnectionSettings = {}): Publisher {
    return new RedisPublisher(this.connect(settings), this.options.namespace);
  }

  createSubscriber(): Subscriber {
    return new RedisSubscriber(this.connect({ blocking: true }), this.options.namespace);
  }

  async close(): Promise<void> {
    // BullMQ leaves connections it was given open.
    await Promise.all(this.connections.splice(0).map((connection) => connection.quit().catch(() => connection.disconnect())));
  }

  private connect(settings: ConnectionSettings): Redis {
    const connection = connectRedis(this.url, settings);
    const { onConnectionError } = this.options;
    if (onConnectionError) connection.on("error", onConnectionError);
    this.connections.push(connection);
    return connection;
  }
}

/**
 * PostgreSQL: BullMQ's PostgreSQL backend (its tables in their own schema, migrated on first use
 * by whichever process gets there first) and LISTEN/NOTIFY for the live channel.
 */
class PostgresTransport implements QueueTransport {
  readonly kind = "postgres";
  readonly description: string;
  private readonly publishers: PgPublisher[] = [];
  private readonly subscribers: PgSubscriber[] = [];

  constructor(
    private readonly databaseUrl: string,
    private readonly schema: string,
    private readonly options: TransportOptions,
  ) {
    this.description = `PostgreSQL ${maskUrl(databaseUrl)} (schema ${schema})`;
  }

  private connection(poolSize: number) {
    return { connectionString: this.databaseUrl, schema: this.schema, migrate: true, max: poolSize };
  }

  createQueue<D>(name: string, options: Omit<QueueOptions, "connection">): Queue<D> {
    // Each Queue and Worker owns its pool (and LISTEN client) and closes it on close().
    const queue = new Queue(name, { ...options, connection: this.connection(4) }, createPostgresBackend);
    this.watch(queue);
    // Typed as the default (Redis) Queue: the methods this project calls are the same on both.
    return queue as unknown as Queue<D>;
  }

  createWorker<D, R>(name: string, processor: Processor<D, R>, options: Omit<WorkerOptions, "connection">): Worker<D, R> {
    const poolSize = Math.min(10, (options.concurrency ?? 1) + 3);
    const worker = new Worker(name, processor, { ...options, connection: this.connection(poolSize) }, createPostgresBackend);
    return worker as unknown as Worker<D, R>;
  }

  createPublisher(): Publisher {
    const publisher = new PgPublisher(this.databaseUrl, this.options.onConnectionError);
    this.publishers.push(publisher);
    return publisher;
  }

  createSubscriber(): Subscriber {
    const subscriber = new PgSubscriber(this.databaseUrl, this.options.onConnectionError);
    this.subscribers.push(subscriber);
    return subscriber;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscribers.splice(0).map((s) => s.close()), ...this.publishers.splice(0).map((p) => p.quit().catch(() => undefined))]);
  }

  private watch(queue: { on(event: "error", listener: (error: Error) => void): unknown }): void {
    const { onConnectionError } = this.options;
    if (onConnectionError) queue.on("error", onConnectionError);
  }
}
