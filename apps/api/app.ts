import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import express, { type Express, type RequestHandler } from "express";
import type { ServiceContext } from "../../libs/service/index.ts";
import { errorHandler, unknownRoute } from "./http-errors.ts";
import { runRoutes } from "./routes/runs.ts";
import { sweepMetricsRoutes } from "./routes/sweep-metrics.ts";
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
}

/** The API: JSON over HTTP, server-sent events, and BullMQ's admin view. */
export function createApp({ ctx, hub, staticDir }: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(express.json({ limit: BODY_LIMIT, strict: false }));
  app.use(express.text({ limit: BODY_LIMIT, type: ["text/*", "application/yaml", "application/x-yaml"] }));

  app.get("/healthz", health(ctx));
  app.use("/api/sweeps", sweepRoutes(ctx));
  app.use("/api/sweeps", sweepMetricsRoutes(ctx.db));
  app.use("/api/runs", runRoutes(ctx.db));
  app.use("/api/workers", workerRoutes(ctx.db));
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
    const [db, redis] = await Promise.all([
      ctx.db.$queryRaw`SELECT 1`.then(() => "ok", (error: Error) => error.message),
      ctx.publisher.ping().then(() => "ok", (error: Error) => error.message),
    ]);
    const ok = db === "ok" && redis === "ok";
    res.status(ok ? 200 : 503).json({ ok, db, redis });
  };
}

function bullBoard(ctx: ServiceContext) {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath("/admin/queues");
  createBullBoard({ queues: [new BullMQAdapter(ctx.queue.queue)], serverAdapter });
  return serverAdapter.getRouter();
}

