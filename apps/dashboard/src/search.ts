// Shaping a study's trials (GET /api/sweeps/:id `trials`, valued by the API) into the optimization
// history and the parallel coordinates. Pure functions (no DOM), unit-tested in test/dashboard.
import { PARAMETER_SHORT_NAMES, type ParameterFormat, type SweepTrial } from "../../../libs/results/contract.ts";
import type { Objective } from "../../../libs/results/index.ts";
import { domainOf, scalePosition, type Domain } from "./stability.ts";

/** "testAccuracy (last)", "gLoss (lastK mean, k 5, penalty 1)": the objective as axes and tooltips name it. */
export function objectiveLabel(objective: Objective): string {
  const scope = objective.scope === "lastK" ? `lastK mean, k ${objective.k}` : objective.scope;
  return `${objective.metric} (${scope}${objective.penalty > 0 ? `, penalty ${objective.penalty}` : ""})`;
}

/** Accuracies read as percentages; losses as plain figures. */
export function isPercentMetric(objective: Objective): boolean {
  return objective.metric === "testAccuracy" || objective.metric === "dAcc";
}

export interface HistoryPoint {
  x: number;
  y: number;
  trial: SweepTrial;
}

/** The history's series: complete trials, pruned trials (at their last value) and the best-so-far steps. */
export function historySeries(trials: readonly SweepTrial[]): { complete: HistoryPoint[]; pruned: HistoryPoint[]; best: Array<{ x: number; y: number }> } {
  const valued = (state: SweepTrial["state"]) =>
    trials.flatMap((trial) => (trial.state === state && trial.value !== null ? [{ x: trial.number, y: trial.value, trial }] : []));
  return {
    complete: valued("complete"),
    pruned: valued("pruned"),
    best: trials.flatMap((trial) => (trial.bestSoFar === null ? [] : [{ x: trial.number, y: trial.bestSoFar }])),
  };
}

export type AxisKind = "linear" | "log" | "categorical";

export interface ParallelAxis {
  key: string;
  label: string;
  kind: AxisKind;
  /** Where a value sits along the axis, 0 (bottom) to 1 (top); NaN when it has none. */
  position(value: unknown): number;
  ticks: Array<{ at: number; label: string }>;
}

/** A sweep config's parameter spec, as far as the axes need it. */
type Spec = { choice?: unknown[]; loguniform?: [number, number]; log2int?: [number, number]; uniform?: [number, number]; int?: [number, number] };

/** Log-scaled ranges get log axes; choices (numbers too), strings and booleans get one tick per value. */
export function axisKind(spec: unknown, values: readonly unknown[]): AxisKind {
  if (typeof spec === "object" && spec !== null) {
    const s = spec as Spec;
    if (s.loguniform || s.log2int) return "log";
    if (s.choice) return "categorical";
    if (s.uniform || s.int) return "linear";
  }
  return values.every((value) => typeof value === "number") ? "linear" : "categorical";
}

/**
 * One axis per hyperparameter that varies (in the sweep's field order), then the objective. Numeric
 * axes span the configured range (the trials' values where the config gives none).
 */
export function parallelAxes(trials: readonly SweepTrial[], parameters: Record<string, unknown> | undefined, format: ParameterFormat, objective: Objective): ParallelAxis[] {
  const axes = format.varying.map((key): ParallelAxis => {
    const spec = parameters?.[key];
    const values = trials.map((trial) => (trial.hyperparameters as unknown as Record<string, unknown>)[key]);
    const kind = axisKind(spec, values);
    const label = shortLabel(key);
    if (kind === "categorical") {
      const listed = (spec as Spec | undefined)?.choice ?? [];
      const categories = [...new Set([...listed, ...values].map((value) => format.value(key, value)))];
      const at = (i: number) => (categories.length === 1 ? 0.5 : i / (categories.length - 1));
      return { key, label, kind, position: (value) => at(categories.indexOf(format.value(key, value))), ticks: categories.map((category, i) => ({ at: at(i), label: category })) };
    }
    const numbers = values.filter((value): value is number => typeof value === "number");
    const range = (spec as Spec | undefined)?.loguniform ?? (spec as Spec | undefined)?.log2int ?? (spec as Spec | undefined)?.uniform ?? (spec as Spec | undefined)?.int;
    return numericAxis(key, label, kind, range ? { min: range[0], max: range[1] } : domainOf(numbers), numbers, (value) => format.value(key, value));
  });
  const values = trials.flatMap((trial) => (trial.value === null ? [] : [trial.value]));
  const percent = isPercentMetric(objective);
  const objectiveAxis = numericAxis("objective", objectiveLabel(objective), "linear", domainOf(values), values, (value) => (percent ? `${(value * 100).toFixed(1)} %` : String(Number(value.toPrecision(3)))));
  return [...axes, objectiveAxis];
}

/** The colour position of a trial: 1 for the best objective value, 0 for the worst; NaN without a value. */
export function objectiveShade(trials: readonly SweepTrial[], objective: Objective): (trial: SweepTrial) => number {
  const domain = domainOf(trials.flatMap((trial) => (trial.value === null ? [] : [trial.value])));
  const better = objective.direction === "maximize" ? "higher" : "lower";
  return (trial) => (trial.value === null ? NaN : scalePosition(trial.value, domain, better));
}

function shortLabel(key: string): string {
  return PARAMETER_SHORT_NAMES[key] ?? key;
}

function numericAxis(key: string, label: string, kind: "linear" | "log", domain: Domain | null, values: readonly number[], text: (value: number) => string): ParallelAxis {
  const scale = kind === "log" ? (value: number) => Math.log(value) : (value: number) => value;
  const low = domain ? scale(domain.min) : NaN;
  const high = domain ? scale(domain.max) : NaN;
  const position = (value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value) || (kind === "log" && value <= 0) || !domain) return NaN;
    return high === low ? 0.5 : (scale(value) - low) / (high - low);
  };
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const tickValues = distinct.length <= 5 ? distinct : domain ? [domain.min, domain.max] : [];
  return { key, label, kind, position, ticks: tickValues.map((value) => ({ at: position(value), label: text(value) })) };
}
