import { isFiniteDistribution, type FiniteDistribution } from "./distributions.ts";
import type { SweepableField } from "./fields.ts";
import type { Assignment, SearchSpace, Trial } from "./sampler.ts";

/**
 * A search space whose every parameter has finitely many values, seen as the grid of their
 * combinations: configuration i is i written in mixed radix, the last field varying fastest.
 */
export class FiniteSpace {
  /** Configurations in the space (a float above 2^53, where only its size matters). */
  readonly size: number;

  private constructor(private readonly fields: ReadonlyArray<[SweepableField, FiniteDistribution]>) {
    this.size = fields.reduce((product, [, distribution]) => product * distribution.size, 1);
  }

  /** The space as a FiniteSpace, or null when a continuous range makes it unbounded. */
  static of(space: SearchSpace): FiniteSpace | null {
    const fields: Array<[SweepableField, FiniteDistribution]> = [];
    for (const [field, distribution] of space) {
      if (!isFiniteDistribution(distribution)) return null;
      fields.push([field, distribution]);
    }
    return new FiniteSpace(fields);
  }

  at(index: number): Assignment {
    const positions = this.positionsAt(index);
    return Object.fromEntries(this.fields.map(([field, distribution], f) => [field, distribution.at(positions[f])]));
  }

  /** Identifies an assignment by its value positions; null when it holds a value the space cannot produce. */
  keyOf(assignment: Assignment): string | null {
    const positions: number[] = [];
    for (const [field, distribution] of this.fields) {
      const value = assignment[field];
      const position = value === undefined ? -1 : distribution.indexOf(value);
      if (position < 0) return null;
      positions.push(position);
    }
    return positions.join(",");
  }

  keyAt(index: number): string {
    return this.positionsAt(index).join(",");
  }

  /** Each field's value position in configuration `index`. */
  private positionsAt(index: number): number[] {
    const positions: number[] = [];
    let rest = index;
    for (let f = this.fields.length - 1; f >= 0; f--) {
      const { size } = this.fields[f][1];
      positions[f] = rest % size;
      rest = Math.floor(rest / size);
    }
    return positions;
  }

  /** The configurations trials already hold, whatever their state: a finite space is drawn without replacement. */
  taken(trials: readonly Trial[]): Set<string> {
    const keys = new Set<string>();
    for (const trial of trials) {
      const key = this.keyOf(trial.assignment);
      if (key !== null) keys.add(key);
    }
    return keys;
  }
}

/** Configurations in the space, Infinity when a continuous range makes it unbounded. */
export function spaceSize(space: SearchSpace): number {
  return FiniteSpace.of(space)?.size ?? Infinity;
}
