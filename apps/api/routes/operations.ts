// What an operator and an orchestrator poll: liveness, readiness, Prometheus metrics, and the live
// event stream the dashboard and CLI follow.
import type { RequestHandler } from "express";
import { z } from "zod";
import { METRICS_CONTENT_TYPE, notReady, readiness, type ServiceContext, type ServiceMetrics } from "../../../libs/service/index.ts";
import { parseInput } from "../../../libs/validation/index.ts";
import type { ApiLifecycle } from "../lifecycle.ts";
import type { ApiRoute } from "../route-table.ts";
import type { SseHub } from "../sse-hub.ts";

export interface OperationDeps {
  ctx: ServiceContext;
  hub: SseHub;
  metrics: ServiceMetrics;
  lifecycle: ApiLifecycle;
}

const eventsQuery = z.object({
  sweepId: z.uuid().optional().describe("only this sweep's events (and every worker event); all sweeps' without it"),
});

export function operationRoutes({ ctx, hub, metrics, lifecycle }: OperationDeps): ApiRoute[] {
  return [
    {
      method: "get",
      path: "/healthz",
      tag: "operations",
      summary: "Liveness: PostgreSQL and the queue (Redis or PostgreSQL) reachable",
      access: "open",
      responses: { 200: { description: "{ ok: true, db: \"ok\", queue: \"ok\" }" }, 503: { description: "{ ok: false, db, queue }: what failed, in words" } },
      handler: health(ctx),
    },
    {
      method: "get",
      path: "/readyz",
      tag: "operations",
      summary: "Readiness: whether to send this API traffic",
      description:
        "503 with the reason while the API starts (the database is migrated before it serves), while PostgreSQL or the queue does not answer within " +
        "0.8 s, and once it shuts down; 200 otherwise. The API listens from the start of its start-up, so a probe sees each step.",
      access: "open",
      responses: {
        200: { description: "ReadinessReport: { ready: true, checks: { database: \"ok\", queue: \"ok\" } }" },
        503: { description: "ReadinessReport: { ready: false, reason, checks }" },
      },
      handler: async (_req, res) => {
        const why = lifecycle.notServing;
        const report = why === null ? await readiness(ctx) : notReady(why);
        res.status(report.ready ? 200 : 503).json(report);
      },
    },
    {
      method: "get",
      path: "/metrics",
      tag: "operations",
      summary: "Prometheus metrics: queue, runs, epochs, workers, HTTP requests",
      description:
        "Text exposition format. The fleet's figures are read from the queue and PostgreSQL at each scrape (workers heartbeat into PostgreSQL, so one " +
        "scrape of the API covers every worker); request durations and epochs written are counted by this API process. Names and labels: docs/api.md.",
      access: "read",
      responses: { 200: { description: "the metrics", contentType: METRICS_CONTENT_TYPE } },
      handler: async (_req, res) => {
        res.type(METRICS_CONTENT_TYPE).send(await metrics.exposition());
      },
    },
    {
      method: "get",
      path: "/api/events",
      tag: "operations",
      summary: "Live events (server-sent events): run-progress, run-epoch, run-status, worker, labels",
      access: "read",
      queryToken: true,
      query: { schema: eventsQuery, example: { sweepId: "3f2b8c1e-5d4a-4e9b-8c7d-1a2b3c4d5e6f" } },
      responses: { 200: { description: "an event stream that stays open", contentType: "text/event-stream" }, 400: { description: "sweepId is no UUID" } },
      handler: (req, res) => {
        const { sweepId } = parseInput(eventsQuery, req.query, "query");
        hub.attach(req, res, sweepId ?? null);
      },
    },
  ];
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
