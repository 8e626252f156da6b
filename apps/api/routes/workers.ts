import { workerList, type ServiceContext } from "../../../libs/service/index.ts";
import type { ApiRoute } from "../route-table.ts";

export function workerRoutes(ctx: ServiceContext): ApiRoute[] {
  return [
    {
      method: "get",
      path: "/api/workers",
      tag: "workers",
      summary: "Workers with backend, device, live progress and whether they are alive",
      description: "Latest started first.",
      access: "read",
      cached: true,
      responses: { 200: { description: "WorkerList" } },
      handler: async (_req, res) => {
        res.json(await workerList(ctx));
      },
    },
  ];
}
