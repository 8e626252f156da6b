// Small pieces of the dashboard that need no browser: routes, formatting, sorting, form errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logTick } from "../../apps/dashboard/src/charts.ts";
import { ago, duration, figure, learningRate, paramValue, percent, points } from "../../apps/dashboard/src/format.ts";
import { parseRoute, routes } from "../../apps/dashboard/src/router.ts";
import { compare } from "../../apps/dashboard/src/table.ts";
import { progressText, runFraction } from "../../apps/dashboard/src/views/run-labels.ts";
import { fieldForPath } from "../../apps/dashboard/src/views/submit-form.ts";

describe("routes", () => {
  it("parses the four views, and anything else as not found", () => {
    assert.deepEqual(parseRoute(""), { name: "sweeps", page: 1, tags: [] });
    assert.deepEqual(parseRoute("#/sweeps?page=3"), { name: "sweeps", page: 3, tags: [] });
    assert.deepEqual(parseRoute("#/sweeps?page=-1"), { name: "sweeps", page: 1, tags: [] });
    assert.deepEqual(parseRoute("#/sweeps?tag=lr%3A1e-3&page=2&tag=baseline"), { name: "sweeps", page: 2, tags: ["lr:1e-3", "baseline"] });
    assert.equal(routes.sweeps(1, ["lr:1e-3", "baseline"]), "/sweeps?tag=lr%3A1e-3&tag=baseline");
    assert.equal(routes.sweeps(2), "/sweeps?page=2");
    assert.deepEqual(parseRoute("#/sweeps/abc"), { name: "sweep", id: "abc" });
    assert.deepEqual(parseRoute("#/runs/a%20b"), { name: "run", id: "a b" });
    assert.deepEqual(parseRoute("#/workers"), { name: "workers" });
    assert.deepEqual(parseRoute("#/nope/1/2"), { name: "not-found", path: "/nope/1/2" });
    assert.equal(routes.run("x/y"), "/runs/x%2Fy");
    assert.deepEqual(parseRoute(`#${routes.run("x/y")}`), { name: "run", id: "x/y" });
  });
});

describe("formatting", () => {
  it("shows units and never NaN", () => {
    assert.equal(percent(0.9731), "97.3 %");
    assert.equal(percent(null), "–");
    assert.equal(points(0.0123, 2), "1.23 pp");
    assert.equal(figure(Number.NaN), "NaN");
    assert.equal(figure(Number.POSITIVE_INFINITY), "∞");
    assert.equal(figure(0.00012, 2), "1.2e-4");
    assert.equal(figure(1.23456), "1.23");
    assert.equal(learningRate(0.0002), "2.0e-4");
    assert.equal(duration(75), "1 min 15 s");
    assert.equal(duration(4000), "1 h 06 min");
    assert.equal(duration(null), "–");
    assert.equal(ago(new Date(1_000_000 - 90_000).toISOString(), 1_000_000), "1 min ago");
    assert.equal(paramValue("lr", 0.001), "1.0e-3");
    assert.equal(paramValue("seed", 1086240972), "1086240972");
    assert.equal(paramValue("spectralNorm", false), "false");
    assert.equal(logTick(2e-4), "2e-4");
    assert.equal(logTick(3e-4), "");
    assert.equal(logTick(1e-3), "1e-3");
  });
});

describe("table sorting", () => {
  it("puts missing values last in both directions", () => {
    const values = [3, null, 1, Number.NaN, 2];
    assert.deepEqual([...values].sort((a, b) => compare(a, b, 1)).slice(0, 3), [1, 2, 3]);
    assert.deepEqual([...values].sort((a, b) => compare(a, b, -1)).slice(0, 3), [3, 2, 1]);
    assert.deepEqual(["run 10", "run 9"].sort((a, b) => compare(a, b, 1)), ["run 9", "run 10"]);
  });
});

describe("run progress", () => {
  it("counts live batches within 1-based epochs", () => {
    const live = { runId: "r", sweepId: "s", epoch: 3, epochs: 4, batch: 50, batches: 100, samplesPerSec: 1, etaSeconds: 1 };
    assert.equal(runFraction({ epochsDone: 2 }, 4, live), 2.5 / 4);
    assert.equal(runFraction({ epochsDone: 2 }, 4, undefined), 0.5);
    assert.equal(runFraction({ epochsDone: 2 }, 0, undefined), 0);
    assert.equal(progressText({ epochsDone: 2, status: "running" }, 4, live), "epoch 3/4 · batch 50/100");
    assert.equal(progressText({ epochsDone: 4, status: "completed" }, 4, undefined), "4/4 epochs");
  });
});

describe("form errors", () => {
  it("go to the field whose path is the longest matching prefix", () => {
    const fields = [
      { name: "lr", paths: ["parameters.lr"] },
      { name: "lrPoints", paths: ["parameters.lr.points"] },
      { name: "repeats", paths: ["repeats", "maxRuns"] },
    ];
    assert.equal(fieldForPath(fields, "parameters.lr.loguniform")?.name, "lr");
    assert.equal(fieldForPath(fields, "parameters.lr.points")?.name, "lrPoints");
    assert.equal(fieldForPath(fields, "maxRuns")?.name, "repeats");
    assert.equal(fieldForPath(fields, "parameters.lrx"), undefined);
    assert.equal(fieldForPath(fields, "colour"), undefined);
  });
});
