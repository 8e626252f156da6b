// Population-based training as the worker runs it: after a run records an epoch at a decision point,
// the decision is made and stored (an exploit applied) in one transaction by libs/db, fenced by the
// run's ownership; the worker then drops its trainer and trains on from the run's stored checkpoint.
// With fewer training slots than members, a run at a boundary hands its slot to the members queued
// behind it (Ray Tune's time-multiplexing: it pauses trials at their boundaries and runs the one with
// the least progress), so that the population reaches each boundary together and has donors to copy.
import { pbtLaggards, recordPbtDecision, type PrismaClient } from "../db/index.ts";
import { pbtStep, studyRunOf } from "../study/index.ts";
import { isPbtBoundary, pbtOptionsOf } from "../sweep/index.ts";
import type { SweepConfigs } from "./sweep-configs.ts";

export interface PbtOutcome {
  action: "continue" | "exploit";
  reason: string;
}

/** A run that gives its slot to the members queued behind it: how many, and its sweep's priority for the job it hands back. */
export interface PbtYield {
  behind: number;
  sweepPriority: number;
}

export class PbtJudge {
  constructor(
    private readonly db: PrismaClient,
    private readonly configs: SweepConfigs,
  ) {}

  /** Whether the sweep is a pbt sweep: its runs' checkpoints may then hold other values of the perturbable fields. */
  async decides(sweepId: string): Promise<boolean> {
    return (await this.configs.get(sweepId))?.strategy === "pbt";
  }

  /**
   * The decision about run `runId` of a pbt sweep, which has just recorded `epoch` on worker
   * `workerId`: null off a decision point or outside a pbt sweep. An exploit is applied when this
   * returns (the run's checkpoint and config replaced), also when it was stored by an earlier attempt.
   */
  async decide(sweepId: string, runId: string, epoch: number, workerId: string): Promise<PbtOutcome | null> {
    const config = await this.configs.get(sweepId);
    if (config?.strategy !== "pbt" || !isPbtBoundary(epoch, { epochs: config.fixed.epochs, options: pbtOptionsOf(config) })) return null;
    const decided = { runId, epoch };
    const result = await recordPbtDecision(this.db, decided, (state) => pbtStep(config, state.runs.map(studyRunOf), state.checkpointEpochs, decided), workerId);
    if (!result) return null;
    const { action, reason } = result.decision;
    return { action: action === "exploit" ? "exploit" : "continue", reason };
  }

  /**
   * Whether run `runId`, just decided at boundary `epoch`, should hand its job back: members of its
   * sweep wait in the queue with fewer epochs done (none waiting when every member has a slot).
   */
  async yields(runId: string, epoch: number): Promise<PbtYield | null> {
    const laggards = await pbtLaggards(this.db, runId, epoch);
    return laggards && laggards.behind > 0 ? { behind: laggards.behind, sweepPriority: laggards.priority } : null;
  }
}
