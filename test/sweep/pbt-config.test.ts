import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FROZEN_MID_RUN,
  PERTURBABLE_FIELDS,
  SWEEPABLE_FIELDS,
  describePlanSize,
  parseSweepConfig,
  planSize,
  planSweep,
  type SweepConfigInput,
} from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";
import { PBT_INPUT } from "./pbt-fixture.ts";

const PBT = PBT_INPUT;

const withPbt = (pbt: Record<string, unknown>): SweepConfigInput => ({ ...PBT, pbt: { population: 4, interval: 2, ...pbt } as SweepConfigInput["pbt"] });

describe("sweep config: strategy pbt", () => {
  it("fills in Ray Tune's defaults and perturbs every parameter with a range that can change mid-run", () => {
    const config = parseSweepConfig(PBT);
    assert.deepEqual(config.pbt, {
      population: 4,
      interval: 2,
      quantile: 0.25,
      resampleProbability: 0.25,
      perturbationFactors: [1.2, 0.8],
      // batchSize is searched but frozen mid-run; b1 is a plain value, with nothing to move within.
      perturb: ["lr", "generatorLoss", "dStepsPerG"],
    });
    assert.deepEqual(parseSweepConfig(config), config, "the stored config parses to itself");
  });

  it("plans the first population at submit: population runs, the random strategy's first draws for the seed", () => {
    const config = parseSweepConfig(PBT);
    const runs = planSweep(config);
    assert.equal(runs.length, 4);
    const random = planSweep(parseSweepConfig({ ...PBT, strategy: "random", samples: 4, pbt: undefined }));
    assert.deepEqual(runs.map((run) => run.params), random.map((run) => run.params));
    assert.deepEqual(planSweep(config), runs, "the same config plans the same population");
    const size = planSize(config);
    assert.equal(size.firstWave, 4);
    assert.equal(size.requested, 4);
    assert.equal(describePlanSize(size), "4 configurations x 1 repeats = 4 runs");
  });

  it("cuts the population to a finite space's size, as random draws without replacement, and says so", () => {
    const config = parseSweepConfig({ ...PBT, pbt: { population: 6, interval: 2 }, parameters: { lr: { choice: [1e-4, 2e-4, 4e-4] } } });
    assert.equal(planSweep(config).length, 3);
    assert.match(describePlanSize(planSize(config)), /population 6, but the space has only 3 configurations/);
  });

  it("accepts every perturbable field in perturb when it has a range", () => {
    const config = parseSweepConfig({
      ...PBT,
      parameters: {
        lr: { loguniform: [1e-4, 1e-3] },
        lrD: { loguniform: [1e-4, 1e-3] },
        lrG: { loguniform: [1e-4, 1e-3] },
        b1: { uniform: [0.1, 0.9] },
        b2: { choice: [0.99, 0.999] },
        b1D: { uniform: [0.1, 0.9] },
        b1G: { uniform: [0.1, 0.9] },
        labelSmoothing: { uniform: [0, 0.2] },
        instanceNoise: { uniform: [0, 0.5] },
        dStepsPerG: { int: [1, 3] },
        generatorLoss: { choice: ["standard", "featureMatching"] },
      },
      pbt: { population: 4, interval: 2, perturb: [...PERTURBABLE_FIELDS] },
    });
    assert.deepEqual(config.pbt?.perturb, [...PERTURBABLE_FIELDS]);
    assert.deepEqual(
      [...PERTURBABLE_FIELDS].sort(),
      ["b1", "b1D", "b1G", "b2", "dStepsPerG", "generatorLoss", "instanceNoise", "labelSmoothing", "lr", "lrD", "lrG"],
    );
  });
});

describe("sweep config: pbt refusals name the path and the reason", () => {
  it("refuses perturbing each field that cannot change mid-run, with its reason, and says it may still be searched", () => {
    const frozen = SWEEPABLE_FIELDS.filter((field) => FROZEN_MID_RUN[field] !== null);
    assert.ok(frozen.includes("batchSize") && frozen.includes("latentDim") && frozen.includes("lrSchedule"));
    const issues = refusal(() => parseSweepConfig(withPbt({ perturb: ["lr", ...frozen] })));
    frozen.forEach((field, i) => {
      const issue = issueAt(issues, `pbt.perturb.${i + 1}`);
      assert.match(issue.message, new RegExp(`^${field} cannot change mid-run`));
      assert.ok(issue.message.includes(FROZEN_MID_RUN[field]!), issue.message);
      assert.match(issue.message, /may still be searched under parameters/);
    });
    assert.equal(issues.length, frozen.length, "lr is accepted");
  });

  it("refuses per-sweep, unknown and rangeless fields in perturb", () => {
    const issues = refusal(() => parseSweepConfig(withPbt({ perturb: ["imgSize", "dataset", "lrx", "b1", "lrG"] })));
    assert.match(issueAt(issues, "pbt.perturb.0").message, /imgSize is the same for every run of a sweep/);
    assert.match(issueAt(issues, "pbt.perturb.1").message, /dataset is the same for every run of a sweep/);
    assert.match(issueAt(issues, "pbt.perturb.2").message, /unknown field; perturbable: lr, /);
    assert.match(issueAt(issues, "pbt.perturb.3").message, /b1 has no range under parameters/);
    assert.match(issueAt(issues, "pbt.perturb.4").message, /lrG has no range under parameters/);
  });

  it("refuses a sweep with nothing it can perturb", () => {
    const issues = refusal(() => parseSweepConfig({ ...PBT, parameters: { batchSize: { choice: [32, 64] }, lr: { choice: [1e-4] } } }));
    assert.match(issueAt(issues, "parameters").message, /pbt needs a parameter it can perturb mid-run: give one of lr, /);
  });

  it("refuses an interval that reaches the last epoch, repeats, and pruners that stop runs", () => {
    const issues = refusal(() => parseSweepConfig({ ...withPbt({ interval: 6 }), repeats: 2, pruner: { kind: "asha" } }));
    assert.match(issueAt(issues, "pbt.interval").message, /interval 6 is not below fixed.epochs 6/);
    assert.match(issueAt(issues, "repeats").message, /set repeats 1 and raise pbt.population/);
    assert.match(issueAt(issues, "pruner.kind").message, /use kind none, or stuck .* not asha/);
    assert.doesNotThrow(() => parseSweepConfig({ ...PBT, pruner: { kind: "stuck" } }));
  });

  it("bounds population, quantile, resampleProbability and the factors", () => {
    const issues = (pbt: Record<string, unknown>) => refusal(() => parseSweepConfig(withPbt(pbt)));
    issueAt(issues({ population: 1 }), "pbt.population");
    issueAt(issues({ interval: 0 }), "pbt.interval");
    issueAt(issues({ quantile: 0 }), "pbt.quantile");
    issueAt(issues({ quantile: 0.6 }), "pbt.quantile");
    issueAt(issues({ resampleProbability: 1.5 }), "pbt.resampleProbability");
    issueAt(issues({ perturbationFactors: [] }), "pbt.perturbationFactors");
    issueAt(issues({ perturbationFactors: [1.2, -1] }), "pbt.perturbationFactors.1");
    assert.match(issueAt(issues({ populaton: 4 }), "pbt.populaton").message, /unknown key; allowed here: population, interval, quantile/);
    assert.equal(parseSweepConfig(withPbt({ quantile: 0.5 })).pbt?.quantile, 0.5);
  });

  it("ties pbt settings and strategy pbt together", () => {
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...PBT, strategy: "random" })), "pbt").message, /pbt applies to strategy pbt only/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...PBT, pbt: undefined })), "pbt").message, /strategy pbt needs pbt: \{ population, interval \}/);
    assert.match(issueAt(refusal(() => parseSweepConfig({ ...PBT, trials: 4 })), "trials").message, /applies to strategy tpe only/);
  });
});
