import { listWorkers } from "../db/index.ts";
import type { WorkerList } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { toWorkerInfo } from "./wire.ts";

/** Every worker, latest started first, with whether it is alive and what it trains. */
export async function workerList(ctx: Pick<ServiceContext, "db">): Promise<WorkerList> {
  return { workers: (await listWorkers(ctx.db)).map(toWorkerInfo) };
}
