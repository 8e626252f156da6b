/**
 * The best combination, one entry from each list, that `accept` takes: lists hold scores in descending
 * order and a combination scores their sum, so combinations are visited best first (a heap over the
 * frontier, ties to the earlier-found) and the search stops at the first accepted. Returns the index
 * chosen in each list, or null when every combination is refused.
 */
export function bestAcceptedCombination(lists: readonly (readonly number[])[], accept: (indices: readonly number[]) => boolean): number[] | null {
  if (lists.some((list) => list.length === 0)) return null;
  const frontier = new Heap();
  const seen = new Set<string>();
  const push = (indices: number[]) => {
    const id = indices.join(",");
    if (seen.has(id)) return;
    seen.add(id);
    frontier.push(indices.reduce((sum, i, list) => sum + lists[list][i], 0), indices);
  };
  push(lists.map(() => 0));
  for (let next = frontier.pop(); next !== null; next = frontier.pop()) {
    if (accept(next)) return next;
    next.forEach((i, list) => {
      if (i + 1 < lists[list].length) push(next.map((j, l) => (l === list ? j + 1 : j)));
    });
  }
  return null;
}

interface Entry {
  score: number;
  order: number;
  indices: number[];
}

/** A max-heap on score, the earlier-pushed first among equals, so that the search is deterministic. */
class Heap {
  private readonly entries: Entry[] = [];
  private pushed = 0;

  push(score: number, indices: number[]): void {
    this.entries.push({ score, order: this.pushed++, indices });
    for (let i = this.entries.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): number[] | null {
    const top = this.entries[0];
    if (top === undefined) return null;
    const last = this.entries.pop()!;
    if (this.entries.length > 0) {
      this.entries[0] = last;
      for (let i = 0; ; ) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let first = i;
        if (left < this.entries.length && this.before(left, first)) first = left;
        if (right < this.entries.length && this.before(right, first)) first = right;
        if (first === i) break;
        this.swap(i, first);
        i = first;
      }
    }
    return top.indices;
  }

  private before(a: number, b: number): boolean {
    const [x, y] = [this.entries[a], this.entries[b]];
    return x.score > y.score || (x.score === y.score && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    [this.entries[a], this.entries[b]] = [this.entries[b], this.entries[a]];
  }
}
