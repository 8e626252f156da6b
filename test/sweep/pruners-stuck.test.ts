// The `stuck` pruner on real epoch rows of this product's trainer (test/fixtures/pruners/sgan-epochs.json,
// recorded by `npx tsx test/fixtures/pruners/record-sgan-epochs.ts > test/fixtures/pruners/sgan-epochs.json`)
// and on hand-built rows for each edge of the rule.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { PrunerInputError, StuckPruner, createPruner, prunerConfigSchema, type EpochStats, type PrunerTrial } from "../../libs/sweep/index.ts";

const recorded = JSON.parse(readFileSync(new URL("../fixtures/pruners/sgan-epochs.json", import.meta.url), "utf8")) as {
  runs: Array<{ name: string; command: string; epochs: Array<EpochStats & { testAccuracy: number }> }>;
};

function recordedRun(name: string) {
  const found = recorded.runs.find((candidate) => candidate.name === name);
  assert.ok(found, `no recorded run ${name}`);
  return found.epochs;
}

const withDefaults = () => createPruner(prunerConfigSchema.parse({ kind: "stuck" }), { seed: 0, epochs: 10 });

/** The trial as it stands after `epoch`; its objective here is the test accuracy, which stuck does not read. */
function upTo(rows: Array<EpochStats & { testAccuracy: number }>, epoch: number): PrunerTrial {
  const seen = rows.filter((row) => row.epoch <= epoch);
  return { id: "run", state: "running", curve: seen.map((row) => ({ epoch: row.epoch, value: row.testAccuracy })), stats: seen };
}

/** The first epoch after which the pruner stops the run, as the study loop would call it epoch by epoch. */
function prunedAt(rows: Array<EpochStats & { testAccuracy: number }>): { epoch: number; reason: string } | undefined {
  const pruner = withDefaults();
  for (const { epoch } of rows) {
    const decision = pruner.prune(upTo(rows, epoch), { direction: "maximize", trials: [] });
    if (decision.prune) return { epoch, reason: decision.reason };
  }
  return undefined;
}

describe("stuck, with its defaults, on real training runs", () => {
  for (const name of ["reference-4096", "reference-2000"]) {
    it(`stops the reference variant stuck at d_acc 0.500 with no spread from epoch 2 (${name}) at epoch 3`, () => {
      const rows = recordedRun(name);
      assert.deepEqual(rows.filter((row) => row.epoch >= 2).map((row) => [row.dAccMean, row.dAccStd]), rows.slice(1).map(() => [0.5, 0]));
      const pruned = prunedAt(rows);
      assert.equal(pruned?.epoch, 3);
      assert.equal(pruned?.reason, "stuck: dAcc stayed within 0.005 of 0.5 for 2 epochs (2-3: 0.5, 0.5), the quietest with within-epoch std 0 (maxSpread 0.002)");
    });
  }

  it("stops the reference variant on 512 images once d_acc has sat near 0.500 for 2 epochs, one of them still, at epoch 4", () => {
    const rows = recordedRun("reference-512");
    assert.ok(rows.find((row) => row.epoch === 3)!.dAccStd > 0.002, "epoch 3 still has spread");
    assert.equal(prunedAt(rows)?.epoch, 4);
  });

  for (const name of ["improved-4096", "improved-2000-bs128-lr1e-4", "improved-512"]) {
    it(`never stops a healthy improved run (${name}), even where its d_acc passes 0.500`, () => {
      const rows = recordedRun(name);
      assert.ok(rows[rows.length - 1].testAccuracy > rows[0].testAccuracy, "the run learns");
      assert.equal(prunedAt(rows), undefined);
    });
  }
});

describe("stuck, with its defaults, on the 48 runs of the default split (test/fixtures/search/curves.json)", () => {
  const curves = JSON.parse(readFileSync(new URL("../fixtures/search/curves.json", import.meta.url), "utf8")) as {
    curves: Array<{ configuration: { variant: string }; epochs: Array<EpochStats & { testAccuracy: number }> }>;
  };
  const byVariant = (variant: string) => curves.curves.filter((curve) => curve.configuration.variant === variant);

  it("stops every reference run by its epoch 3, the ones whose stuck d_acc flickers included", () => {
    const late = byVariant("reference").map((curve) => prunedAt(curve.epochs)?.epoch ?? Infinity).filter((epoch) => epoch > 3);
    assert.equal(byVariant("reference").length, 24);
    assert.deepEqual(late, []);
  });

  it("never stops an improved run", () => {
    assert.equal(byVariant("improved").length, 24);
    assert.deepEqual(byVariant("improved").flatMap((curve) => prunedAt(curve.epochs) ?? []), []);
  });
});

describe("stuck, rule by rule", () => {
  const row = (epoch: number, dAccMean: number, dAccStd = 0, gLoss: { mean: number; max: number } = { mean: 0.7, max: 0.8 }): EpochStats => ({
    epoch,
    dAccMean,
    dAccStd,
    dLossMean: 1.2 - epoch * 0.1,
    dLossStd: 0.05,
    gLossMean: gLoss.mean,
    gLossStd: 0.02,
    gLossMax: gLoss.max,
  });
  const trial = (rows: EpochStats[]): PrunerTrial => ({ id: "run", state: "running", curve: rows.map((r) => ({ epoch: r.epoch, value: 0 })), stats: rows });
  const stuck = (options: Partial<ConstructorParameters<typeof StuckPruner>[0]> = {}) =>
    new StuckPruner({ metric: "dAcc", tolerance: 0.005, epochs: 2, maxSpread: 0.002, gLossSpike: 5, ...options });

  it("needs every one of the last `epochs` epochs within tolerance of one constant (a spread of at most 2 x tolerance)", () => {
    assert.equal(stuck().prune(trial([row(1, 0.3), row(2, 0.496), row(3, 0.504)])).prune, true);
    assert.equal(stuck().prune(trial([row(1, 0.3), row(2, 0.49), row(3, 0.505)])).prune, false);
    assert.equal(stuck({ epochs: 3 }).prune(trial([row(1, 0.3), row(2, 0.5), row(3, 0.5)])).prune, false, "epoch 1 is not at the constant");
  });

  it("needs one of those epochs without spread; the others may flicker", () => {
    assert.equal(stuck().prune(trial([row(1, 0.5, 0.002), row(2, 0.5, 0.013)])).prune, true);
    assert.equal(stuck().prune(trial([row(1, 0.5, 0.013), row(2, 0.5, 0.002)])).prune, true);
    assert.equal(stuck().prune(trial([row(1, 0.5, 0.0021), row(2, 0.5, 0.0021)])).prune, false);
  });

  it("needs consecutive epochs", () => {
    assert.equal(stuck().prune(trial([row(1, 0.5), row(3, 0.5)])).prune, false);
  });

  it("watches the chosen metric", () => {
    const flatLoss = [1, 2, 3].map((epoch) => ({ ...row(epoch, 0.3 * epoch, 0.05), dLossMean: 0.693, dLossStd: 0 }));
    assert.equal(stuck().prune(trial(flatLoss)).prune, false);
    assert.match((stuck({ metric: "dLoss" }).prune(trial(flatLoss)) as { reason: string }).reason, /^stuck: dLoss stayed within 0\.005 of 0\.693 for 2 epochs \(2-3/);
  });

  it("stops a run whose generator loss spiked past gLossSpike above its epoch mean, naming the numbers", () => {
    const spiked = [row(1, 0.4, 0.1), row(2, 0.6, 0.1, { mean: 1.5, max: 6.6 })];
    assert.equal(
      (stuck().prune(trial(spiked)) as { reason: string }).reason,
      "stuck: gLoss spiked to 6.6 at epoch 2, 5.1 above the epoch's mean 1.5 (gLossSpike 5)",
    );
    assert.equal(stuck({ gLossSpike: 6 }).prune(trial(spiked)).prune, false);
    assert.equal(stuck({ gLossSpike: null }).prune(trial(spiked)).prune, false);
  });

  it("refuses a trial without its epoch stats: the caller forgot to pass them", () => {
    assert.throws(() => stuck().prune({ id: "run", state: "running", curve: [{ epoch: 1, value: 0 }] }), PrunerInputError);
  });
});
