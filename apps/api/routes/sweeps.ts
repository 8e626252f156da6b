import { Router, type Request } from "express";
import { z } from "zod";
import { getSweep, listSweepRuns, listSweeps } from "../../../libs/db/index.ts";
import { isUuid } from "../../../libs/db/values.ts";
import {
  bestOfSweep,
  cancelSweepRuns,
  IDEMPOTENCY_HEADER,
  parseIdempotencyKey,
  storedParams,
  submitSweep,
  type ServiceContext,
} from "../../../libs/service/index.ts";
import { parseRankOptions, summarizeConfigurations, type RunSummary } from "../../../libs/results/index.ts";
import { configurationOf } from "../../../libs/sweep/index.ts";
import { parseInput } from "../../../libs/validation/index.ts";
import { HttpError, notFound } from "../http-errors.ts";

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

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

export function sweepRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.post("/", async (req, res) => {
    const idempotencyKey = parseIdempotencyKey(req.get(IDEMPOTENCY_HEADER));
    const { sweep, runs, replayed } = await submitSweep(ctx, configFrom(req), { idempotencyKey });
    if (replayed) res.set("Idempotent-Replayed", "true");
    res.status(replayed ? 200 : 201).json({
      sweep,
      runs: runs.map((run) => ({ id: run.id, index: run.index, configKey: run.configKey, repeat: run.repeat, params: run.params })),
    });
  });

  router.get("/", async (req, res) => {
    const { page, pageSize } = parseInput(pageQuery, req.query, "query");
    const { total, items } = await listSweeps(ctx.db, { page, pageSize });
    res.json({ total, page, pageSize, items });
  });

  router.get("/:id", async (req, res) => {
    const sweep = await getSweep(ctx.db, req.params.id);
    if (!sweep) throw notFound(`sweep ${req.params.id}`);
    const runs = await listSweepRuns(ctx.db, sweep.id);
    const summarized = runs.map((run) => ({
      configKey: run.configKey,
      hyperparameters: configurationOf(storedParams(run)),
      status: run.status,
      summary: run.summary as RunSummary | null,
    }));
    res.json({
      ...sweep,
      runs: runs.map((run) => ({ ...run, hyperparameters: configurationOf(storedParams(run)) })),
      configurations: summarizeConfigurations(summarized),
    });
  });

  router.post("/:id/cancel", async (req, res) => {
    if (!isUuid(req.params.id)) throw new HttpError(400, `invalid sweep id ${JSON.stringify(req.params.id.slice(0, 100))}: sweep ids are UUIDs, as sweeps ls shows them`);
    const result = await cancelSweepRuns(ctx, req.params.id);
    if (!result) throw notFound(`sweep ${req.params.id}`);
    res.json({ sweepId: req.params.id, cancelledQueued: result.cancelledQueued, stopping: result.running });
  });

  router.get("/:id/best", async (req, res) => {
    const options = parseRankOptions(req.query as Record<string, unknown>);
    const sweep = await getSweep(ctx.db, req.params.id);
    if (!sweep) throw notFound(`sweep ${req.params.id}`);
    res.json(await bestOfSweep(ctx, sweep.id, options));
  });

  return router;
}
