// How an epoch's class head did class by class on the held-out split, read from the one thing its
// worker stores: the confusion matrix. The API, the CLI and the dashboard derive the per-class figures
// here, so they agree on them (a class without held-out images has no accuracy, not 0).

/**
 * Counts of the held-out images by true class (row) and predicted class (column), square, one row per
 * class of the dataset: matrix[t][p] images of class t were predicted as p.
 */
export type ConfusionMatrix = number[][];

/** The images the matrix counts: the held-out split's size. */
export function confusionTotal(matrix: ConfusionMatrix): number {
  return matrix.reduce((sum, row) => sum + rowTotal(row), 0);
}

/** Images predicted right (the diagonal), over all of them: the epoch's test accuracy. Null without images. */
export function confusionAccuracy(matrix: ConfusionMatrix): number | null {
  const total = confusionTotal(matrix);
  return total === 0 ? null : correctCount(matrix) / total;
}

/** Per true class, the share of its images predicted as it (diagonal over row sum); null for a class with no images. */
export function classAccuracies(matrix: ConfusionMatrix): Array<number | null> {
  return matrix.map((row, trueClass) => {
    const total = rowTotal(row);
    return total === 0 ? null : row[trueClass] / total;
  });
}

function correctCount(matrix: ConfusionMatrix): number {
  return matrix.reduce((sum, row, trueClass) => sum + row[trueClass], 0);
}

function rowTotal(row: readonly number[]): number {
  return row.reduce((sum, count) => sum + count, 0);
}
