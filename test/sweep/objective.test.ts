// The sweep config's objective: stated once, defaults as the ranking's, direction by metric.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSweepConfig, parseSweepText } from "../../libs/sweep/index.ts";
import { issueAt, refusal } from "./helpers.ts";

describe("sweep objective", () => {
  it("defaults to the ranking's defaults", () => {
    assert.deepEqual(parseSweepConfig({ name: "s" }).objective, { metric: "testAccuracy", scope: "last", k: 5, penalty: 0, direction: "maximize" });
  });

  it("takes its direction from the metric unless it says one: losses minimize, accuracies (dAcc too) maximize", () => {
    const direction = (objective: object) => parseSweepConfig({ name: "s", objective }).objective.direction;
    assert.equal(direction({ metric: "gLoss" }), "minimize");
    assert.equal(direction({ metric: "dLoss" }), "minimize");
    assert.equal(direction({ metric: "dAcc" }), "maximize");
    assert.equal(direction({ metric: "dAcc", direction: "minimize" }), "minimize");
    const yaml = parseSweepText("name: s\nobjective: { metric: gLoss, scope: lastK, k: 3, penalty: 1 }\n");
    assert.deepEqual(yaml.objective, { metric: "gLoss", scope: "lastK", k: 3, penalty: 1, direction: "minimize" });
  });

  it("refuses bad values and unknown keys, naming the field and what is allowed", () => {
    const issues = refusal(() => parseSweepConfig({ name: "s", objective: { metric: "accuracy", k: 0, direction: "up", limit: 3 } }));
    assert.match(issueAt(issues, "objective.metric").message, /"testAccuracy"\|"dAcc"\|"dLoss"\|"gLoss"/);
    assert.match(issueAt(issues, "objective.k").message, />=1/);
    assert.match(issueAt(issues, "objective.direction").message, /"maximize"\|"minimize"/);
    assert.match(issueAt(issues, "objective.limit").message, /allowed here: metric, scope, k, penalty, direction/);
  });
});
