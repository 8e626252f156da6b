import { z } from "zod";
import { getSweep, raiseTrialBudget } from "../db/index.ts";
import type { ExtendResponse } from "../results/index.ts";
import { MAX_RUNS_LIMIT, MAX_TRIALS, planSize, type SweepConfig } from "../sweep/index.ts";
import { InvalidInputError, parseInput } from "../validation/index.ts";
import type { ServiceContext } from "./context.ts";
import { requireUuid } from "./ids.ts";
import { StateConflictError } from "./state-conflict.ts";
import { askNewTrials } from "./study-after.ts";
import { storedConfig } from "./stored.ts";

export const extendBodySchema = z.strictObject({ trials: z.number().int().min(1).max(MAX_TRIALS) });

/**
 * Raises the sweep's trial budget by `body.trials` (1..MAX_TRIALS): the study asks the new trials as
 * it goes on (at once for an active or completed sweep, which becomes active; on resume for a paused
 * one). Refused with InvalidInputError at `trials` when the sweep would exceed MAX_RUNS_LIMIT runs
 * (repeats included) or its search space holds fewer configurations; a cancelled sweep is a
 * StateConflictError. Null: no such sweep.
 */
export async function extendSweep(ctx: ServiceContext, sweepId: string, body: unknown): Promise<ExtendResponse | null> {
  const { trials } = parseInput(extendBodySchema, body ?? {}, "request body");
  requireUuid(sweepId, "sweep");
  const sweep = await getSweep(ctx.db, sweepId);
  if (!sweep) return null;
  if (sweep.status === "cancelled") {
    throw new StateConflictError(`sweep ${sweepId} was cancelled: it asks no more trials; retry a run of it (sweeps retry) or submit a new sweep`);
  }
  // Validated at submit; the stored form is the parsed one.
  const config = storedConfig(sweep) as unknown as SweepConfig;
  const size = planSize(config);
  const budget = sweep.trialBudget ?? size.configurations;
  const total = budget + trials;
  const refusal = budgetRefusal(budget, total, size.repeats, size.spaceSize);
  if (refusal) throw new InvalidInputError("request body", [{ path: "trials", message: refusal }]);
  const raised = await raiseTrialBudget(ctx.db, sweepId, sweep.trialBudget, total);
  if (raised === null) return null;
  if (raised === false) throw new StateConflictError(`sweep ${sweepId}'s trial budget changed while this request read it (another extend): send it again`);
  const newRuns = raised.status === "active" ? await askNewTrials(ctx, sweepId) : [];
  ctx.log.info({ sweepId, from: budget, to: total, status: raised.status, newRuns: newRuns.length }, "sweep extended");
  return { sweepId, status: raised.status, trialBudget: total, added: trials, newRuns };
}

/** Why a budget of `total` trials cannot be, or null when it can. */
function budgetRefusal(budget: number, total: number, repeats: number, spaceSize: number | null): string | null {
  if (total * repeats > MAX_RUNS_LIMIT) {
    const most = Math.floor(MAX_RUNS_LIMIT / repeats) - budget;
    return `${total} trials x ${repeats} repeats = ${total * repeats} runs, more than the ${MAX_RUNS_LIMIT} a sweep may have: ${most > 0 ? `add at most ${most}` : "this sweep is full; submit a new one"}`;
  }
  if (spaceSize !== null && total > spaceSize) {
    const left = spaceSize - budget;
    return `the search space has only ${spaceSize} configurations and ${budget} are in the budget already: ${left > 0 ? `add at most ${left}` : "none is left to ask; submit a sweep with a wider space"}`;
  }
  return null;
}
