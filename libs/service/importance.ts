import { getSweep, getSweepRuns } from "../db/index.ts";
import { parseRankOptions, type ImportanceResponse } from "../results/index.ts";
import { importanceSettings, studyImportance, studyRunOf } from "../study/index.ts";
import type { SweepConfig } from "../sweep/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedConfig } from "./stored.ts";

/**
 * How much each parameter that varies in the sweep's space explains of its objective over the
 * complete trials (libs/study, libs/importance), by the sweep's objective with the options in `query`
 * (as they came, strings; `limit` means nothing here) overriding it; null: no such sweep.
 */
export async function importanceOfSweep(ctx: Pick<ServiceContext, "db">, sweepId: string, query: Record<string, unknown>): Promise<ImportanceResponse | null> {
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  const stored = storedConfig(sweep);
  const { limit: _limit, ...objective } = parseRankOptions(query, stored.objective);
  // Validated by the sweep schema before it was stored, which defaults the seed to 0.
  const config = { parameters: stored.parameters as SweepConfig["parameters"], seed: typeof stored.seed === "number" ? stored.seed : 0 };
  const runs = (await getSweepRuns(ctx.db, sweepId)).map(studyRunOf);
  return { sweepId, objective, method: { name: "fanova", ...importanceSettings(config.seed) }, ...studyImportance(config, runs, objective) };
}
