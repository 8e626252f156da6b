// Parameter importance: how much of the objective's variance over the complete trials each varying
// parameter explains on its own, as the API computes it (GET /api/sweeps/:id/importance: fANOVA over
// a random forest, the CLI's `sweeps best --importance`). Asked again when the complete trials change:
// the forest is refitted for the answer, and an epoch of a running trial changes nothing in it.
import { getImportance } from "../../api.ts";
import { h, notice, setChildren, setText } from "../../dom.ts";
import { ImportanceBars } from "../../search-charts.ts";
import { objectiveLabel } from "../../search.ts";
import type { ImportanceResponse, SweepDetail } from "../../../../../libs/results/contract.ts";
import { isAbort, section } from "../view.ts";
import type { Panel, SweepState } from "./state.ts";

export interface ImportancePanel extends Panel {
  /** Asks the API and shows the answer, or why there is none. */
  load(): Promise<void>;
}

export function importancePanel(state: SweepState): ImportancePanel {
  const chart = new ImportanceBars();
  const note = h("p", { class: "note", id: "importance-note" });
  const problem = h("div");
  /** The complete trials the shown answer was computed from, as far as the page knew them. */
  let shownFor: string | null = null;

  function show(importance: ImportanceResponse): void {
    setChildren(problem);
    const by = `by ${objectiveLabel(importance.objective)} over ${importance.trials} complete trials`;
    if (!importance.assessed) {
      chart.setData([]);
      setText(note, `Not assessed ${by}: ${importance.reason}.`);
      return;
    }
    chart.setData(importance.parameters);
    const top = importance.parameters[0];
    setText(note, `Assessed ${by}, a forest of ${importance.method.trees} trees; ${top.name} explains most (${(100 * top.importance).toPrecision(3)}%).`);
  }

  async function load(): Promise<void> {
    const trials = completeTrials(state.detail);
    if (trials !== null && trials === shownFor) return;
    try {
      show(await getImportance(state.sweepId, state.signal));
      shownFor = trials;
    } catch (error) {
      if (isAbort(error)) return;
      setChildren(problem, notice("error", (error as Error).message));
    }
  }

  return {
    element: section(
      "Parameter importance",
      "importance",
      h("p", { class: "note" }, "Each varying parameter's share of the objective's variance that the parameters explain on their own: fANOVA (Hutter, Hoos, Leyton-Brown 2014) over a random forest fitted to the complete trials, as Optuna's default importance evaluator. Log-scaled parameters are measured along their log axis. It reads the trials the study has: with few, or with a sampler that crowds one region, take it as a hint."),
      chart.element,
      note,
      problem,
    ),
    load,
    destroy: () => chart.destroy(),
  };
}

/** "0:0.71,3:0.66": the complete trials and their values; null before the sweep is loaded. */
function completeTrials(detail: SweepDetail | null): string | null {
  return detail === null ? null : detail.trials.flatMap((trial) => (trial.state === "complete" ? [`${trial.number}:${trial.value}`] : [])).join(",");
}
