import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseTrainingConfig, trainingConfigSchema } from "../../libs/sgan/config.ts";
import { configKey, configurationOf, parseSweepConfig, planSweep, RECIPE_FIELDS } from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

function trainingRefusal(input: object): ConfigError {
  try {
    parseTrainingConfig(input);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error;
  }
  assert.fail("expected the config to be refused");
}

describe("recipe combinations", () => {
  it("a run refuses each pair that does not make sense, at the second field, with the reason", () => {
    const architecture = trainingRefusal({ variant: "reference", architecture: "improved-gan" });
    assert.equal(architecture.issues.length, 1);
    assert.equal(architecture.issues[0].path, "architecture");
    assert.match(architecture.issues[0].message, /cannot go with variant reference: the reference variant reproduces the seed's network exactly/);
    assert.match(trainingRefusal({ variant: "reference", classHead: "fixedFakeLogit" }).issues[0].message, /double softmax/);
    assert.match(trainingRefusal({ architecture: "improved-gan", spectralNorm: true }).issues[0].message, /weight normalisation/);
    assert.equal(parseTrainingConfig({ architecture: "improved-gan", classHead: "fixedFakeLogit", generatorLoss: "featureMatching" }).architecture, "improved-gan");
  });

  it("a run refuses a warm-up or a step interval as long as the run", () => {
    assert.match(trainingRefusal({ epochs: 4, warmupEpochs: 4 }).issues[0].message, /4 warm-up epochs never end in a run of 4 epochs/);
    assert.match(trainingRefusal({ epochs: 4, lrSchedule: "step", lrStepEpochs: 4 }).issues[0].message, /never decays: use lrStepEpochs below epochs/);
    // The step interval means nothing without the step schedule, so its default (10) is no conflict in a short run.
    assert.equal(parseTrainingConfig({ epochs: 4, warmupEpochs: 3.5 }).warmupEpochs, 3.5);
  });

  it("a sweep is refused when any value its space can produce conflicts, at the parameter's path", () => {
    const issues = refusal(() =>
      parseSweepConfig({ name: "s", parameters: { variant: { choice: ["improved", "reference"] }, architecture: { choice: ["seed", "improved-gan"] } } }),
    );
    assert.match(issueAt(issues, "parameters.architecture").message, /improved-gan cannot go with variant reference/);
    const warmup = refusal(() => parseSweepConfig({ name: "s", fixed: { epochs: 3 }, parameters: { warmupEpochs: { uniform: [0, 4] } } }));
    assert.match(issueAt(warmup, "parameters.warmupEpochs").message, /4 warm-up epochs never end in a run of 3 epochs/);
    const fixedPair = refusal(() => parseSweepConfig({ name: "s", parameters: { architecture: "improved-gan", spectralNorm: { choice: [false, true] } } }));
    assert.match(issueAt(fixedPair, "parameters.spectralNorm").message, /spectralNorm true cannot go with architecture improved-gan/);
  });

  it("a sweep over the recipe plans runs that train with its values", () => {
    const config = parseSweepConfig({
      name: "recipe",
      strategy: "grid",
      fixed: { epochs: 6 },
      parameters: {
        architecture: "improved-gan",
        classHead: "fixedFakeLogit",
        lrSchedule: { choice: ["constant", "cosine"] },
        warmupEpochs: 1,
        lrD: { choice: [1e-3, 3e-3] },
        evalEma: 0.999,
      },
    });
    const runs = planSweep(config);
    assert.equal(runs.length, 4);
    assert.deepEqual(new Set(runs.map((run) => `${run.params.lrSchedule} ${run.params.lrD}`)), new Set(["constant 0.001", "constant 0.003", "cosine 0.001", "cosine 0.003"]));
    assert.equal(new Set(runs.map((run) => run.configKey)).size, 4);
    for (const run of runs) assert.equal(parseTrainingConfig(run.params).architecture, "improved-gan");
  });
});

describe("configuration keys with the recipe fields", () => {
  // Recorded with the code before the recipe fields existed (ca7aa0e): stored sweeps keep their keys.
  it("a configuration with every recipe field at its default keeps the key it had before them", () => {
    assert.equal(configKey(configurationOf(trainingConfigSchema.parse({}))), "2ab73b38bec3");
    assert.equal(configKey(configurationOf(trainingConfigSchema.parse({ lr: 1e-3, batchSize: 32, variant: "reference" }))), "9035a3f19895");
  });

  it("a recipe field off its default, or a per-network rate, gives another key", () => {
    const base = configurationOf(trainingConfigSchema.parse({}));
    const keys = new Set([configKey(base), ...RECIPE_FIELDS.map((field) => configKey(configurationOf(trainingConfigSchema.parse(offDefault(field)))))]);
    assert.equal(keys.size, RECIPE_FIELDS.length + 1);
    assert.equal(configurationOf(trainingConfigSchema.parse({})).lrD, undefined);
    assert.ok(!("lrD" in configurationOf(trainingConfigSchema.parse({}))));
  });
});

/** A value of `field` other than its default (and valid alone). */
function offDefault(field: (typeof RECIPE_FIELDS)[number]): object {
  const values: Record<(typeof RECIPE_FIELDS)[number], unknown> = {
    architecture: "improved-gan", classHead: "fixedFakeLogit", generatorLoss: "featureMatching", lrSchedule: "cosine", lrDecay: 0.9,
    lrStepEpochs: 2, lrMinFactor: 0.1, warmupEpochs: 1, lrD: 1e-3, lrG: 1e-3, b1D: 0.9, b1G: 0.9, dStepsPerG: 2, labelSmoothing: 0.1,
    instanceNoise: 0.1, evalEma: 0.999,
  };
  return { [field]: values[field] };
}
