// Drawing many series fast: projecting to pixels, min/max-per-pixel decimation, and the nearest
// point to the pointer. Pure functions over arrays (no DOM), unit-tested.

export interface Projected {
  /** Pixel x of each point. */
  px: Float64Array;
  /** Pixel y of each point; NaN for a gap. */
  py: Float64Array;
}

/**
 * Keeps, per pixel column, the first, lowest, highest and last point (in their order): the drawn
 * line looks the same as with every point, at most four points per column. A NaN y is kept as a gap.
 * Series with no more points than columns are returned as they are.
 */
export function decimateColumns(points: Projected, columns: number): Projected {
  const n = points.px.length;
  if (n <= Math.max(2, columns) * 2) return points;
  const outX: number[] = [];
  const outY: number[] = [];
  let column = NaN;
  let bucket: number[] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    let low = bucket[0];
    let high = bucket[0];
    for (const i of bucket) {
      if (points.py[i] < points.py[low]) low = i;
      if (points.py[i] > points.py[high]) high = i;
    }
    const keep = [...new Set([bucket[0], low, high, bucket[bucket.length - 1]])].sort((a, b) => a - b);
    for (const i of keep) {
      outX.push(points.px[i]);
      outY.push(points.py[i]);
    }
    bucket = [];
  };
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(points.py[i])) {
      flush();
      outX.push(points.px[i]);
      outY.push(NaN);
      column = NaN;
      continue;
    }
    const c = Math.floor(points.px[i]);
    if (c !== column) {
      flush();
      column = c;
    }
    bucket.push(i);
  }
  flush();
  return { px: Float64Array.from(outX), py: Float64Array.from(outY) };
}

export interface Nearest {
  series: number;
  index: number;
  /** Distance in pixels. */
  distance: number;
}

/** The point nearest to (x, y) across all series, within maxDistance pixels; null when none is. */
export function nearestPoint(series: readonly Projected[], x: number, y: number, maxDistance: number): Nearest | null {
  let best: Nearest | null = null;
  let bestSquared = maxDistance * maxDistance;
  for (let s = 0; s < series.length; s++) {
    const { px, py } = series[s];
    for (let i = 0; i < px.length; i++) {
      const dy = py[i] - y;
      if (Number.isNaN(dy)) continue;
      const squared = (px[i] - x) ** 2 + dy ** 2;
      if (squared <= bestSquared) {
        bestSquared = squared;
        best = { series: s, index: i, distance: Math.sqrt(squared) };
      }
    }
  }
  return best;
}

/** The finite extremes of several point lists, for the axes; null when there is no finite point. */
export function boundsOf(lists: ReadonlyArray<ReadonlyArray<{ x: number; y: number }>>): { xMin: number; xMax: number; yMin: number; yMax: number } | null {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const list of lists) {
    for (const { x, y } of list) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  return xMin <= xMax ? { xMin, xMax, yMin, yMax } : null;
}

/** The polyline (by index) passing nearest to (x, y), within maxDistance pixels of one of its segments; -1 when none does. NaN breaks a line. */
export function nearestPolyline(lines: readonly Projected[], x: number, y: number, maxDistance: number): number {
  let best = -1;
  let bestDistance = maxDistance;
  lines.forEach(({ px, py }, line) => {
    for (let i = 0; i + 1 < px.length; i++) {
      if (Number.isNaN(py[i]) || Number.isNaN(py[i + 1])) continue;
      const distance = segmentDistance(x, y, px[i], py[i], px[i + 1], py[i + 1]);
      if (distance <= bestDistance) {
        bestDistance = distance;
        best = line;
      }
    }
  });
  return best;
}

function segmentDistance(x: number, y: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.min(1, Math.max(0, ((x - x1) * dx + (y - y1) * dy) / length));
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}
