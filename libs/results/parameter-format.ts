// How a sweep's hyperparameters are printed, by the dashboard and by the CLI alike: which of them
// vary (and so name a run), and their values with just enough digits to tell the sweep's
// configurations apart. Browser-safe and free of zod: the dashboard's bundle imports it.

/** The names run labels use, shortest that still reads. */
export const PARAMETER_SHORT_NAMES: Readonly<Record<string, string>> = {
  lr: "lr",
  batchSize: "bs",
  b1: "b1",
  b2: "b2",
  latentDim: "latent",
  variant: "variant",
  spectralNorm: "sn",
  labeled: "labeled",
  architecture: "arch",
  classHead: "head",
  generatorLoss: "gloss",
  lrSchedule: "sched",
  lrDecay: "decay",
  lrStepEpochs: "every",
  lrMinFactor: "lrmin",
  warmupEpochs: "warmup",
  lrD: "lrD",
  lrG: "lrG",
  b1D: "b1D",
  b1G: "b1G",
  dStepsPerG: "dsteps",
  labelSmoothing: "smooth",
  instanceNoise: "noise",
  evalEma: "ema",
};

/** Learning rates are read in exponent form: 2.0e-4, 1.0309e-4. */
const EXPONENT_FORM = new Set(["lr", "lrD", "lrG"]);
/** The fewest significant digits: a learning rate keeps its mantissa's first decimal (2.0e-4), other fractions read as today's (0.999). */
const MIN_EXPONENT_DIGITS = 2;
const MIN_PLAIN_DIGITS = 4;
/** Enough for any two distinct doubles to print differently. */
const MAX_DIGITS = 17;

export interface ParameterFormat {
  /** The hyperparameters whose values differ between the configurations given, in their field order. */
  readonly varying: readonly string[];
  /** One value as text, with the digits that keep the configurations' values of that key distinct. */
  value(key: string, value: unknown): string;
  /** "lr 1.031e-4 bs 64 variant reference": the varying hyperparameters, by short name; "" when none varies. */
  label(hyperparameters: object): string;
}

/** The hyperparameters that differ between the configurations, in the first one's key order. */
export function varyingParameters(configurations: readonly object[]): string[] {
  if (configurations.length === 0) return [];
  const [first, ...rest] = configurations.map((configuration) => configuration as Record<string, unknown>);
  return Object.keys(first).filter((key) => rest.some((other) => !sameValue(other[key], first[key])));
}

/**
 * The fewest significant digits, from `min` up, with which `render` prints the distinct values as
 * distinct strings: 1.0309e-4 and 1.0329e-4 need 4 (1.031e-4, 1.033e-4), where 2 would print both as 1.0e-4.
 */
export function distinguishingDigits(values: readonly number[], render: (value: number, digits: number) => string, min: number): number {
  const distinct = [...new Set(values.filter(Number.isFinite))];
  for (let digits = min; digits < MAX_DIGITS; digits++) {
    if (new Set(distinct.map((value) => render(value, digits))).size === distinct.length) return digits;
  }
  return MAX_DIGITS;
}

/** How the hyperparameters of these configurations (a sweep's runs, say) are printed. */
export function parameterFormat(configurations: readonly object[]): ParameterFormat {
  const varying = varyingParameters(configurations);
  const digitsByKey = new Map<string, number>();
  const digitsOf = (key: string): number => {
    const known = digitsByKey.get(key);
    if (known !== undefined) return known;
    const values = configurations.map((configuration) => (configuration as Record<string, unknown>)[key]).filter((value): value is number => typeof value === "number");
    const { render, min } = numberStyle(key);
    const digits = distinguishingDigits(values, render, min);
    digitsByKey.set(key, digits);
    return digits;
  };
  const value = (key: string, raw: unknown): string => {
    if (raw === undefined || raw === null) return "–";
    if (typeof raw !== "number") return String(raw);
    if (Number.isInteger(raw) && !EXPONENT_FORM.has(key)) return String(raw);
    if (!Number.isFinite(raw)) return String(raw);
    return numberStyle(key).render(raw, digitsOf(key));
  };
  return {
    varying,
    value,
    label: (hyperparameters) =>
      varying.map((key) => `${PARAMETER_SHORT_NAMES[key] ?? key} ${value(key, (hyperparameters as Record<string, unknown>)[key])}`).join(" "),
  };
}

function numberStyle(key: string): { render: (value: number, digits: number) => string; min: number } {
  if (EXPONENT_FORM.has(key)) return { render: (value, digits) => value.toExponential(digits - 1), min: MIN_EXPONENT_DIGITS };
  return { render: plainNumber, min: MIN_PLAIN_DIGITS };
}

/** Significant digits without trailing zeros (0.5, 0.999), in exponent form when very small or large. */
function plainNumber(value: number, digits: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(digits)));
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
