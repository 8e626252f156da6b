// Reading sweeps: the list, one sweep with its runs and configuration figures, every epoch of its runs.
import { z } from "zod";
import { getSweep, getSweepRuns, listSweeps } from "../db/index.ts";
import { summarizeConfigurations, type SweepDetail, type SweepList, type SweepMetrics } from "../results/index.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedConfig } from "./stored.ts";
import { toEpochRow, toRunRow, toSweepItem, toSweepTrials } from "./wire.ts";

type Reader = Pick<ServiceContext, "db">;

/** The list's query: which page, how many sweeps a page. */
export const sweepPageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

/** Sweeps newest first, one page; `query` as it came (strings), refused with InvalidInputError naming the parameter. */
export async function sweepList(ctx: Reader, query: Record<string, unknown>): Promise<SweepList> {
  const { page, pageSize } = parseInput(sweepPageQuerySchema, query, "query");
  const { total, items } = await listSweeps(ctx.db, { page, pageSize });
  return { total, page, pageSize, items: items.map(toSweepItem) };
}

/**
 * The sweep, its runs in index order, its configurations' figures (pooled as the ranking pools them)
 * and its trials with their objective values (scored from the epoch rows); null: no such sweep.
 */
export async function sweepDetail(ctx: Reader, sweepId: string): Promise<SweepDetail | null> {
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  const stored = await getSweepRuns(ctx.db, sweep.id);
  const runs = stored.map((run) => toRunRow({ ...run, epochCount: run.epochs.length }));
  return { ...toSweepItem(sweep), runs, configurations: summarizeConfigurations(runs), trials: toSweepTrials(stored, storedConfig(sweep)) };
}

/**
 * Every epoch row of every run of the sweep in one answer, for the dashboard's curves (hundreds of
 * runs would otherwise be hundreds of requests): runs in index order, epochs in order. Null: no such sweep.
 */
export async function sweepMetrics(ctx: Reader, sweepId: string): Promise<SweepMetrics | null> {
  const runs = await getSweepRuns(ctx.db, sweepId);
  if (runs.length === 0 && !(await getSweep(ctx.db, sweepId))) return null;
  return { sweepId, runs: runs.map((run) => ({ runId: run.id, status: run.status, epochs: run.epochs.map(toEpochRow) })) };
}
