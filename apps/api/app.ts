import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type Express, type RequestHandler } from "express";
import { ServiceMetrics, type ServiceContext } from "../../libs/service/index.ts";
import { AUTH_ENV, authConfigFromEnv, tokenGuard, type AuthConfig, type TokenGuard } from "./auth.ts";
import { bullBoard } from "./bull-board.ts";
import { errorHandler, unknownRoute } from "./http-errors.ts";
import { labelRoute, requestTimer, UNMATCHED_ROUTE } from "./http-metrics.ts";
import { ApiLifecycle } from "./lifecycle.ts";
import { openApiDocument, type OpenApiDocument } from "./openapi/document.ts";
import { ResponseCache, responseCacheOptionsFromEnv } from "./response-cache.ts";
import type { ApiRoute, MountedPath } from "./route-table.ts";
import { documentationRoutes } from "./routes/documentation.ts";
import { operationRoutes } from "./routes/operations.ts";
import { runRoutes } from "./routes/runs.ts";
import { sweepRoutes } from "./routes/sweeps.ts";
import { workerRoutes } from "./routes/workers.ts";
import type { SseHub } from "./sse-hub.ts";
import packageJson from "../../package.json" with { type: "json" };

/** Largest accepted request body; a sweep config is a few hundred bytes. */
export const BODY_LIMIT = "256kb";

export interface AppOptions {
  ctx: ServiceContext;
  hub: SseHub;
  /** Static files (the dashboard) served at /, when its index.html is there as the API starts. */
  staticDir?: string;
  /** API tokens; by default from SGAN_API_TOKENS, SGAN_READ_TOKENS and SGAN_READ_TOKENS_REQUIRED. */
  auth?: AuthConfig;
  /** Short-lived cache of read responses; by default one of SGAN_READ_CACHE_MS (1 s). */
  cache?: ResponseCache;
  /** What /metrics reports; by default a registry of this app's own. */
  metrics?: ServiceMetrics;
  /** Whether the API serves (readiness); by default serving. */
  lifecycle?: ApiLifecycle;
}

export const ADMIN_QUEUES_PATH = "/admin/queues";

/** The API: JSON over HTTP, server-sent events, its OpenAPI document, metrics, and BullMQ's admin view. */
export function createApp({
  ctx,
  hub,
  staticDir,
  auth = authConfigFromEnv(),
  cache = new ResponseCache(responseCacheOptionsFromEnv()),
  metrics = new ServiceMetrics(ctx),
  lifecycle = new ApiLifecycle(),
}: AppOptions): Express {
  const guard = tokenGuard(auth);
  if (!guard.writesProtected) ctx.log.warn(`${AUTH_ENV.writeTokens} is not set: writes (submit, cancel) and /admin/queues are unauthenticated`);
  const routes: ApiRoute[] = [
    ...operationRoutes({ ctx, hub, metrics, lifecycle }),
    ...documentationRoutes(() => document),
    ...sweepRoutes(ctx),
    ...runRoutes(ctx),
    ...workerRoutes(ctx),
  ];
  const mounts = mountedPaths(ctx, staticDir);
  const document: OpenApiDocument = openApiDocument(routes, mounts, {
    version: packageJson.version,
    readsProtected: guard.readsProtected,
    writesProtected: guard.writesProtected,
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(requestTimer(metrics));
  const chain = routeChain(guard, cache);
  for (const route of routes) app[route.method](route.path, ...chain(route));
  // An /api path no route took: refused without a token as any request there would be, else told unknown.
  app.use("/api", guard.api);
  for (const mount of mounts) app.use(mount.path, labelRoute(mount.path), guard.route(mount.access, { basic: true }), ...mount.handlers);
  app.use(labelRoute(UNMATCHED_ROUTE), unknownRoute);
  app.use(errorHandler(ctx.log));
  return app;
}

/** What each route runs: its metrics label, its token check (before the body is read), its body parsers, the read cache, its handler. */
function routeChain(guard: TokenGuard, cache: ResponseCache): (route: ApiRoute) => RequestHandler[] {
  const bodyParsers = [
    express.json({ limit: BODY_LIMIT, strict: false }),
    express.text({ limit: BODY_LIMIT, type: ["text/*", "application/yaml", "application/x-yaml"] }),
  ];
  const clearCacheAfterWrite: RequestHandler = (_req, res, next) => {
    res.once("finish", () => cache.clear());
    next();
  };
  const cached = cache.middleware();
  return (route) => [
    labelRoute(route.path),
    guard.route(route.access, { queryToken: route.queryToken }),
    ...(route.method === "get" ? [] : [...bodyParsers, clearCacheAfterWrite]),
    ...(route.cached ? [cached] : []),
    // Its path has named segments only (the table's contract), so each parameter is one string.
    route.handler as RequestHandler,
  ];
}

function mountedPaths(ctx: ServiceContext, staticDir: string | undefined): MountedPath[] {
  const admin: MountedPath = {
    path: ADMIN_QUEUES_PATH,
    tag: "pages",
    summary: "BullMQ's admin view (bull-board)",
    description: "The run queue's jobs by state, in a page for browsers (HTTP Basic with an API token as the password); bull-board's own API lies below it.",
    access: "write",
    contentType: "text/html",
    handlers: bullBoard(ctx.queue.queue, ADMIN_QUEUES_PATH),
  };
  // Described only where it is served: a checkout whose dashboard was never built has none.
  if (!staticDir || !existsSync(join(staticDir, "index.html"))) return [admin];
  const dashboard: MountedPath = {
    path: "/",
    tag: "pages",
    summary: "The dashboard",
    description: "Sweeps, runs, their curves and sample grids, and the workers, live. Its files are open; what it reads goes through the API.",
    access: "open",
    contentType: "text/html",
    handlers: [express.static(staticDir)],
  };
  return [admin, dashboard];
}
