import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resizeBilinear } from "../../libs/data/index.ts";

const assertClose = (actual: Float32Array, expected: number[], tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= tolerance, `[${i}] ${value} vs ${expected[i]}`));
};

describe("resizeBilinear", () => {
  it("matches torch F.interpolate(bilinear, align_corners=False) on 2x2 -> 4x4", () => {
    // Per axis, outputs sample at (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1),
    // so each row is [a, 0.75a + 0.25b, 0.25a + 0.75b, b], and the same down the columns.
    const out = resizeBilinear(Float32Array.of(1, 2, 3, 4), 1, 2, 4);
    assertClose(out, [
      1.0, 1.25, 1.75, 2.0,
      1.5, 1.75, 2.25, 2.5,
      2.5, 2.75, 3.25, 3.5,
      3.0, 3.25, 3.75, 4.0,
    ]);
  });

  it("resizes each image of a batch on its own", () => {
    const out = resizeBilinear(Float32Array.of(1, 2, 3, 4, -1, -1, -1, -1), 2, 2, 4);
    assertClose(out.subarray(16), new Array(16).fill(-1));
    assert.equal(out[15], 4);
  });

  it("turns 28x28 into 32x32, keeping flat images flat and corners at the corner pixels", () => {
    const count = 3;
    const pixels = new Float32Array(count * 28 * 28);
    pixels.fill(0.25, 0, 784);
    for (let i = 0; i < 784; i++) pixels[784 + i] = (i % 28) / 27; // a horizontal ramp 0..1
    pixels[2 * 784] = -1;
    const out = resizeBilinear(pixels, count, 28, 32);
    assert.equal(out.length, count * 32 * 32);
    assertClose(out.subarray(0, 1024), new Array(1024).fill(0.25));
    const ramp = out.subarray(1024, 2048);
    assert.equal(ramp[0], 0);
    assert.equal(ramp[31], 1);
    // Column 1 samples source x = 1.5 * 28/32 - 0.5 = 0.8125.
    assert.ok(Math.abs(ramp[1] - 0.8125 / 27) < 1e-6);
    assert.equal(out[2048], -1);
  });

  it("copies when the size does not change", () => {
    const pixels = Float32Array.of(1, 2, 3, 4);
    const out = resizeBilinear(pixels, 1, 2, 2);
    assert.deepEqual(out, pixels);
    assert.notEqual(out, pixels);
  });

  it("rejects a pixel count that does not match", () => {
    assert.throws(() => resizeBilinear(new Float32Array(10), 1, 3, 4), RangeError);
  });
});
