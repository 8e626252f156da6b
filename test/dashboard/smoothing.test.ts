import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ema, MAX_SMOOTHING } from "../../apps/dashboard/src/smoothing.ts";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

describe("ema (the curves' smoothing)", () => {
  it("returns the values unchanged at weight 0", () => {
    assert.deepEqual(ema([0.1, 0.5, 0.3], 0), [0.1, 0.5, 0.3]);
  });

  it("is debiased: the first point is the first value, and a constant series stays constant", () => {
    const smoothed = ema([0.8, 0.8, 0.8, 0.8], 0.9);
    for (const value of smoothed) close(value, 0.8);
  });

  it("matches the hand-worked debiased average", () => {
    // w = 0.5: m1 = 0.5*1 = 0.5, s1 = 0.5/(1-0.5) = 1; m2 = 0.25 + 0.5*3 = 1.75, s2 = 1.75/0.75;
    // m3 = 0.875 + 0.5*2 = 1.875, s3 = 1.875/0.875.
    const [a, b, c] = ema([1, 3, 2], 0.5);
    close(a, 1);
    close(b, 1.75 / 0.75);
    close(c, 1.875 / 0.875);
  });

  it("lags behind a step and approaches it, more slowly with more smoothing", () => {
    const step = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    const light = ema(step, 0.3);
    const heavy = ema(step, 0.9);
    for (let i = 3; i < step.length; i++) {
      assert.ok(light[i] > heavy[i], `epoch ${i}: lighter smoothing follows faster`);
      assert.ok(light[i] <= 1 && heavy[i] >= 0);
      if (i > 3) assert.ok(light[i] >= light[i - 1], "monotone towards the step");
    }
  });

  it("leaves gaps for missing or non-finite values without poisoning the rest", () => {
    const smoothed = ema([1, null, Number.NaN, Number.POSITIVE_INFINITY, 1], 0.6);
    close(smoothed[0], 1);
    assert.ok(Number.isNaN(smoothed[1]));
    assert.ok(Number.isNaN(smoothed[2]));
    assert.ok(Number.isNaN(smoothed[3]));
    close(smoothed[4], 1);
  });

  it("keeps the length and refuses a weight outside [0, MAX_SMOOTHING]", () => {
    assert.equal(ema([], 0.5).length, 0);
    assert.equal(ema([1, 2, 3], MAX_SMOOTHING).length, 3);
    assert.throws(() => ema([1], 1), RangeError);
    assert.throws(() => ema([1], -0.1), RangeError);
    assert.throws(() => ema([1], Number.NaN), RangeError);
  });
});
