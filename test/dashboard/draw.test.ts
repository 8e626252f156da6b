// Drawing hundreds of curves: decimation per pixel column, hover hit-testing, axis bounds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boundsOf, decimateColumns, nearestPoint, type Projected } from "../../apps/dashboard/src/draw.ts";

const projected = (px: number[], py: number[]): Projected => ({ px: Float64Array.from(px), py: Float64Array.from(py) });

describe("decimateColumns", () => {
  it("returns a short series unchanged", () => {
    const series = projected([0, 1, 2], [5, 6, 7]);
    assert.equal(decimateColumns(series, 100), series);
  });

  it("keeps first, lowest, highest and last per pixel column, in order", () => {
    // 1000 points over 10 columns: 100 per column, a sawtooth within each.
    const px = Array.from({ length: 1000 }, (_, i) => i / 100);
    const py = Array.from({ length: 1000 }, (_, i) => (i % 100 === 37 ? -50 : i % 100 === 63 ? 80 : i % 7));
    const out = decimateColumns(projected(px, py), 10);
    assert.ok(out.px.length <= 40, `at most 4 per column, got ${out.px.length}`);
    for (let column = 0; column < 10; column++) {
      const ys = [...out.py].filter((_, i) => Math.floor(out.px[i]) === column);
      assert.ok(ys.includes(-50) && ys.includes(80), `column ${column} keeps its extremes`);
    }
    for (let i = 1; i < out.px.length; i++) assert.ok(out.px[i] >= out.px[i - 1], "x stays in order");
    assert.equal(out.px[0], 0);
    assert.equal(out.px[out.px.length - 1], 9.99);
  });

  it("keeps gaps (NaN) as gaps", () => {
    const px = Array.from({ length: 100 }, (_, i) => i / 10);
    const py = px.map((_, i) => (i === 50 ? Number.NaN : 1));
    const out = decimateColumns(projected(px, py), 10);
    assert.equal([...out.py].filter(Number.isNaN).length, 1);
  });
});

describe("nearestPoint", () => {
  const series = [projected([0, 10, 20], [0, 0, 0]), projected([0, 10, 20], [10, Number.NaN, 12])];

  it("finds the closest point across series within the distance", () => {
    assert.deepEqual(nearestPoint(series, 9, 1, 5), { series: 0, index: 1, distance: Math.hypot(1, 1) });
    assert.equal(nearestPoint(series, 19, 11, 5)?.series, 1);
  });

  it("ignores gaps and answers null when nothing is near", () => {
    assert.equal(nearestPoint(series, 10, 10, 3), null);
    assert.equal(nearestPoint([], 0, 0, 100), null);
  });
});

describe("boundsOf", () => {
  it("spans the finite points of every list", () => {
    assert.deepEqual(boundsOf([[{ x: 1, y: 0.5 }, { x: 3, y: Number.NaN }], [{ x: 2, y: -1 }, { x: 5, y: 2 }]]), { xMin: 1, xMax: 5, yMin: -1, yMax: 2 });
    assert.equal(boundsOf([[{ x: 1, y: Number.NaN }]]), null);
    assert.equal(boundsOf([]), null);
  });
});
