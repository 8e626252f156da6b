// Reading sweeps: the list, one sweep with its runs and configuration figures, every epoch of its runs.
import { z } from "zod";
import { getSweep, getSweepRuns, listSweepRuns, listSweeps } from "../db/index.ts";
import { summarizeConfigurations, type SweepDetail, type SweepList, type SweepMetrics, type SweepRuns } from "../results/index.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { queryTags, tagQuerySchema } from "./labels.ts";
import { storedConfig } from "./stored.ts";
import { toEpochRow, toRunRow, toSweepItem, toSweepTrials } from "./wire.ts";

type Reader = Pick<ServiceContext, "db">;

/** The list's query: which page, how many sweeps a page, which tags they must have. */
export const sweepPageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  tag: tagQuerySchema,
});

/** A sweep's runs query: which tags they must have. */
export const sweepRunsQuerySchema = z.object({ tag: tagQuerySchema });

/** Sweeps newest first, one page; `query` as it came (strings), refused with InvalidInputError naming the parameter. */
export async function sweepList(ctx: Reader, query: Record<string, unknown>): Promise<SweepList> {
  const { page, pageSize, tag } = parseInput(sweepPageQuerySchema, query, "query");
  const { total, items } = await listSweeps(ctx.db, { page, pageSize, tags: queryTags(tag) });
  return { total, page, pageSize, items: items.map(toSweepItem) };
}

/** The sweep's runs in index order, those with every tag `query` asks for (all without); null: no such sweep. */
export async function sweepRuns(ctx: Reader, sweepId: string, query: Record<string, unknown>): Promise<SweepRuns | null> {
  const tags = queryTags(parseInput(sweepRunsQuerySchema, query, "query").tag);
  const runs = await listSweepRuns(ctx.db, sweepId, { tags });
  if (runs.length === 0 && !(await getSweep(ctx.db, sweepId))) return null;
  return { sweepId, tags, runs: runs.map(toRunRow) };
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
