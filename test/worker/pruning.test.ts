// The worker's pruning judge on stored runs (real PostgreSQL): a run the sweep's `stuck` rule flags is
// pruned in a grid sweep, and trains on in a pbt sweep, whose decisions replace it instead.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { recordEpoch, type PrismaClient } from "../../libs/db/index.ts";
import { storeSweep } from "../../libs/service/index.ts";
import { parseSweepConfig } from "../../libs/sweep/index.ts";
import { PruningJudge } from "../../libs/worker/pruning.ts";
import { SweepConfigs } from "../../libs/worker/sweep-configs.ts";
import { createTestDatabase, epochMetrics, summary, type TestDatabase } from "../db/helpers.ts";

const STUCK = { kind: "stuck", metric: "dAcc", tolerance: 0.005, epochs: 2, maxSpread: 0.002, gLossSpike: null };
const FIXED = { epochs: 6, imgSize: 28, limit: 64 };

/** The sweep's first run with two epochs of d_acc 0.500 and no spread: what the stuck rule flags. */
async function flatRun(db: PrismaClient, config: object): Promise<{ sweepId: string; runId: string }> {
  const { sweep, runs } = await storeSweep(db, parseSweepConfig(config));
  for (const epoch of [1, 2]) await recordEpoch(db, runs[0].id, epochMetrics(epoch, { dAccMean: 0.5, dAccStd: 0 }), null, summary(0.1));
  return { sweepId: sweep.id, runId: runs[0].id };
}

describe("pruning judge", () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase("worker_pruning");
  });
  after(() => t.drop());

  it("prunes a stuck run of a grid sweep, and never a pbt sweep's", async () => {
    const judge = new PruningJudge(t.prisma, new SweepConfigs(t.prisma));
    const grid = await flatRun(t.prisma, { name: "grid", strategy: "grid", fixed: FIXED, parameters: { lr: { choice: [1e-4, 2e-4] } }, pruner: STUCK });
    const pbt = await flatRun(t.prisma, { name: "pbt", strategy: "pbt", pbt: { population: 2, interval: 2 }, fixed: FIXED, parameters: { lr: { choice: [1e-4, 2e-4] } }, pruner: STUCK });
    const gridVerdict = await judge.verdict(grid.sweepId, grid.runId, 2);
    assert.equal(gridVerdict.prune, true);
    assert.deepEqual(await judge.verdict(pbt.sweepId, pbt.runId, 2), { prune: false }, "replaced by its decision instead");
  });
});
