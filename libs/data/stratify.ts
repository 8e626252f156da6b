export const CLASSES = 10;

/** Indices of each class, in the order given. */
export function indicesByClass(labels: Int32Array, order: Int32Array): Int32Array[] {
  const counts = new Int32Array(CLASSES);
  for (const index of order) counts[labels[index]]++;
  const groups = Array.from(counts, (size) => new Int32Array(size));
  const filled = new Int32Array(CLASSES);
  for (const index of order) {
    const label = labels[index];
    groups[label][filled[label]++] = index;
  }
  return groups;
}

/**
 * Splits `total` over groups in proportion to their sizes (largest remainder, ties to the lower
 * class), so the parts add up to exactly `total` and each is within 1 of its proportional share.
 */
export function apportion(sizes: ArrayLike<number>, total: number): number[] {
  const sum = Array.from(sizes).reduce((a, b) => a + b, 0);
  if (sum === 0) return Array.from(sizes, () => 0);
  const shares = Array.from(sizes, (size) => (total * size) / sum);
  const parts = shares.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((share, i) => ({ i, rest: share - parts[i] })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    parts[i]++;
    left--;
  }
  return parts;
}

/**
 * The first `size` indices of `order` by class quota: a subset with the class mix of the whole,
 * taken in the (already shuffled) order so it is random but repeatable.
 */
export function stratifiedTake(labels: Int32Array, order: Int32Array, size: number): Int32Array {
  const groups = indicesByClass(labels, order);
  const quotas = apportion(groups.map((group) => group.length), size);
  const taken = new Set<number>();
  groups.forEach((group, label) => group.subarray(0, quotas[label]).forEach((index) => taken.add(index)));
  return order.filter((index) => taken.has(index));
}
