import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DASHES, hexToRgb, NO_VALUE_COLOR, PALETTE, sequentialColor, seriesStyle, VIRIDIS, withAlpha } from "../../apps/dashboard/src/colors.ts";

/** Euclidean distance in RGB: a rough but monotone proxy for how different two colours look. */
function distance(a: string, b: string): number {
  const [r1, g1, b1] = hexToRgb(a);
  const [r2, g2, b2] = hexToRgb(b);
  return Math.hypot(r1 - r2, g1 - g2, b1 - b2);
}

describe("run colours", () => {
  it("has 24 distinct, well separated colours", () => {
    assert.equal(PALETTE.length, 24);
    assert.equal(new Set(PALETTE).size, 24);
    for (let i = 0; i < PALETTE.length; i++) {
      for (let j = i + 1; j < PALETTE.length; j++) {
        assert.ok(distance(PALETTE[i], PALETTE[j]) >= 40, `${PALETTE[i]} and ${PALETTE[j]} are too alike`);
      }
    }
  });

  it("gives every one of the first 96 series its own colour and dash", () => {
    const styles = Array.from({ length: 96 }, (_, i) => seriesStyle(i));
    const keys = new Set(styles.map((style) => `${style.color}/${style.dash.join(",")}`));
    assert.equal(keys.size, 96);
    assert.deepEqual(seriesStyle(0), { color: PALETTE[0], dash: DASHES[0] });
    assert.deepEqual(seriesStyle(25), { color: PALETTE[1], dash: DASHES[1] });
    assert.throws(() => seriesStyle(-1), RangeError);
    assert.throws(() => seriesStyle(1.5), RangeError);
  });

  it("adds transparency to a colour", () => {
    assert.equal(withAlpha("#0067a5", 0.25), "rgba(0, 103, 165, 0.25)");
    assert.equal(withAlpha("#0067a5", 2), "rgba(0, 103, 165, 1)");
    assert.throws(() => withAlpha("blue", 0.5), RangeError);
  });
});

describe("sequential scale (stability map)", () => {
  const rgb = (hex: string) => `rgb(${hexToRgb(hex).join(", ")})`;

  it("runs from the first viridis stop to the last, clamped", () => {
    assert.equal(sequentialColor(0), rgb(VIRIDIS[0]));
    assert.equal(sequentialColor(1), rgb(VIRIDIS[VIRIDIS.length - 1]));
    assert.equal(sequentialColor(-3), rgb(VIRIDIS[0]));
    assert.equal(sequentialColor(7), rgb(VIRIDIS[VIRIDIS.length - 1]));
    assert.equal(sequentialColor(0.5), rgb(VIRIDIS[4]));
  });

  it("gets lighter along the scale and is grey for a missing value", () => {
    const luminance = (color: string) => {
      const [r, g, b] = color.match(/\d+/g)!.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let previous = -1;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const value = luminance(sequentialColor(t));
      assert.ok(value >= previous, `luminance drops at t=${t}`);
      previous = value;
    }
    assert.equal(sequentialColor(Number.NaN), NO_VALUE_COLOR);
  });
});
