import { Router } from "express";
import { getRun, getRunEpochs, getSample, listSampleEpochs, type PrismaClient } from "../../../libs/db/index.ts";
import { HttpError, notFound } from "../http-errors.ts";

export function runRoutes(db: PrismaClient): Router {
  const router = Router();

  router.get("/:id", async (req, res) => {
    const run = await getRun(db, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    res.json({ ...run, events: run.events.map((event) => ({ ...event, id: event.id.toString() })), sampleEpochs: await listSampleEpochs(db, run.id) });
  });

  router.get("/:id/metrics", async (req, res) => {
    const run = await getRun(db, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    res.json({ runId: run.id, status: run.status, epochs: await getRunEpochs(db, run.id) });
  });

  router.get("/:id/samples/:file", async (req, res) => {
    const match = /^(\d{1,5})\.png$/.exec(req.params.file);
    if (!match) throw new HttpError(400, `sample name must be <epoch>.png, e.g. 3.png (got ${JSON.stringify(req.params.file)})`);
    const png = await getSample(db, req.params.id, Number(match[1]));
    if (!png) throw notFound(`sample of run ${req.params.id} at epoch ${match[1]}`);
    res.type("png").set("Cache-Control", "public, max-age=86400, immutable").send(png);
  });

  return router;
}
