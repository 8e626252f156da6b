// Population-based training as the worker runs it: after a run records an epoch at a decision point,
// the decision is made and stored (an exploit applied) in one transaction by libs/db, fenced by the
// run's ownership; the worker then drops its trainer and trains on from the run's stored checkpoint.
import { recordPbtDecision, type PrismaClient } from "../db/index.ts";
import { pbtStep, studyRunOf } from "../study/index.ts";
import { isPbtBoundary, pbtOptionsOf } from "../sweep/index.ts";
import type { SweepConfigs } from "./sweep-configs.ts";

export interface PbtOutcome {
  action: "continue" | "exploit";
  reason: string;
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
}
