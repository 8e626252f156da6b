// HTTP request durations for /metrics, labelled by the route's pattern (what the route table
// mounted), so that /api/sweeps/<uuid> for a thousand sweeps is one series, not a thousand.
import type { RequestHandler, Response } from "express";
import type { ServiceMetrics } from "../../libs/service/index.ts";

/** The label of a request no route took (an unknown path, a wrong method). */
export const UNMATCHED_ROUTE = "(unmatched)";

/** Times every request from its arrival to the end of its answer. Mount it first. */
export function requestTimer(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    // "finish": the answer was sent whole. An event stream the client leaves is never finished, so it is not counted as a request that took hours.
    res.once("finish", () => {
      metrics.observeRequest({ method: req.method, route: routeOf(res), status: res.statusCode, seconds: Number(process.hrtime.bigint() - start) / 1e9 });
    });
    next();
  };
}

/** Names the route a request reached, before anything can refuse it (a 401 is counted under its route). */
export function labelRoute(pattern: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.route = pattern;
    next();
  };
}

function routeOf(res: Response): string {
  return typeof res.locals.route === "string" ? res.locals.route : UNMATCHED_ROUTE;
}
