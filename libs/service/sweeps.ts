import { cancelSweep, createSweepWithRuns, getSweepRuns, type PrismaClient } from "../db/index.ts";
import { publishControl, publishEvent } from "../queue/index.ts";
import {
  configurationOf,
  parseSweepConfig,
  parseSweepText,
  planSweep,
  rankConfigurations,
  rankRuns,
  type ResolvedRankOptions,
  type SweepConfig,
} from "../sweep/index.ts";
import type { ServiceContext } from "./context.ts";
import { storedParams } from "./stored.ts";

/** Plans a validated sweep config and stores the sweep and its runs in one transaction. */
export async function storeSweep(db: PrismaClient, config: SweepConfig) {
  const plan = planSweep(config);
  const { sweep, runs } = await createSweepWithRuns(
    db,
    { name: config.name, config, strategy: config.strategy, priority: config.priority },
    plan.map((run) => ({
      index: run.index,
      configKey: run.configKey,
      repeat: run.repeat,
      params: run.params,
      batchSize: run.params.batchSize,
      lr: run.params.lr,
      seed: run.params.seed,
      variant: run.params.variant,
    })),
  );
  return { sweep, runs, plan };
}

/**
 * Validates a sweep config (an object, or JSON/YAML text), plans its runs, stores sweep and runs in
 * one transaction and enqueues one job per run. Nothing is stored when the config is invalid.
 */
export async function submitSweep(ctx: ServiceContext, input: unknown) {
  const config = typeof input === "string" ? parseSweepText(input) : parseSweepConfig(input);
  const { sweep, runs, plan } = await storeSweep(ctx.db, config);
  // Stored first: if the queue is down now, the reconciler enqueues these runs once it is back.
  await ctx.queue.enqueue(plan.map((run, i) => ({ runId: runs[i].id, sweepId: sweep.id, params: run.params, priority: config.priority })));
  ctx.log.info({ sweepId: sweep.id, runs: runs.length, name: config.name }, "sweep submitted");
  return { sweep, runs };
}

/** Cancels a sweep: waiting jobs are removed, running trainings stop within one batch. Null: no such sweep. */
export async function cancelSweepRuns(ctx: ServiceContext, sweepId: string) {
  const result = await cancelSweep(ctx.db, sweepId);
  if (!result) return null;
  await ctx.queue.removeWaiting(result.cancelledQueued);
  if (result.running.length > 0) await publishControl(ctx.publisher, { type: "cancel", runIds: result.running });
  for (const runId of result.cancelledQueued) {
    await publishEvent(ctx.publisher, { type: "run-status", runId, sweepId, status: "cancelled", workerId: null });
  }
  ctx.log.info({ sweepId, ...result }, "sweep cancelled");
  return result;
}

/** The sweep's best runs and configurations (across repeats) under one ranking. */
export async function bestOfSweep(ctx: Pick<ServiceContext, "db">, sweepId: string, options: ResolvedRankOptions) {
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
