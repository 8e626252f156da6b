// What the panels of the sweep page share: the sweep as last fetched, its epoch rows and live
// progress, and the runs picked for drawing. The page (index.ts) owns it; panels read it.
import { h } from "../../dom.ts";
import { figure, paramValue, percent, points } from "../../format.ts";
import type { StabilityFigure } from "../../stability.ts";
import { parameterFormat, type EpochRow, type ParameterFormat, type RunProgressSnapshot, type RunRow, type SweepDetail } from "../../../../../libs/results/contract.ts";
import { section } from "../view.ts";

/** The charts redraw at most this often while epochs stream in. */
export const CHART_REDRAW_MS = 750;

export interface SweepState {
  readonly sweepId: string;
  /** Aborted when the page is left: every request of the page stops with it. */
  readonly signal: AbortSignal;
  detail: SweepDetail | null;
  /** The hyperparameters that vary between runs: the table's columns, the labels' details. */
  keys: string[];
  /** How the sweep's hyperparameters print: labels by what varies, values with the digits that keep configurations apart. */
  format: ParameterFormat;
  readonly epochs: Map<string, EpochRow[]>;
  readonly progress: Map<string, RunProgressSnapshot>;
  selected: Set<string>;
  /** EMA smoothing of the learning curves and of the across-repeats chart. */
  smoothing: number;
}

/** A part of the sweep page: its element goes into the layout; destroy() frees its charts and timers. */
export interface Panel {
  readonly element: HTMLElement;
  destroy(): void;
}

/** A panel of one chart: what it shows, the one control that changes it, then the chart and the rest. */
export function chartSection(title: string, className: string, about: string, control: { label: string; element: HTMLElement }, ...rest: HTMLElement[]): HTMLElement {
  return section(title, className, h("p", { class: "note" }, about), h("div", { class: "controls" }, h("label", null, control.label, control.element)), ...rest);
}

export function totalEpochs(state: SweepState): number {
  const fixed = state.detail?.config.fixed?.epochs;
  return typeof fixed === "number" ? fixed : state.detail?.runs[0]?.params.epochs ?? 0;
}

/** The sweep's hyperparameters as they print, from its runs (a study's runs grow as it asks for trials). */
export function formatOf(detail: SweepDetail): ParameterFormat {
  return parameterFormat(detail.runs.map((run) => run.hyperparameters));
}

export function hasEpochs(state: SweepState, runId: string): boolean {
  return (state.epochs.get(runId)?.length ?? 0) > 0;
}

/** The selected runs that have epochs to draw, in the sweep's order. */
export function drawnRuns(state: SweepState): RunRow[] {
  return (state.detail?.runs ?? []).filter((run) => state.selected.has(run.id) && hasEpochs(state, run.id));
}

export function hyperparameter(params: object, key: string): unknown {
  return (params as Record<string, unknown>)[key];
}

/** ["lr 2.0e-4", "batchSize 64"]: the given hyperparameters as the page prints them. */
export function paramTerms(params: object, keys: readonly string[]): string[] {
  return keys.map((key) => `${key} ${paramValue(key, hyperparameter(params, key))}`);
}

export function formatFigure(fig: StabilityFigure, value: number | null): string {
  if (fig.unit === "percent") return percent(value, 1);
  if (fig.unit === "points") return points(value, 2);
  return figure(value, 3);
}
