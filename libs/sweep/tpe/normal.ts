// The standard normal's log CDF and interval masses, accurate in both tails, and the truncated normal
// built on them (what scipy.stats.truncnorm and Optuna's _truncnorm compute), for TPE's kernels.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** Below it erf's series is exact to ~1e-14 relative; above, erfc's continued fraction converges in a few dozen terms. */
const SERIES_LIMIT = 2;

/** erf(x) for |x| < SERIES_LIMIT: e^-x² Σ 2ⁿ x²ⁿ⁺¹ / (2n+1)!!, whose terms are all positive (no cancellation). */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/** log erfc(x) for x >= SERIES_LIMIT by the continued fraction erfc x = e^-x²/√π / (x + ½/(x + 1/(x + 3⁄2/(x + ...)))) (Lentz). */
function logErfcTail(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -x * x - LOG_SQRT_PI - Math.log(f);
}

/** log Φ(a), the standard normal's log CDF, finite far into the left tail (log Φ(-40) ≈ -804.6). */
export function logNdtr(a: number): number {
  if (a === -Infinity) return -Infinity;
  if (a === Infinity) return 0;
  const t = a / Math.SQRT2;
  if (t <= -SERIES_LIMIT) return Math.log(0.5) + logErfcTail(-t);
  if (t < SERIES_LIMIT) return Math.log(0.5 * (1 + erfSeries(t)));
  return Math.log1p(-0.5 * Math.exp(logErfcTail(t)));
}

function ndtr(a: number): number {
  return Math.exp(logNdtr(a));
}

export function logAddExp(x: number, y: number): number {
  const high = Math.max(x, y);
  if (high === -Infinity) return -Infinity;
  return high + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/** log of the standard normal's mass within [a, b], working in the left tail where the CDF is exact. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) {
    const logB = logNdtr(b);
    return logB + Math.log1p(-Math.exp(logNdtr(a) - logB));
  }
  if (a > 0) return logGaussMass(-b, -a);
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** The x with log Φ(x) = y. log Φ is concave and increasing, so Newton's steps converge from any start. */
function ndtriExp(y: number): number {
  let x = 0;
  for (let i = 0; i < 100; i++) {
    const logCdf = logNdtr(x);
    const slope = Math.exp(-0.5 * x * x - LOG_SQRT_2PI - logCdf);
    const step = (logCdf - y) / slope;
    x -= step;
    if (!Number.isFinite(x) || Math.abs(step) <= 1e-14 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** The q-quantile (0 <= q < 1) of the standard normal truncated to [a, b], in whichever tail keeps it exact. */
export function truncatedNormalQuantile(q: number, a: number, b: number): number {
  const x =
    a < 0
      ? ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logGaussMass(a, b)))
      : -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logGaussMass(a, b)));
  return Math.min(b, Math.max(a, x));
}

/** log density of the standard normal at z. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}
