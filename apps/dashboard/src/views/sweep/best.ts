// Best runs and best configurations as the API ranks them (GET /api/sweeps/:id/best, the CLI's
// ranking), with the ranking's options and what it left out.
import { getBest } from "../../api.ts";
import { badge, h, link, notice, setChildren, setText } from "../../dom.ts";
import { figure, percent, points, shortId } from "../../format.ts";
import { routes } from "../../router.ts";
import { AsyncThrottle } from "../../scheduler.ts";
import { CURVE_METRICS } from "../../stability.ts";
import { ApiError, type BestOptions, type BestResponse } from "../../../../../libs/results/contract.ts";
import { isAbort, section, select } from "../view.ts";
import type { Panel, SweepState } from "./state.ts";

const OPTIONS_SETTLE_MS = 300;

export interface BestActions {
  /** Lists the runs of this configuration in the run table. */
  showConfiguration(configKey: string): void;
  /** Replaces the selection with these runs. */
  select(runIds: Iterable<string>): void;
}

export interface BestPanel extends Panel {
  /** The options the form overrides the sweep's objective with: none until one is changed. */
  readonly options: () => Partial<BestOptions>;
  /** Asks the API for the ranking and shows it, or why it failed. */
  load(): Promise<void>;
  show(best: BestResponse): void;
}

export function bestPanel(state: SweepState, actions: BestActions): BestPanel {
  // The API ranks by the sweep's objective; a control changed here overrides its part of it.
  let overrides: Partial<BestOptions> = {};
  const area = h("div", { class: "best-area" });
  const ranked = h("p", { class: "note", id: "best-objective" });
  const refresh = new AsyncThrottle(load, OPTIONS_SETTLE_MS);
  const metric = select("metric", CURVE_METRICS.map((m) => ({ value: m.key, label: m.label })), "testAccuracy", "rank by metric");
  const scope = select("scope", [{ value: "last", label: "last epoch" }, { value: "lastK", label: "mean of last k" }, { value: "max", label: "best epoch" }], "last", "scope");
  const k = h("input", { type: "number", name: "k", value: "5", attrs: { min: "1", max: "1000", step: "1" }, aria: { label: "k, epochs in the window" } });
  const penalty = h("input", { type: "number", name: "penalty", value: "0", attrs: { min: "0", max: "1000", step: "0.5" }, aria: { label: "penalty per std" } });

  function form(): HTMLElement {
    const override = (change: () => Partial<BestOptions>) => () => {
      overrides = { ...overrides, ...change() };
      refresh.request();
    };
    metric.addEventListener("change", override(() => ({ metric: metric.value as BestOptions["metric"] })));
    scope.addEventListener("change", override(() => ({ scope: scope.value as BestOptions["scope"] })));
    k.addEventListener("change", override(() => ({ k: Number(k.value) })));
    penalty.addEventListener("change", override(() => ({ penalty: Number(penalty.value) })));
    return h("div", { class: "controls best-controls" },
      h("label", null, "Metric ", metric),
      h("label", null, "Scope ", scope),
      h("label", { title: "window of the last k epochs: for lastK and for the std" }, "k ", k),
      h("label", { title: "score = value − penalty × std for accuracies (+ for losses): instability costs" }, "Penalty × std ", penalty),
    );
  }

  async function load(): Promise<void> {
    try {
      show(await getBest(state.sweepId, overrides, state.signal));
    } catch (error) {
      if (isAbort(error)) return;
      const issues = error instanceof ApiError ? error.issues.map((issue) => `${issue.path}: ${issue.message}`) : [];
      setChildren(area, notice("error", (error as Error).message, ...issues.map((text) => h("div", { class: "field-error" }, text))));
    }
  }

  /** The form shows the options the API ranked by: the sweep's objective where nothing overrides it. */
  function showOptions(options: BestOptions): void {
    metric.value = options.metric;
    scope.value = options.scope;
    k.value = String(options.k);
    penalty.value = String(options.penalty);
    const window = options.scope === "lastK" ? `, k ${options.k}` : "";
    const overridden = Object.keys(overrides).length > 0 ? "the sweep's objective with the options above" : "the sweep's objective";
    setText(ranked, `Ranked by ${overridden}: ${options.metric} (scope ${options.scope}${window}, penalty ${options.penalty}, ${options.direction}).`);
  }

  function show(best: BestResponse): void {
    showOptions(best.options);
    const isAccuracy = best.options.metric === "testAccuracy" || best.options.metric === "dAcc";
    const value = (v: number) => (isAccuracy ? percent(v, 2) : figure(v, 4));
    const spread = (v: number) => (isAccuracy ? points(v, 2) : figure(v, 3));
    const byId = new Map(state.detail?.runs.map((run) => [run.id, run]) ?? []);
    const runRows = best.runs.entries.map((entry) => {
      const run = byId.get(entry.id);
      return h("tr", { dataset: { id: entry.id } },
        h("td", { class: "num" }, String(entry.rank)),
        h("td", null, link(routes.run(entry.id), run ? `#${run.index}` : shortId(entry.id))),
        h("td", { class: "num" }, value(entry.value)),
        h("td", { class: "num" }, spread(entry.std)),
        h("td", { class: "num" }, value(entry.score)),
        h("td", null, badge(entry.status)),
        h("td", { class: "params" }, state.format.label(entry.params) || entry.configKey),
      );
    });
    const configRows = best.configurations.entries.map((entry) =>
      h("tr", null,
        h("td", { class: "num" }, String(entry.rank)),
        h("td", null, h("button", { type: "button", class: "linkish", title: "list its runs", on: { click: () => actions.showConfiguration(entry.configKey) } }, entry.configKey)),
        h("td", { class: "num" }, value(entry.value)),
        h("td", { class: "num" }, spread(entry.std)),
        h("td", { class: "num" }, value(entry.score)),
        h("td", { class: "num" }, String(entry.runs)),
        h("td", { class: "params" }, state.format.label(entry.params)),
      ),
    );
    const head = (...labels: string[]) => h("thead", null, h("tr", null, ...labels.map((label) => h("th", { attrs: { scope: "col" } }, label))));
    setChildren(
      area,
      best.runs.entries.length === 0
        ? notice("empty", `No run can be ranked yet: only completed runs with finite metrics are ranked${leftOutText(best.runs)}.`)
        : h("div", { class: "two-col" },
            h("div", null,
              h("h3", null, `Runs (${best.runs.ranked} ranked${leftOutText(best.runs)})`),
              h("table", { class: "data-table", id: "best-runs" }, head("rank", "run", "value", "std", "score", "status", "hyperparameters"), h("tbody", null, ...runRows)),
              h("button", { type: "button", on: { click: () => actions.select(best.runs.entries.map((entry) => entry.id)) } }, "Draw only these runs"),
            ),
            h("div", null,
              h("h3", null, `Configurations across repeats (${best.configurations.ranked} ranked${leftOutText(best.configurations)})`),
              h("table", { class: "data-table", id: "best-configurations" }, head("rank", "configuration", "mean", "std", "score", "repeats", "hyperparameters"), h("tbody", null, ...configRows)),
            ),
          ),
    );
  }

  return {
    element: section("Best runs", "best", h("p", { class: "note" }, "Ranked by the API (", h("code", null, `GET /api/sweeps/:id/best`), "), the same ranking as the CLI."), form(), ranked, area),
    options: () => overrides,
    load,
    show,
    destroy: () => refresh.cancel(),
  };
}

/** The ranking's reasons for leaving entries out, as the headings say them; the others are run statuses. */
const LEFT_OUT_BECAUSE: Record<string, string> = { nonFinite: "without finite metrics", noCompletedRun: "without a completed run" };

/** "; left out: 2 cancelled, 1 failed", or nothing when the ranking left nothing out. */
function leftOutText(ranking: { leftOut: Record<string, number> }): string {
  const reasons = Object.entries(ranking.leftOut).map(([reason, count]) => `${count} ${LEFT_OUT_BECAUSE[reason] ?? reason}`);
  return reasons.length > 0 ? `; left out: ${reasons.join(", ")}` : "";
}
