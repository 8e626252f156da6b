// The sweep's pruner, asked by the worker after each epoch it records: the decision needs the whole
// study as stored (every run's epochs), read fresh each time; the sweep's settings are read once.
import { getSweepRuns, type PrismaClient } from "../db/index.ts";
import { judgeEpoch, studyRunOf } from "../study/index.ts";
import type { PruneDecision } from "../sweep/index.ts";
import type { SweepConfigs } from "./sweep-configs.ts";

const TRAIN_ON: PruneDecision = { prune: false };

export class PruningJudge {
  constructor(
    private readonly db: PrismaClient,
    private readonly configs: SweepConfigs,
  ) {}

  /**
   * Whether the run trains on after `epoch`; a sweep with no pruner (or a config this version cannot
   * read) never prunes, nor does a pbt sweep, whose `stuck` runs are replaced by its decisions instead.
   */
  async verdict(sweepId: string, runId: string, epoch: number): Promise<PruneDecision> {
    const config = await this.configs.get(sweepId);
    if (config === null || config.pruner.kind === "none" || config.strategy === "pbt") return TRAIN_ON;
    const runs = (await getSweepRuns(this.db, sweepId)).map(studyRunOf);
    return judgeEpoch({ pruner: config.pruner, objective: config.objective, seed: config.seed, epochs: config.fixed.epochs }, runs, { runId, epoch });
  }
}
