// One regression tree of the forest, grown as scikit-learn's DecisionTreeRegressor grows the trees of
// a RandomForestRegressor: squared error, every feature considered at every node (in a random order,
// the first of equally good splits kept), thresholds halfway between neighbouring values, grown until
// a node is pure, holds one distinct point, or reaches the depth limit.
import { permutation, type Rng } from "../random/index.ts";

/** Nodes in arrays, root first; a leaf has feature -1. Left holds x[feature] <= threshold. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** The weighted mean of the node's training values. */
  value: number[];
}

export interface TreeData {
  /** One row per sample, one number per feature. */
  x: readonly (readonly number[])[];
  y: readonly number[];
  /** How often the bootstrap drew each sample (0: left out of this tree). */
  weight: readonly number[];
}

export interface TreeLimits {
  maxDepth: number;
  minSamplesSplit: number;
}

interface Split {
  feature: number;
  threshold: number;
  left: number[];
  right: number[];
}

export function growTree(data: TreeData, limits: TreeLimits, rng: Rng): RegressionTree {
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const root = data.y.flatMap((_, i) => (data.weight[i] > 0 ? [i] : []));
  const pending: Array<{ node: number; samples: number[]; depth: number }> = [{ node: addNode(tree, weightedMean(data, root)), samples: root, depth: 0 }];
  while (pending.length > 0) {
    const { node, samples, depth } = pending.pop()!;
    const split = depth < limits.maxDepth && samples.length >= limits.minSamplesSplit && !isPure(data, samples) ? bestSplit(data, samples, rng) : null;
    if (split === null) continue;
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.threshold;
    tree.left[node] = addNode(tree, weightedMean(data, split.left));
    tree.right[node] = addNode(tree, weightedMean(data, split.right));
    pending.push({ node: tree.right[node], samples: split.right, depth: depth + 1 }, { node: tree.left[node], samples: split.left, depth: depth + 1 });
  }
  return tree;
}

function addNode(tree: RegressionTree, value: number): number {
  tree.feature.push(-1);
  tree.threshold.push(NaN);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(value);
  return tree.value.length - 1;
}

function weightedMean(data: TreeData, samples: readonly number[]): number {
  let sum = 0;
  let weight = 0;
  for (const i of samples) {
    sum += data.weight[i] * data.y[i];
    weight += data.weight[i];
  }
  return sum / weight;
}

/** Every value alike: nothing left to explain (scikit-learn stops at zero impurity). */
function isPure(data: TreeData, samples: readonly number[]): boolean {
  return samples.every((i) => data.y[i] === data.y[samples[0]]);
}

/**
 * The split that leaves the least squared error, found by the proxy scikit-learn maximises:
 * sum_left^2 / weight_left + sum_right^2 / weight_right. Null when every feature is constant here.
 */
function bestSplit(data: TreeData, samples: readonly number[], rng: Rng): Split | null {
  const features = data.x[0].length;
  let best: { proxy: number; feature: number; threshold: number } | null = null;
  for (const feature of permutation(features, rng)) {
    const sorted = [...samples].sort((a, b) => data.x[a][feature] - data.x[b][feature]);
    let total = 0;
    let totalWeight = 0;
    for (const i of sorted) {
      total += data.weight[i] * data.y[i];
      totalWeight += data.weight[i];
    }
    let leftSum = 0;
    let leftWeight = 0;
    for (let k = 0; k < sorted.length - 1; k++) {
      const i = sorted[k];
      leftSum += data.weight[i] * data.y[i];
      leftWeight += data.weight[i];
      const here = data.x[i][feature];
      const next = data.x[sorted[k + 1]][feature];
      if (next <= here) continue;
      const rightSum = total - leftSum;
      const proxy = (leftSum * leftSum) / leftWeight + (rightSum * rightSum) / (totalWeight - leftWeight);
      if (best === null || proxy > best.proxy) best = { proxy, feature, threshold: midpoint(here, next) };
    }
  }
  if (best === null) return null;
  const { feature, threshold } = best;
  return { feature, threshold, left: samples.filter((i) => data.x[i][feature] <= threshold), right: samples.filter((i) => data.x[i][feature] > threshold) };
}

/** Halfway, or the lower value where rounding lands the midpoint on the upper one (as scikit-learn does). */
function midpoint(low: number, high: number): number {
  const middle = low / 2 + high / 2;
  return middle >= high ? low : middle;
}
