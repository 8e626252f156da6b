// Population-based training's one write: under the sweep's row lock, read the population as it
// stands, and store the decision the caller made from it about one run at one boundary, applying an
// exploit in the same transaction (the donor's checkpoint copied, the run's config replaced). One
// decision per (run, epoch): asked again, after a crash or by a second process, it is returned as
// stored and applied no second time.
import type { PbtDecision, Prisma, PrismaClient, Sweep } from "./generated/index.js";
import { copyCheckpoint } from "./checkpoints.ts";
import { RunOwnershipLostError } from "./errors.ts";
import { lockSweep } from "./sweeps.ts";
import type { NewRun, RunWithEpochs } from "./types.ts";
import { asJson, isUuid } from "./values.ts";

export type { PbtDecision };

export interface PbtState {
  sweep: Sweep;
  /** Every run of the sweep, in index order, with its epochs. */
  runs: RunWithEpochs[];
  /**
   * The epoch each run's stored checkpoint holds (runs without one are absent). The checkpoints stay
   * locked until the decision is stored, so a donor's cannot move on between the decision and the copy.
   */
  checkpointEpochs: ReadonlyMap<string, number>;
}

/** The run's training config from an exploit on, with the columns a run keeps beside it. */
export type PbtRunConfig = Pick<NewRun, "params" | "batchSize" | "lr" | "seed" | "variant">;

export type PbtStep =
  | { action: "continue"; reason: string }
  | { action: "exploit"; fromRunId: string; fromEpoch: number; changes: object[]; run: PbtRunConfig; reason: string };

/** Thrown when a decision cannot be applied to the population it was made from: a caller's mistake, nothing is stored. */
export class PbtDecisionError extends Error {
  override name = "PbtDecisionError";
}

/**
 * Stores `decide`'s decision about run `at.runId`, which has just recorded epoch `at.epoch`, and
 * applies an exploit: the donor's checkpoint becomes the run's, which continues after fromEpoch with
 * the new config. When a decision for that run and epoch is stored already, returns it with
 * applied false and does not call decide. With owner (a worker id), decides only while the run is
 * running on that worker, else throws RunOwnershipLostError. Null: no such run.
 */
export async function recordPbtDecision(
  db: PrismaClient,
  at: { runId: string; epoch: number },
  decide: (state: PbtState) => PbtStep,
  owner?: string,
): Promise<{ decision: PbtDecision; applied: boolean } | null> {
  if (!isUuid(at.runId)) return null;
  return db.$transaction(async (tx) => {
    const run = await tx.run.findUnique({ where: { id: at.runId }, select: { sweepId: true } });
    if (!run) return null;
    await lockSweep(tx, run.sweepId);
    const stored = await tx.pbtDecision.findUnique({ where: { runId_epoch: at } });
    if (stored) return { decision: stored, applied: false };
    // Read again under the lock: the status a finish or a requeue may have changed meanwhile.
    const current = (await tx.run.findUnique({ where: { id: at.runId }, select: { status: true, workerId: true } }))!;
    if (owner !== undefined && (current.status !== "running" || current.workerId !== owner)) throw new RunOwnershipLostError(at.runId, owner, current);
    const state = await populationState(tx, run.sweepId);
    const step = decide(state);
    if (step.action === "exploit") checkExploit(step, state, at);
    const previousParams = state.runs.find((candidate) => candidate.id === at.runId)!.params;
    const decision = await tx.pbtDecision.create({ data: decisionRow(run.sweepId, at, step, previousParams) });
    if (step.action === "exploit") await applyExploit(tx, at.runId, step, state, current.status);
    return { decision, applied: true };
  });
}

async function populationState(tx: Prisma.TransactionClient, sweepId: string): Promise<PbtState> {
  const sweep = (await tx.sweep.findUnique({ where: { id: sweepId } }))!;
  const runs = await tx.run.findMany({ where: { sweepId }, orderBy: { index: "asc" }, include: { epochs: { orderBy: { epoch: "asc" } } } });
  const checkpoints = await tx.$queryRaw<Array<{ runId: string; epochsDone: number }>>`
    SELECT c."runId"::text AS "runId", c."epochsDone" FROM "Checkpoint" c JOIN "Run" r ON r.id = c."runId"
    WHERE r."sweepId" = ${sweepId}::uuid FOR SHARE OF c`;
  return { sweep, runs, checkpointEpochs: new Map(checkpoints.map((row) => [row.runId, row.epochsDone])) };
}

/** An exploit copies a checkpoint of the same sweep that holds fromEpoch, at or after the decided epoch (else it would retrain recorded epochs). */
function checkExploit(step: Extract<PbtStep, { action: "exploit" }>, state: PbtState, at: { runId: string; epoch: number }): void {
  if (step.fromRunId === at.runId) throw new PbtDecisionError(`run ${at.runId} cannot copy itself`);
  if (!state.runs.some((run) => run.id === step.fromRunId)) throw new PbtDecisionError(`run ${step.fromRunId} is not in the sweep of run ${at.runId}`);
  const held = state.checkpointEpochs.get(step.fromRunId);
  if (held !== step.fromEpoch || held < at.epoch) {
    throw new PbtDecisionError(
      `run ${step.fromRunId}'s checkpoint holds epoch ${held ?? "none"}, not fromEpoch ${step.fromEpoch} at or after epoch ${at.epoch}`,
    );
  }
}

function decisionRow(sweepId: string, at: { runId: string; epoch: number }, step: PbtStep, previousParams: Prisma.JsonValue): Prisma.PbtDecisionUncheckedCreateInput {
  const base = { sweepId, runId: at.runId, epoch: at.epoch, action: step.action, reason: step.reason };
  if (step.action === "continue") return base;
  return {
    ...base,
    fromRunId: step.fromRunId,
    fromEpoch: step.fromEpoch,
    changes: step.changes as Prisma.InputJsonArray,
    params: asJson(step.run.params),
    previousParams: previousParams as Prisma.InputJsonObject,
  };
}

async function applyExploit(
  tx: Prisma.TransactionClient,
  runId: string,
  step: Extract<PbtStep, { action: "exploit" }>,
  state: PbtState,
  status: string,
): Promise<void> {
  await copyCheckpoint(tx, step.fromRunId, runId);
  const { params, batchSize, lr, seed, variant } = step.run;
  await tx.run.update({ where: { id: runId }, data: { params: asJson(params), batchSize, lr, seed, variant, epochsDone: step.fromEpoch } });
  const donor = state.runs.find((run) => run.id === step.fromRunId)!;
  await tx.runEvent.create({ data: { runId, status, message: `pbt: copied run #${donor.index} as of epoch ${step.fromEpoch}: ${step.reason}` } });
}

/** A sweep's decisions in the order they were made; the exploits among them are its lineage. */
export function listPbtDecisions(db: PrismaClient, sweepId: string): Promise<PbtDecision[]> {
  if (!isUuid(sweepId)) return Promise.resolve([]);
  return db.pbtDecision.findMany({ where: { sweepId }, orderBy: [{ createdAt: "asc" }, { epoch: "asc" }] });
}

/**
 * What a pbt run weighs at a boundary before training on: how many other members of its sweep wait
 * in the queue with fewer than `epoch` epochs done, and the sweep's priority (for the job it hands
 * back). Null: no such run.
 */
export async function pbtLaggards(db: PrismaClient, runId: string, epoch: number): Promise<{ behind: number; priority: number } | null> {
  if (!isUuid(runId)) return null;
  const run = await db.run.findUnique({ where: { id: runId }, select: { sweepId: true, sweep: { select: { priority: true } } } });
  if (!run) return null;
  const behind = await db.run.count({ where: { sweepId: run.sweepId, id: { not: runId }, status: "queued", epochsDone: { lt: epoch } } });
  return { behind, priority: run.sweep.priority };
}
