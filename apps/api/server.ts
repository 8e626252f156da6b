import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deploymentId, migrateDatabase, openDatabase, resolveDatabaseUrl } from "../../libs/db/index.ts";
import type { Logger } from "../../libs/log/index.ts";
import {
  DEFAULT_QUEUE_NAME,
  openQueueTransport,
  queueNamespace,
  resolveQueueBackend,
  RunQueue,
  subscribeEvents,
  type QueueBackendConfig,
} from "../../libs/queue/index.ts";
import { feasibilityLimits } from "../../libs/feasibility/index.ts";
import { advanceAllStudies, advanceOnRunEnd, reconcileQueue, type ServiceContext } from "../../libs/service/index.ts";
import { createApp } from "./app.ts";
import { connectionLimitsFromEnv, limitedServer } from "./connection-limits.ts";
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
  /** The queue backend it runs on. */
  queueBackend: QueueBackendConfig;
  close(): Promise<void>;
}

/** Starts the API against PostgreSQL (migrated first) and its queue backend (Redis, or PostgreSQL); resolves once it listens. */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { log } = options;
  const limits = connectionLimitsFromEnv();
  // Read again at each submit; read here first so that a bad setting stops the start, not a submit.
  feasibilityLimits();
  const databaseUrl = resolveDatabaseUrl(options.databaseUrl);
  await migrateDatabase(databaseUrl);
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
  await subscribeEvents(subscriber, (event) => {
    // Progress does not change what the read endpoints return; epochs, statuses and workers do.
    if (event.type !== "run-progress") cache.clear();
    hub.publish(event);
    advanceOnRunEnd(ctx, event);
  });

  // Studies too: a run end whose event this API missed (it was down) still gets its next trials.
  const reconcile = () =>
    reconcileQueue(ctx)
      .then(() => advanceAllStudies(ctx))
      .catch((error: Error) => log.warn({ err: error.message }, "queue reconciliation failed; will retry"));
  await reconcile();
  const timer = options.reconcileMs === 0 ? null : setInterval(reconcile, options.reconcileMs ?? 30_000);

  const app = createApp({ ctx, hub, cache, staticDir: options.staticDir ?? `${import.meta.dirname}/../dashboard/dist` });
  const server: Server = limitedServer(app, limits);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const base = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url: base, queue: transport.description }, "API listening");

  return {
    url: base,
    ctx,
    queueBackend: backend,
    async close() {
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
