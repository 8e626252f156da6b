import { createSweepWithRuns, findSweepByIdempotencyKey, IdempotencyKeyTakenError, type PrismaClient, type Run, type Sweep } from "../db/index.ts";
import { checkSweepFeasible } from "../feasibility/index.ts";
import { z } from "zod";
import type { DryRunResponse, SubmitResponse, SweepPlan } from "../results/index.ts";
import { configurationOf, describePlanSize, parseSweepConfig, parseSweepText, planSize, planSweep, type SweepConfig } from "../sweep/index.ts";
import { parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { IdempotencyKeyReusedError, requestHash } from "./idempotency.ts";
import { newRun, storedParams } from "./stored.ts";
import { toSweepRecord } from "./wire.ts";

/**
 * Plans a validated sweep config and stores the sweep and its runs in one transaction. Its tags and
 * note go to their own columns (changed later with PATCH), not into the stored config.
 */
export async function storeSweep(db: PrismaClient, config: SweepConfig, idempotencyKey?: string) {
  const plan = planSweep(config);
  const key = idempotencyKey === undefined ? {} : { idempotencyKey, requestHash: requestHash(config) };
  const { tags = [], note, ...experiment } = config;
  const { sweep, runs } = await createSweepWithRuns(
    db,
    { name: config.name, config: experiment, strategy: config.strategy, priority: config.priority, trialBudget: planSize(config).configurations, tags, note: note || null, ...key },
    plan.map(newRun),
  );
  return { sweep, runs, plan };
}

export interface SubmitOptions {
  /** The client's Idempotency-Key (parseIdempotencyKey): a retry with it returns the first sweep. */
  idempotencyKey?: string;
}

/**
 * Validates a sweep config (an object, or JSON/YAML text), plans its runs, stores sweep and runs in
 * one transaction and enqueues one job per run. Nothing is stored when the config is invalid.
 * With an idempotency key already used for the same config, nothing new is stored: the first
 * sweep comes back with `replayed: true`.
 */
export async function submitSweep(ctx: ServiceContext, input: unknown, options: SubmitOptions = {}): Promise<SubmitResponse & { replayed: boolean }> {
  const config = parseSubmitted(input);
  const { idempotencyKey } = options;
  if (idempotencyKey !== undefined) {
    const earlier = await earlierSubmit(ctx.db, idempotencyKey, config);
    if (earlier) return earlier;
  }
  // Before anything is stored: a run no worker can train (too big, data it lacks) is refused now.
  await checkSweepFeasible(config);
  let stored: Awaited<ReturnType<typeof storeSweep>>;
  try {
    stored = await storeSweep(ctx.db, config, idempotencyKey);
  } catch (error) {
    // A concurrent retry with the same key stored it first.
    if (error instanceof IdempotencyKeyTakenError) return (await earlierSubmit(ctx.db, error.key, config))!;
    throw error;
  }
  const { sweep, runs, plan } = stored;
  // Stored first: if the queue is down now, the reconciler enqueues these runs once it is back.
  await ctx.queue.enqueue(plan.map((run, i) => ({ runId: runs[i].id, sweepId: sweep.id, params: run.params, priority: config.priority })));
  ctx.log.info({ sweepId: sweep.id, runs: runs.length, name: config.name }, "sweep submitted");
  return { ...submitted(sweep, runs, config), replayed: false };
}

/**
 * What a submit of `input` would store now, checked as a submit checks it (schema, feasibility), with
 * nothing stored or enqueued: the plan line and each planned run with its hyperparameters.
 */
export async function dryRunSweep(input: unknown): Promise<DryRunResponse> {
  const config = parseSubmitted(input);
  await checkSweepFeasible(config);
  const runs = planSweep(config).map((run) => ({
    index: run.index,
    configKey: run.configKey,
    repeat: run.repeat,
    params: run.params,
    hyperparameters: configurationOf(run.params),
  }));
  return { dryRun: true, plan: sweepPlan(config), runs };
}

export const submitQuerySchema = z.object({ dryRun: z.enum(["1", "true", "0", "false"], { message: "is 1 (or true) for a dry run, 0 (or false) or absent to submit" }).optional() });

/** Whether POST /api/sweeps asks for a dry run (`?dryRun=1`); InvalidInputError naming dryRun otherwise. */
export function isDryRun(query: Record<string, unknown>): boolean {
  const { dryRun } = parseInput(submitQuerySchema, query, "query");
  return dryRun === "1" || dryRun === "true";
}

function parseSubmitted(input: unknown): SweepConfig {
  return typeof input === "string" ? parseSweepText(input) : parseSweepConfig(input);
}

function sweepPlan(config: SweepConfig): SweepPlan {
  const size = planSize(config);
  return { ...size, description: describePlanSize(size) };
}

function submitted(sweep: Sweep, runs: Run[], config: SweepConfig): SubmitResponse {
  return {
    sweep: toSweepRecord(sweep),
    runs: runs.map((run) => ({ id: run.id, index: run.index, configKey: run.configKey, repeat: run.repeat, params: storedParams(run) })),
    plan: sweepPlan(config),
  };
}

/** The sweep an earlier submit with this key stored, if any; IdempotencyKeyReusedError if its config differs. */
async function earlierSubmit(db: PrismaClient, key: string, config: SweepConfig) {
  const earlier = await findSweepByIdempotencyKey(db, key);
  if (!earlier) return null;
  if (earlier.sweep.requestHash !== requestHash(config)) throw new IdempotencyKeyReusedError(key, earlier.sweep.id);
  return { ...submitted(earlier.sweep, earlier.runs, config), replayed: true };
}
