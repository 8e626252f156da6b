import { Router } from "express";
import { retrySweepRun, runDetail, runMetrics, runSample, type ServiceContext } from "../../../libs/service/index.ts";
import { HttpError, notFound } from "../http-errors.ts";

export function runRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get("/:id", async (req, res) => {
    const run = await runDetail(ctx, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    res.json(run);
  });

  router.get("/:id/metrics", async (req, res) => {
    const metrics = await runMetrics(ctx, req.params.id);
    if (!metrics) throw notFound(`run ${req.params.id}`);
    res.json(metrics);
  });

  router.post("/:id/retry", async (req, res) => {
    const retried = await retrySweepRun(ctx, req.params.id);
    if (!retried) throw notFound(`run ${req.params.id}`);
    res.json(retried);
  });

  router.get("/:id/samples/:file", async (req, res) => {
    const match = /^(\d{1,5})\.png$/.exec(req.params.file);
    if (!match) throw new HttpError(400, `sample name must be <epoch>.png, e.g. 3.png (got ${JSON.stringify(req.params.file)})`);
    const png = await runSample(ctx, req.params.id, Number(match[1]));
    if (!png) throw notFound(`sample of run ${req.params.id} at epoch ${match[1]}`);
    res.type("png").set("Cache-Control", "public, max-age=86400, immutable").send(png);
  });

  return router;
}
