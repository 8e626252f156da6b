import { Router } from "express";
import { getSweep, getSweepRuns, type PrismaClient } from "../../../libs/db/index.ts";
import { notFound } from "../http-errors.ts";

/**
 * GET /api/sweeps/:id/metrics: every epoch row of every run of the sweep, in one request, for the
 * dashboard's curves (hundreds of runs would otherwise be hundreds of requests). Runs in index order,
 * epochs in epoch order; a non-finite loss (a diverged run) is null, as in /api/runs/:id/metrics.
 */
export function sweepMetricsRoutes(db: PrismaClient): Router {
  const router = Router();
  router.get("/:id/metrics", async (req, res) => {
    const runs = await getSweepRuns(db, req.params.id);
    if (runs.length === 0 && !(await getSweep(db, req.params.id))) throw notFound(`sweep ${req.params.id}`);
    res.json({
      sweepId: req.params.id,
      runs: runs.map((run) => ({
        runId: run.id,
        status: run.status,
        epochs: run.epochs.map(({ runId: _runId, createdAt: _createdAt, ...row }) => row),
      })),
    });
  });
  return router;
}
