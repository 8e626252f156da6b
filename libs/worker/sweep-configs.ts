// A sweep's stored config as the worker's judges read it, read once per sweep (a sweep's config never
// changes once stored); a failed read is not kept, so the next epoch asks again.
import { getSweep, type PrismaClient } from "../db/index.ts";
import { studyConfig } from "../study/index.ts";
import type { SweepConfig } from "../sweep/index.ts";

export class SweepConfigs {
  private readonly configs = new Map<string, Promise<SweepConfig | null>>();

  constructor(private readonly db: PrismaClient) {}

  /** Null for a gone sweep, or a config this version cannot read (its study neither prunes nor decides). */
  get(sweepId: string): Promise<SweepConfig | null> {
    let entry = this.configs.get(sweepId);
    if (!entry) {
      entry = getSweep(this.db, sweepId).then((sweep) => sweep && studyConfig(sweep.config));
      entry.catch(() => this.configs.delete(sweepId));
      this.configs.set(sweepId, entry);
    }
    return entry;
  }
}
