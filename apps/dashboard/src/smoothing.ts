// Smoothing of learning curves, as TensorBoard does it: an exponential moving average, debiased so
// that the first points are not pulled towards zero.

/** The most smoothing the slider offers; at 1 the curve would never move. */
export const MAX_SMOOTHING = 0.99;

/**
 * Debiased exponential moving average: s_t = m_t / (1 - w^n_t), with m_t = w m_(t-1) + (1 - w) x_t,
 * m_0 = 0 and n_t the number of finite values seen so far. weight 0 returns the values unchanged.
 * A missing or non-finite value (a diverged loss) stays NaN in the output and does not enter the
 * average, so one bad epoch does not poison the rest of the curve.
 */
export function ema(values: ReadonlyArray<number | null>, weight: number): number[] {
  if (!(weight >= 0 && weight <= MAX_SMOOTHING)) {
    throw new RangeError(`smoothing weight must be in [0, ${MAX_SMOOTHING}], got ${weight}`);
  }
  const out = new Array<number>(values.length);
  let accumulated = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || !Number.isFinite(value)) {
      out[i] = NaN;
      continue;
    }
    if (weight === 0) {
      out[i] = value;
      continue;
    }
    accumulated = accumulated * weight + (1 - weight) * value;
    count++;
    out[i] = accumulated / (1 - weight ** count);
  }
  return out;
}
