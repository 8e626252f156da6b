/** Mean, population standard deviation and range of one metric over an epoch's batches. */
export interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const count = values.length;
  if (count === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < count; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / count), min, max };
}
