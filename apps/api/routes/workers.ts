import { Router } from "express";
import { workerList, type ServiceContext } from "../../../libs/service/index.ts";

export function workerRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    res.json(await workerList(ctx));
  });
  return router;
}
