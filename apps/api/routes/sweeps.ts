import { Router, type Request } from "express";
import {
  bestOfSweep,
  cancelSweepRuns,
  deleteSweepEverywhere,
  dryRunSweep,
  extendSweep,
  IDEMPOTENCY_HEADER,
  isDryRun,
  parseIdempotencyKey,
  pauseSweepRuns,
  resumeSweepRuns,
  submitSweep,
  sweepDetail,
  sweepList,
  sweepMetrics,
  type ServiceContext,
} from "../../../libs/service/index.ts";
import { HttpError, notFound } from "../http-errors.ts";

/** A sweep config arrives as a JSON object, or as YAML/JSON text (paste or file upload). */
function configFrom(req: Request): unknown {
  if (typeof req.body === "string") {
    if (req.body.trim() === "") throw new HttpError(400, "the request body is empty: send a sweep config as JSON or YAML");
    return req.body;
  }
  if (req.body === undefined) {
    throw new HttpError(415, "send the sweep config with Content-Type application/json, application/yaml or text/plain");
  }
  if (req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) {
    throw new HttpError(400, "the sweep config must be a JSON object (or YAML text)");
  }
  return req.body;
}

/** The answer, or 404 naming the sweep when there is none. */
function found<T>(answer: T | null, sweepId: string): T {
  if (answer === null) throw notFound(`sweep ${sweepId}`);
  return answer;
}

export function sweepRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.post("/", async (req, res) => {
    if (isDryRun(req.query)) {
      res.json(await dryRunSweep(configFrom(req)));
      return;
    }
    const idempotencyKey = parseIdempotencyKey(req.get(IDEMPOTENCY_HEADER));
    const { replayed, ...submitted } = await submitSweep(ctx, configFrom(req), { idempotencyKey });
    if (replayed) res.set("Idempotent-Replayed", "true");
    res.status(replayed ? 200 : 201).json(submitted);
  });

  router.get("/", async (req, res) => {
    res.json(await sweepList(ctx, req.query));
  });

  router.get("/:id", async (req, res) => {
    res.json(found(await sweepDetail(ctx, req.params.id), req.params.id));
  });

  router.get("/:id/metrics", async (req, res) => {
    res.json(found(await sweepMetrics(ctx, req.params.id), req.params.id));
  });

  router.post("/:id/cancel", async (req, res) => {
    res.json(found(await cancelSweepRuns(ctx, req.params.id), req.params.id));
  });

  router.post("/:id/pause", async (req, res) => {
    res.json(found(await pauseSweepRuns(ctx, req.params.id), req.params.id));
  });

  router.post("/:id/resume", async (req, res) => {
    res.json(found(await resumeSweepRuns(ctx, req.params.id), req.params.id));
  });

  router.post("/:id/trials", async (req, res) => {
    res.json(found(await extendSweep(ctx, req.params.id, req.body), req.params.id));
  });

  router.delete("/:id", async (req, res) => {
    res.json(found(await deleteSweepEverywhere(ctx, req.params.id), req.params.id));
  });

  router.get("/:id/best", async (req, res) => {
    res.json(found(await bestOfSweep(ctx, req.params.id, req.query), req.params.id));
  });

  return router;
}
