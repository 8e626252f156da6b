import { Router } from "express";
import { listWorkers, type PrismaClient } from "../../../libs/db/index.ts";

export function workerRoutes(db: PrismaClient): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    res.json({ workers: await listWorkers(db) });
  });
  return router;
}
