import type { RequestListener, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { deploymentId, migrateDatabase, openDatabase, resolveDatabaseUrl, type Database } from "../../libs/db/index.ts";
import type { Logger } from "../../libs/log/index.ts";
import {
  DEFAULT_QUEUE_NAME,
  openQueueTransport,
  queueNamespace,
  resolveQueueBackend,
  RunQueue,
  subscribeEvents,
  type QueueBackendConfig,
  type QueueTransport,
} from "../../libs/queue/index.ts";
import { feasibilityLimits } from "../../libs/feasibility/index.ts";
import { advanceAllStudies, advanceOnRunEnd, notReady, reconcileQueue, ServiceMetrics, type ServiceContext } from "../../libs/service/index.ts";
import { createApp } from "./app.ts";
import { connectionLimitsFromEnv, limitedServer } from "./connection-limits.ts";
import { ApiLifecycle } from "./lifecycle.ts";
import { ResponseCache, responseCacheOptionsFromEnv } from "./response-cache.ts";
import { SseHub } from "./sse-hub.ts";

export interface ApiOptions {
  log: Logger;
  port?: number;
  host?: string;
  databaseUrl?: string;
  /** Redis at this URL (no probing); without it (and without queueBackend) the queue backend is resolved from the environment. */
  redisUrl?: string;
  /** The queue backend, as resolved once by whoever starts the API and its workers (`npm start`). */
  queueBackend?: QueueBackendConfig;
  queueName?: string;
  staticDir?: string;
  /** How often queued runs without a job are put back on the queue (0: only at start). */
  reconcileMs?: number;
}

export interface RunningApi {
  url: string;
  ctx: ServiceContext;
  /** The Express app it serves (its router stack is what the OpenAPI test walks). */
  app: Express;
  /** The queue backend it runs on. */
  queueBackend: QueueBackendConfig;
  close(): Promise<void>;
}

/**
 * Starts the API against PostgreSQL (migrated first) and its queue backend (Redis, or PostgreSQL);
 * resolves once it serves. It listens from the start, /readyz answering 503 with what it is doing
 * until it serves, so that an orchestrator sees a slow migration as "not ready" rather than as a dead
 * process.
 */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { log } = options;
  const limits = connectionLimitsFromEnv();
  // Read again at each submit; read here first so that a bad setting stops the start, not a submit.
  feasibilityLimits();
  const lifecycle = new ApiLifecycle();
  lifecycle.starting("opening the port");
  let handle: RequestListener = startingAnswer(lifecycle);
  const server: Server = limitedServer((req, res) => handle(req, res), limits);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const base = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  let stack: ServingStack;
  try {
    stack = await startServing(options, lifecycle);
  } catch (error) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const { ctx, app, backend, transport, queue, hub, database, timer } = stack;
  handle = app;
  lifecycle.serving();
  log.info({ url: base, queue: transport.description }, "API listening");

  return {
    url: base,
    ctx,
    app,
    queueBackend: backend,
    async close() {
      lifecycle.stopping();
      if (timer) clearInterval(timer);
      hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await queue.close();
      await transport.close();
      await database.close();
    },
  };
}

interface ServingStack {
  ctx: ServiceContext;
  app: Express;
  backend: QueueBackendConfig;
  transport: QueueTransport;
  queue: RunQueue;
  hub: SseHub;
  database: Database;
  timer: NodeJS.Timeout | null;
}

/** Everything the API serves with, each step told to `lifecycle` while it runs. */
async function startServing(options: ApiOptions, lifecycle: ApiLifecycle): Promise<ServingStack> {
  const { log } = options;
  const databaseUrl = resolveDatabaseUrl(options.databaseUrl);
  lifecycle.starting("migrating the database");
  await migrateDatabase(databaseUrl);
  lifecycle.starting("connecting to the database and the queue");
  const database = await openDatabase(databaseUrl);
  const backend = options.queueBackend ?? (await resolveQueueBackend({ databaseUrl, redisUrl: options.redisUrl }));
  // On Redis, connection errors go where they always went (ioredis prints them); PostgreSQL's pools need a listener.
  const warn = (error: Error) => log.warn({ err: error.message }, "queue connection error");
  const namespace = queueNamespace(await deploymentId(database.prisma));
  const transport = openQueueTransport(backend, backend.kind === "postgres" ? { namespace, onConnectionError: warn } : { namespace });
  const publisher = transport.createPublisher();
  const subscriber = transport.createSubscriber();
  const queue = new RunQueue(transport, { name: options.queueName ?? DEFAULT_QUEUE_NAME });
  const hub = new SseHub();
  const cache = new ResponseCache(responseCacheOptionsFromEnv());
  const ctx: ServiceContext = { db: database.prisma, queue, publisher, log };
  const metrics = new ServiceMetrics(ctx);
  await subscribeEvents(subscriber, (event) => {
    // Progress does not change what the read endpoints return; epochs, statuses and workers do.
    if (event.type !== "run-progress") cache.clear();
    metrics.observeEvent(event);
    hub.publish(event);
    advanceOnRunEnd(ctx, event);
  });

  // Studies too: a run end whose event this API missed (it was down) still gets its next trials.
  lifecycle.starting("reconciling the queue with the database");
  const reconcile = () =>
    reconcileQueue(ctx)
      .then(() => advanceAllStudies(ctx))
      .catch((error: Error) => log.warn({ err: error.message }, "queue reconciliation failed; will retry"));
  await reconcile();
  const timer = options.reconcileMs === 0 ? null : setInterval(reconcile, options.reconcileMs ?? 30_000);

  const app = createApp({ ctx, hub, cache, metrics, lifecycle, staticDir: options.staticDir ?? `${import.meta.dirname}/../dashboard/dist` });
  return { ctx, app, backend, transport, queue, hub, database, timer };
}

/**
 * Before the API serves, the probes are answered 503 with what it is doing; any other request's
 * connection is closed unanswered, as if the API were not listening yet, so that clients retry as they
 * do while it is down (an EventSource reconnects after a dropped connection but gives up on an error
 * status; the CLI's watch reconnects on a network error).
 */
function startingAnswer(lifecycle: ApiLifecycle): RequestListener {
  return (req, res) => {
    const reason = lifecycle.notServing ?? "starting";
    const path = (req.url ?? "/").split("?")[0];
    const body = path === "/readyz" ? notReady(reason) : path === "/healthz" ? { ok: false, db: reason, queue: reason } : null;
    if (body === null) {
      req.socket.destroy();
      return;
    }
    res.writeHead(503, { "Content-Type": "application/json; charset=utf-8", "Retry-After": "1" }).end(JSON.stringify(body));
  };
}
