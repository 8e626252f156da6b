import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trainingConfigSchema } from "../../libs/sgan/config.ts";
import { PER_SWEEP_FIELDS, SWEEPABLE_FIELDS, parseSweepConfig, parseSweepText } from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

const BRIEF_YAML = `
name: lr-vs-batch
strategy: random
seed: 0
samples: 8
repeats: 2
maxRuns: 100
priority: 0
fixed:
  epochs: 5
  dataset: mnist
  imgSize: 32
  limit: 2000
parameters:
  batchSize: { log2int: [16, 256] }
  lr: { loguniform: [1.0e-4, 1.0e-3] }
  b1: 0.5
  b2: { uniform: [0.9, 0.999] }
  latentDim: { int: [64, 128], step: 32 }
  variant: { choice: [improved, reference] }
  spectralNorm: { choice: [false, true] }
  labeled: { choice: [all, 100] }
`;

describe("sweep config: valid input", () => {
  it("parses the documented YAML example", () => {
    const config = parseSweepText(BRIEF_YAML);
    assert.equal(config.name, "lr-vs-batch");
    assert.deepEqual(config.fixed, { epochs: 5, dataset: "mnist", imgSize: 32, limit: 2000 });
    assert.deepEqual(config.parameters.lr, { loguniform: [1e-4, 1e-3] });
    assert.deepEqual(config.parameters.latentDim, { int: [64, 128], step: 32 });
    assert.deepEqual(config.parameters.labeled, { choice: ["all", 100] });
    assert.equal(config.parameters.b1, 0.5);
  });

  it("fills defaults for a minimal JSON config", () => {
    const config = parseSweepText('{"name": "minimal"}');
    assert.deepEqual(config, {
      name: "minimal",
      strategy: "random",
      seed: 0,
      samples: 10,
      repeats: 1,
      maxRuns: 100,
      priority: 0,
      fixed: { epochs: 5, dataset: "mnist", imgSize: 32 },
      parameters: {},
      objective: { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, direction: "maximize" },
      pruner: { kind: "none" },
    });
  });

  it("reads the same config from JSON and YAML, and from an explicit format", () => {
    const yaml = parseSweepText(BRIEF_YAML, "yaml");
    assert.deepEqual(parseSweepText(JSON.stringify(yaml)), yaml);
    assert.deepEqual(parseSweepText(JSON.stringify(yaml), "json"), yaml);
  });

  it("re-parses its own output unchanged, so a stored config can be read back", () => {
    const config = parseSweepText(BRIEF_YAML);
    assert.deepEqual(parseSweepConfig(JSON.parse(JSON.stringify(config))), config);
  });

  it("accepts a grid whose uniform and loguniform have points", () => {
    const config = parseSweepConfig({ name: "g", strategy: "grid", parameters: { lr: { loguniform: [1e-4, 1e-2], points: 3 } } });
    assert.equal(config.strategy, "grid");
  });

  it("covers every training field: sweepable, per sweep, the derived seed, or a replayed pbt schedule", () => {
    const covered = [...SWEEPABLE_FIELDS, ...PER_SWEEP_FIELDS, "seed", "schedule"].sort();
    assert.deepEqual(covered, Object.keys(trainingConfigSchema.shape).sort());
  });
});

describe("sweep config: refusals name the path, the value and what is allowed", () => {
  it("unknown keys at every level", () => {
    const issues = refusal(() =>
      parseSweepConfig({ name: "x", colour: 1, fixed: { speed: 2 }, parameters: { momentum: 3, lr: { uniform: [0.1, 0.2], mean: 1 } } }),
    );
    assert.match(issueAt(issues, "colour").message, /unknown key; allowed here: name, strategy/);
    assert.match(issueAt(issues, "fixed.speed").message, /allowed here: epochs, dataset, imgSize, limit/);
    assert.match(issueAt(issues, "parameters.momentum").message, /allowed here: batchSize, lr, b1/);
    assert.match(issueAt(issues, "parameters.lr.mean").message, /allowed here: choice, uniform, loguniform, int, log2int/);
  });

  it("fixed.dataset: mnist or a folder name under the data root, never a path on the worker's host", () => {
    assert.equal(parseSweepConfig({ name: "x", fixed: { dataset: "fashion-mnist" } }).fixed.dataset, "fashion-mnist");
    assert.equal(parseSweepConfig({ name: "x", fixed: { dataset: "emnist/letters" } }).fixed.dataset, "emnist/letters");
    for (const [dataset, rule] of [["/root", /not an absolute path/], ["/proc/self", /not an absolute path/], ["../etc", /'\.\.'/], [".", /letters, digits/]] as const) {
      assert.match(issueAt(refusal(() => parseSweepConfig({ name: "x", fixed: { dataset } })), "fixed.dataset").message, rule);
    }
  });

  it("wrong types", () => {
    const issues = refusal(() => parseSweepConfig({ name: 5, repeats: "2", parameters: { batchSize: [16, 32], lr: { uniform: [1, "a"] } } }));
    assert.match(issueAt(issues, "name").message, /expected string.*\(got 5\)/);
    assert.match(issueAt(issues, "repeats").message, /expected number.*\(got "2"\)/);
    assert.match(issueAt(issues, "parameters.batchSize").message, /plain value .* or a distribution .*\(got \[16,32\]\)/);
    assert.match(issueAt(issues, "parameters.lr.uniform.1").message, /expected number.*\(got "a"\)/);
  });

  it("values out of range, including against the training schema's limits", () => {
    const issues = refusal(() =>
      parseSweepConfig({
        name: "x",
        repeats: 21,
        maxRuns: 5000,
        fixed: { epochs: 0, imgSize: 30 },
        parameters: {
          batchSize: { log2int: [1, 8192] },
          lr: { loguniform: [1e-4, 2] },
          b1: 1.5,
          latentDim: { choice: [64, 2048] },
          labeled: { int: [5, 100] },
          variant: "fancy",
          b2: { uniform: [0.999, 0.9] },
        },
      }),
    );
    assert.match(issueAt(issues, "repeats").message, /<=20.*\(got 21\)/);
    assert.match(issueAt(issues, "maxRuns").message, /<=1000/);
    assert.match(issueAt(issues, "fixed.epochs").message, />=1.*\(got 0\)/);
    assert.match(issueAt(issues, "fixed.imgSize").message, /expected one of: 28, 32 \(got 30\)/);
    assert.match(issueAt(issues, "parameters.batchSize.log2int").message, /can produce 1, which batchSize refuses: .*>=2/);
    assert.match(issueAt(issues, "parameters.lr.loguniform").message, /can produce 2, which lr refuses: .*<=1.*\(got \[0.0001,2\]\)/);
    assert.match(issueAt(issues, "parameters.b1").message, /<1.*\(got 1.5\)/);
    assert.match(issueAt(issues, "parameters.latentDim.choice.1").message, /<=1024.*\(got 2048\)/);
    assert.match(issueAt(issues, "parameters.labeled.int").message, /can produce 5, which labeled refuses: .*>=10/);
    assert.match(issueAt(issues, "parameters.variant").message, /"improved"\|"reference".*\(got "fancy"\)/);
    assert.match(issueAt(issues, "parameters.b2.uniform").message, /low 0.999 is above high 0.9/);
  });

  it("a continuous range on an integer field", () => {
    const issues = refusal(() => parseSweepConfig({ name: "x", parameters: { batchSize: { uniform: [16, 256] } } }));
    assert.match(issueAt(issues, "parameters.batchSize.uniform").message, /which batchSize refuses: .*expected int/);
  });

  it("malformed distributions", () => {
    const issues = refusal(() =>
      parseSweepConfig({
        name: "x",
        parameters: {
          lr: { uniform: [1e-4, 1e-3], loguniform: [1e-4, 1e-3] },
          b1: {},
          b2: { loguniform: [0, 0.999] },
          latentDim: { log2int: [65, 127] },
          batchSize: { choice: [32, 64], step: 2 },
          labeled: { int: [10, 100], points: 3 },
        },
      }),
    );
    assert.match(issueAt(issues, "parameters.lr").message, /exactly one of .*; got uniform and loguniform/);
    assert.match(issueAt(issues, "parameters.b1").message, /exactly one of .*; got none/);
    assert.match(issueAt(issues, "parameters.b2.loguniform").message, /low > 0/);
    assert.match(issueAt(issues, "parameters.latentDim.log2int").message, /no power of two lies within \[65, 127\]/);
    assert.match(issueAt(issues, "parameters.batchSize.step").message, /int only/);
    assert.match(issueAt(issues, "parameters.labeled.points").message, /uniform and loguniform only/);
  });

  it("lr in fixed says to move it to parameters", () => {
    const issues = refusal(() => parseSweepConfig({ name: "x", fixed: { lr: 1e-3 } }));
    assert.match(issueAt(issues, "fixed.lr").message, /put it under parameters/);
  });

  it("epochs in parameters says to move it to fixed", () => {
    const issues = refusal(() => parseSweepConfig({ name: "x", parameters: { epochs: { int: [1, 5] } } }));
    assert.match(issueAt(issues, "parameters.epochs").message, /same for every run of a sweep: put it under fixed/);
  });

  it("misplaced top-level training fields and seeds", () => {
    const issues = refusal(() => parseSweepConfig({ name: "x", lr: 1e-3, epochs: 3, fixed: { seed: 1 } }));
    assert.match(issueAt(issues, "lr").message, /under parameters/);
    assert.match(issueAt(issues, "epochs").message, /under fixed/);
    assert.match(issueAt(issues, "fixed.seed").message, /set seed at the top level/);
  });

  it("grid with uniform and no points", () => {
    const issues = refusal(() => parseSweepConfig({ name: "x", strategy: "grid", parameters: { b2: { uniform: [0.9, 0.999] } } }));
    assert.match(issueAt(issues, "parameters.b2.points").message, /grid strategy needs points on uniform/);
  });

  it("a missing name and a non-object config", () => {
    assert.match(issueAt(refusal(() => parseSweepConfig({})), "name").message, /expected string/);
    assert.match(issueAt(refusal(() => parseSweepConfig([1])), "(root)").message, /expected object/);
  });

  it("the error message lists every issue", () => {
    assert.throws(() => parseSweepConfig({ name: "", fixed: { lr: 1 } }), /invalid sweep config:\n {2}- name: .*\n {2}- fixed\.lr: /);
  });
});

describe("sweep text", () => {
  it("broken YAML says the line and column", () => {
    const issues = refusal(() => parseSweepText("name: x\nparameters:\n  lr: { loguniform: [1, 2]\n  b1: 0.5\n"));
    assert.match(issueAt(issues, "(yaml)").message, /^line 4, column 3: .*end with a \}/);
  });

  it("duplicate YAML keys are an error, not a silent overwrite", () => {
    assert.match(issueAt(refusal(() => parseSweepText("name: a\nname: b\n")), "(yaml)").message, /line 2, column 1: Map keys must be unique/);
  });

  it("broken JSON says the line and column, whether detected or named", () => {
    const text = '{\n  "name": "x"\n  "samples": 3\n}';
    for (const format of [undefined, "json"] as const) {
      assert.match(issueAt(refusal(() => parseSweepText(text, format)), "(json)").message, /^line 3, column 3: /);
    }
  });

  it("a schema error in text is reported like one in an object", () => {
    assert.match(issueAt(refusal(() => parseSweepText("name: x\nsamples: 0\n")), "samples").message, />=1/);
  });
});
