import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseSweepText, planSweep } from "../../libs/sweep/index.ts";

const example = (name: string) => parseSweepText(readFileSync(new URL(`../../examples/${name}`, import.meta.url), "utf8"));

describe("examples", () => {
  it("seed-study: 6 draws of batch size and lr near the seed's, twice each, 3 short epochs", () => {
    const config = example("seed-study.yaml");
    const runs = planSweep(config);
    assert.equal(runs.length, 12);
    for (const { params } of runs) {
      assert.ok([32, 64, 128].includes(params.batchSize));
      assert.ok(params.lr >= 1e-4 && params.lr <= 4e-4);
      assert.equal(params.b1, 0.5);
      assert.equal(params.variant, "improved");
      assert.equal(params.epochs, 3);
      assert.equal(params.imgSize, 28);
      assert.equal(params.limit, 2000);
    }
  });

  it("tiny: two configurations, one run each", () => {
    const runs = planSweep(example("tiny.yaml"));
    assert.equal(runs.length, 2);
    assert.equal(new Set(runs.map((run) => run.configKey)).size, 2);
    for (const { params } of runs) {
      assert.equal(params.epochs, 1);
      assert.equal(params.limit, 64);
      assert.equal(params.batchSize, 32);
      assert.equal(params.imgSize, 28);
    }
  });

  it("ssl-100-labels: tpe over the learning rates, schedule and EMA of Salimans et al.'s recipe on 100 labels, asha at epochs 25 and 75", () => {
    const config = example("ssl-100-labels.yaml");
    assert.equal(config.strategy, "tpe");
    assert.deepEqual(config.pruner, { kind: "asha", minEpochs: 25, reductionFactor: 3, minEarlyStoppingRate: 0 });
    const runs = planSweep(config);
    assert.equal(runs.length, config.parallelism, "the first wave");
    for (const { params } of runs) {
      assert.equal(params.labeled, 100);
      assert.equal(params.architecture, "improved-gan");
      assert.equal(params.classHead, "fixedFakeLogit");
      assert.equal(params.generatorLoss, "featureMatching");
      assert.equal(params.epochs, 200);
      assert.ok(params.lr >= 1e-3 && params.lr <= 6e-3);
      assert.ok(params.lrD! >= 3e-4 && params.lrD! <= 6e-3);
      assert.ok(["constant", "cosine"].includes(params.lrSchedule));
    }
  });
});
