// fANOVA over one tree (Hutter, Hoos and Leyton-Brown 2014): a tree cuts the search space into boxes,
// one per leaf, so the mean of its prediction over any subspace is a sum over boxes. The marginal of
// one parameter is that mean with the parameter held at a value and every other one averaged over its
// whole range (uniformly, in the axis' scale); its variance over the parameter's range, as a fraction
// of the variance of the tree's prediction over the whole space, is what the parameter alone explains.
import type { RegressionTree } from "./regression-tree.ts";

/** A feature's range: the box every tree cuts. */
export type Bounds = ReadonlyArray<readonly [number, number]>;

interface Leaf {
  value: number;
  low: number[];
  high: number[];
}

export interface TreeVariances {
  /** The variance of the tree's prediction over the whole space. */
  total: number;
  /** Per feature: the variance of its marginal (0 where the tree never splits on it). */
  marginal: number[];
}

export function treeVariances(tree: RegressionTree, bounds: Bounds): TreeVariances {
  const leaves = leafBoxes(tree, bounds);
  const volumes = leaves.map((leaf) => share(leaf, bounds, -1));
  return {
    total: weightedVariance(leaves.map((leaf) => leaf.value), volumes),
    marginal: bounds.map((_, feature) => marginalVariance(tree, leaves, bounds, feature)),
  };
}

/** The leaves with the box each one covers. */
function leafBoxes(tree: RegressionTree, bounds: Bounds): Leaf[] {
  const leaves: Leaf[] = [];
  const pending = [{ node: 0, low: bounds.map(([low]) => low), high: bounds.map(([, high]) => high) }];
  while (pending.length > 0) {
    const { node, low, high } = pending.pop()!;
    const feature = tree.feature[node];
    if (feature < 0) {
      leaves.push({ value: tree.value[node], low, high });
      continue;
    }
    const threshold = tree.threshold[node];
    pending.push({ node: tree.left[node], low, high: high.map((end, f) => (f === feature ? threshold : end)) });
    pending.push({ node: tree.right[node], low: low.map((end, f) => (f === feature ? threshold : end)), high });
  }
  return leaves;
}

/** The fraction of the space's volume the leaf's box takes, along every feature but `skip`. */
function share(leaf: Leaf, bounds: Bounds, skip: number): number {
  let fraction = 1;
  for (const [f, [low, high]] of bounds.entries()) if (f !== skip) fraction *= (leaf.high[f] - leaf.low[f]) / (high - low);
  return fraction;
}

/**
 * The tree's thresholds on the feature cut its range into intervals on which the marginal is
 * constant: each leaf adds its value, weighted by its share of the other features' volume, to the
 * intervals its box spans (a difference array, so a tree of L leaves and T cuts costs L + T).
 */
function marginalVariance(tree: RegressionTree, leaves: readonly Leaf[], bounds: Bounds, feature: number): number {
  const [low, high] = bounds[feature];
  const thresholds = [...new Set(tree.threshold.filter((_, node) => tree.feature[node] === feature))].sort((a, b) => a - b);
  if (thresholds.length === 0) return 0;
  const cuts = [low, ...thresholds, high];
  const position = new Map(cuts.map((cut, i) => [cut, i]));
  const added = new Float64Array(cuts.length);
  for (const leaf of leaves) {
    const contribution = leaf.value * share(leaf, bounds, feature);
    added[position.get(leaf.low[feature])!] += contribution;
    added[position.get(leaf.high[feature])!] -= contribution;
  }
  const marginals: number[] = [];
  const widths: number[] = [];
  let running = 0;
  for (let i = 0; i < cuts.length - 1; i++) {
    running += added[i];
    marginals.push(running);
    widths.push((cuts[i + 1] - cuts[i]) / (high - low));
  }
  return weightedVariance(marginals, widths);
}

function weightedVariance(values: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  let weight = 0;
  for (const [i, value] of values.entries()) {
    sum += weights[i] * value;
    weight += weights[i];
  }
  const mean = sum / weight;
  let squares = 0;
  for (const [i, value] of values.entries()) squares += weights[i] * (value - mean) ** 2;
  return Math.max(0, squares / weight);
}
