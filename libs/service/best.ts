import { getSweep, getSweepRuns } from "../db/index.ts";
import { parseRankOptions, rankConfigurations, rankRuns, type BestResponse } from "../results/index.ts";
import { configurationOf } from "../sweep/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedConfig, storedParams } from "./stored.ts";

/**
 * The sweep's best runs and configurations (across repeats) under one ranking: the sweep's objective,
 * with the options in `query` (as they came, strings) overriding it; null: no such sweep.
 */
export async function bestOfSweep(ctx: Pick<ServiceContext, "db">, sweepId: string, query: Record<string, unknown>): Promise<BestResponse | null> {
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  const options = parseRankOptions(query, storedConfig(sweep).objective);
  const runs = await getSweepRuns(ctx.db, sweepId);
  const byId = new Map(runs.map((run) => [run.id, run]));
  const groups = new Map<string, typeof runs>();
  for (const run of runs) groups.set(run.configKey, [...(groups.get(run.configKey) ?? []), run]);
  const rankedRuns = rankRuns(runs, options);
  const rankedConfigurations = rankConfigurations(
    [...groups].map(([configKey, members]) => ({ configKey, runs: members })),
    options,
  );
  return {
    options,
    runs: {
      ...rankedRuns,
      entries: rankedRuns.entries.map((entry) => {
        const run = byId.get(entry.id)!;
        return { ...entry, status: run.status, repeat: run.repeat, configKey: run.configKey, params: configurationOf(storedParams(run)) };
      }),
    },
    configurations: {
      ...rankedConfigurations,
      entries: rankedConfigurations.entries.map((entry) => ({
        ...entry,
        params: configurationOf(storedParams(groups.get(entry.configKey)![0])),
      })),
    },
  };
}
