import type { Rng } from "../random/index.ts";
import type { ParameterSpec, Scalar } from "./parameter-schema.ts";

/** Where a sampler draws one parameter's values from (Optuna's distributions). */
export interface Distribution {
  /** One value; takes exactly one number from rng, so that trial n's draws sit at a known place in a stream. */
  sample(rng: Rng): Scalar;
  /**
   * Values whose acceptance by a training field's schema shows every draw is accepted. Field limits are
   * intervals, so the ends suffice for integer ranges; continuous ranges add an inner non-integer so that
   * integer-only fields refuse them.
   */
  probes(): Scalar[];
}

/** A distribution with countably few distinct values, which a grid can enumerate. */
export interface FiniteDistribution extends Distribution {
  readonly size: number;
  /**
   * Whether the values lie in order along an axis, evenly spaced on it (int, log2int, points), so that
   * neighbours are alike (TPE puts its kernels on that axis); a choice is a set without order.
   */
  readonly ordered: boolean;
  /** The i-th value (0 <= i < size), in the order a grid enumerates them. */
  at(i: number): Scalar;
  /** The position of a value (the inverse of `at`), or -1 when the distribution cannot produce it. */
  indexOf(value: Scalar): number;
}

export function isFiniteDistribution(distribution: Distribution): distribution is FiniteDistribution {
  return "size" in distribution;
}

abstract class Enumerated implements FiniteDistribution {
  abstract readonly size: number;
  abstract readonly ordered: boolean;
  abstract at(i: number): Scalar;
  abstract indexOf(value: Scalar): number;
  abstract probes(): Scalar[];

  sample(rng: Rng): Scalar {
    return this.at(rng.int(this.size));
  }
}

/** Listed values, each once: `choice: [32, 32, 64]` is two configurations, so a sweep does not train one twice as two. */
export class Choice extends Enumerated {
  readonly ordered: boolean = false;
  private readonly distinct: readonly Scalar[];

  constructor(private readonly values: readonly Scalar[]) {
    super();
    this.distinct = [...new Set(values)];
  }

  get size(): number {
    return this.distinct.length;
  }

  at(i: number): Scalar {
    return this.distinct[i];
  }

  indexOf(value: Scalar): number {
    return this.distinct.indexOf(value);
  }

  /** As listed, so that a refused value is reported at its own index. */
  probes(): Scalar[] {
    return [...this.values];
  }
}

/** Ascending values evenly spaced in linear or log space (log2int, `points`), each once. */
export class EvenlySpaced extends Choice {
  override readonly ordered = true;
}

/** low, low + step, ... up to high; kept lazy because a wide range (labeled: 10..60000) is cheap to sample but not to list. */
export class IntRange extends Enumerated {
  readonly ordered = true;
  readonly size: number;

  constructor(
    private readonly low: number,
    high: number,
    private readonly step = 1,
  ) {
    super();
    this.size = Math.floor((high - low) / step) + 1;
  }

  at(i: number): number {
    return this.low + i * this.step;
  }

  indexOf(value: Scalar): number {
    const i = typeof value === "number" ? (value - this.low) / this.step : NaN;
    return Number.isInteger(i) && i >= 0 && i < this.size ? i : -1;
  }

  probes(): number[] {
    return [this.at(0), this.at(this.size - 1)];
  }
}

export class Continuous implements Distribution {
  constructor(
    readonly low: number,
    readonly high: number,
    /** Uniform in log space (loguniform). */
    readonly log: boolean,
  ) {}

  sample(rng: Rng): number {
    // exp(log x) can land an ulp outside the range.
    return Math.min(this.high, Math.max(this.low, along(this.low, this.high, this.log, rng.next())));
  }

  probes(): number[] {
    return [this.low, this.high, along(this.low, this.high, this.log, 1 / Math.E)];
  }
}

/** The point a fraction t of the way from low to high, measured in log space when `log`. */
function along(low: number, high: number, log: boolean, t: number): number {
  return log ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
}

/**
 * `points` values from low to high, both included, evenly spaced (in log space when `log`). Rounded to 12
 * significant digits so that a log grid yields 0.001, not 0.0010000000000000002, and matches the same value
 * written as a choice in another sweep (same configKey).
 */
export function spacedPoints(low: number, high: number, points: number, log: boolean): number[] {
  return Array.from({ length: points }, (_, i) =>
    i === 0 ? low : i === points - 1 ? high : Number(along(low, high, log, i / (points - 1)).toPrecision(12)),
  );
}

export function powersOfTwoWithin(low: number, high: number): number[] {
  const powers: number[] = [];
  for (let power = 1; power <= high; power *= 2) if (power >= low) powers.push(power);
  return powers;
}

export function toDistribution(spec: ParameterSpec): Distribution {
  if (typeof spec !== "object") return new Choice([spec]);
  if ("choice" in spec) return new Choice(spec.choice);
  if ("int" in spec) return new IntRange(spec.int[0], spec.int[1], spec.step);
  if ("log2int" in spec) return new EvenlySpaced(powersOfTwoWithin(spec.log2int[0], spec.log2int[1]));
  return "loguniform" in spec ? floatRange(spec.loguniform, spec.points, true) : floatRange(spec.uniform, spec.points, false);
}

function floatRange([low, high]: [number, number], points: number | undefined, log: boolean): Distribution {
  return points === undefined ? new Continuous(low, high, log) : new EvenlySpaced(spacedPoints(low, high, points, log));
}
