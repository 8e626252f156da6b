import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import express, { type Express, type RequestHandler } from "express";
import type { ServiceContext } from "../../libs/service/index.ts";
import { AUTH_ENV, authConfigFromEnv, tokenGuard, type AuthConfig } from "./auth.ts";
import { errorHandler, unknownRoute } from "./http-errors.ts";
import { ResponseCache, responseCacheOptionsFromEnv } from "./response-cache.ts";
import { runRoutes } from "./routes/runs.ts";
import { sweepRoutes } from "./routes/sweeps.ts";
import { workerRoutes } from "./routes/workers.ts";
import type { SseHub } from "./sse-hub.ts";

/** Largest accepted request body; a sweep config is a few hundred bytes. */
export const BODY_LIMIT = "256kb";

export interface AppOptions {
  ctx: ServiceContext;
  hub: SseHub;
  /** Static files (the dashboard) served at /, when present. */
  staticDir?: string;
  /** API tokens; by default from SGAN_API_TOKENS, SGAN_READ_TOKENS and SGAN_READ_TOKENS_REQUIRED. */
  auth?: AuthConfig;
  /** Short-lived cache of read responses; by default one of SGAN_READ_CACHE_MS (1 s). */
  cache?: ResponseCache;
}

/** Where `?token=` stands in for the Authorization header (under /api): what browsers load without fetch. */
const QUERY_TOKEN_PATHS = [/^\/events\/?$/, /^\/runs\/[^/]+\/samples\/[^/]+$/];

/** The API: JSON over HTTP, server-sent events, and BullMQ's admin view. */
export function createApp({ ctx, hub, staticDir, auth = authConfigFromEnv(), cache = new ResponseCache(responseCacheOptionsFromEnv()) }: AppOptions): Express {
  const guard = tokenGuard(auth, QUERY_TOKEN_PATHS);
  if (!guard.writesProtected) ctx.log.warn(`${AUTH_ENV.writeTokens} is not set: writes (submit, cancel) and /admin/queues are unauthenticated`);
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.get("/healthz", health(ctx));
  // Before the body parsers: a refused request's body is never read.
  app.use("/api", guard.api);
  app.use("/admin/queues", guard.write);
  app.use(express.json({ limit: BODY_LIMIT, strict: false }));
  app.use(express.text({ limit: BODY_LIMIT, type: ["text/*", "application/yaml", "application/x-yaml"] }));
  app.use("/api", (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") res.once("finish", () => cache.clear());
    next();
  });
  // The JSON read endpoints only: never the event stream, whose response does not end.
  app.use(["/api/sweeps", "/api/runs", "/api/workers"], cache.middleware());

  app.use("/api/sweeps", sweepRoutes(ctx));
  app.use("/api/runs", runRoutes(ctx));
  app.use("/api/workers", workerRoutes(ctx));
  app.get("/api/events", (req, res) => {
    const sweepId = typeof req.query.sweepId === "string" ? req.query.sweepId : null;
    hub.attach(req, res, sweepId);
  });
  app.use("/admin/queues", bullBoard(ctx));
  if (staticDir) app.use(express.static(staticDir));
  app.use(unknownRoute);
  app.use(errorHandler(ctx.log));
  return app;
}

function health(ctx: ServiceContext): RequestHandler {
  return async (_req, res) => {
    const [db, queue] = await Promise.all([
      ctx.db.$queryRaw`SELECT 1`.then(() => "ok", (error: Error) => error.message),
      ctx.publisher.ping().then(() => "ok", (error: Error) => error.message),
    ]);
    const ok = db === "ok" && queue === "ok";
    res.status(ok ? 200 : 503).json({ ok, db, queue });
  };
}

function bullBoard(ctx: ServiceContext) {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath("/admin/queues");
  createBullBoard({ queues: [new BullMQAdapter(ctx.queue.queue)], serverAdapter });
  return serverAdapter.getRouter();
}

