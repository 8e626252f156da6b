// Reading one run: its record and log, its epochs, a sample image.
import { getRun, getRunEpochs, getSample, listSampleEpochs } from "../db/index.ts";
import type { RunDetail, RunMetrics } from "../results/index.ts";
import type { ServiceContext } from "./context.ts";
import { toRunDetail, toRunEpochRow } from "./wire.ts";

type Reader = Pick<ServiceContext, "db">;

/** The run with its log and the epochs that have a sample image; null: no such run. */
export async function runDetail(ctx: Reader, runId: string): Promise<RunDetail | null> {
  const run = await getRun(ctx.db, runId);
  return run && toRunDetail(run, await listSampleEpochs(ctx.db, run.id));
}

/** The run's epochs in order, with their confusion matrices; null: no such run. */
export async function runMetrics(ctx: Reader, runId: string): Promise<RunMetrics | null> {
  const run = await getRun(ctx.db, runId);
  return run && { runId: run.id, status: run.status, epochs: (await getRunEpochs(ctx.db, run.id)).map(toRunEpochRow) };
}

/** The PNG of the run's sample grid after that epoch; null when there is none. */
export function runSample(ctx: Reader, runId: string, epoch: number): Promise<Buffer | null> {
  return getSample(ctx.db, runId, epoch);
}
