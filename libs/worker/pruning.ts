// The sweep's pruner, asked by the worker after each epoch it records: the decision needs the whole
// study as stored (every run's epochs), read fresh each time; the sweep's settings are read once.
import { getSweep, getSweepRuns, type PrismaClient } from "../db/index.ts";
import { judgeEpoch, studyConfig, studyRunOf, type PruningSettings } from "../study/index.ts";
import type { PruneDecision } from "../sweep/index.ts";

const TRAIN_ON: PruneDecision = { prune: false };

export class PruningJudge {
  private readonly settings = new Map<string, Promise<PruningSettings | null>>();

  constructor(private readonly db: PrismaClient) {}

  /** Whether the run trains on after `epoch`; a sweep with no pruner (or a config this version cannot read) never prunes. */
  async verdict(sweepId: string, runId: string, epoch: number): Promise<PruneDecision> {
    const settings = await this.settingsOf(sweepId);
    if (settings === null || settings.pruner.kind === "none") return TRAIN_ON;
    const runs = (await getSweepRuns(this.db, sweepId)).map(studyRunOf);
    return judgeEpoch(settings, runs, { runId, epoch });
  }

  private settingsOf(sweepId: string): Promise<PruningSettings | null> {
    let entry = this.settings.get(sweepId);
    if (!entry) {
      entry = this.load(sweepId);
      // A failed read is not kept: the next epoch asks again.
      entry.catch(() => this.settings.delete(sweepId));
      this.settings.set(sweepId, entry);
    }
    return entry;
  }

  private async load(sweepId: string): Promise<PruningSettings | null> {
    const sweep = await getSweep(this.db, sweepId);
    const config = sweep && studyConfig(sweep.config);
    return config ? { pruner: config.pruner, objective: config.objective, seed: config.seed, epochs: config.fixed.epochs } : null;
  }
}
