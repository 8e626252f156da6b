// The page's head: name, status, strategy, its tags and note (editable), what every run shares, epochs
// trained and runs by status, the lifecycle buttons the sweep's status allows (pause or resume, add trials, cancel, delete) and Export.
import { cancelSweep, deleteSweep, extendSweep, pauseSweep, relabelSweep, resumeSweep } from "../../api.ts";
import { badge, h, link, notice, progressBar, setChildren } from "../../dom.ts";
import { ago, dateTime, integer } from "../../format.ts";
import { routes } from "../../router.ts";
import { RUN_STATUSES, type SweepDetail } from "../../../../../libs/results/contract.ts";
import { labelsEditor } from "../labels.ts";
import { failureText } from "../view.ts";
import { exportControl } from "./export.ts";
import { paramTerms, totalEpochs, type SweepState } from "./state.ts";

export interface HeaderPanel {
  readonly element: HTMLElement;
  /** Draws the head from state.detail (nothing before the sweep is loaded). */
  render(): void;
  /** Replaces the head with why the sweep could not be shown. */
  showError(message: HTMLElement): void;
}

/** One lifecycle write behind a button: asked first when `question` says so; `done` runs after it (deleting leaves the page). */
interface Action {
  label: string;
  /** Which sweeps show it. */
  shown: (sweep: SweepDetail) => boolean;
  danger?: boolean;
  question?: (sweep: SweepDetail) => string;
  /** False: the user called it off. */
  run: (sweep: SweepDetail) => Promise<unknown | false>;
  done?: () => void;
}

const ACTIONS: Action[] = [
  {
    label: "Pause",
    shown: (sweep) => sweep.status === "active",
    run: (sweep) => pauseSweep(sweep.id),
  },
  {
    label: "Resume",
    shown: (sweep) => sweep.status === "paused",
    run: (sweep) => resumeSweep(sweep.id),
  },
  {
    label: "Add trials",
    shown: (sweep) => sweep.status !== "cancelled",
    run: async (sweep) => {
      const answer = prompt(`Add how many trials (configurations) to "${sweep.name}"? 1 to 1000`, "5");
      if (answer === null) return false;
      const trials = answer.trim() !== "" && Number.isFinite(Number(answer)) ? Number(answer) : answer;
      return extendSweep(sweep.id, trials);
    },
  },
  {
    label: "Cancel sweep",
    shown: (sweep) => sweep.status === "active" || sweep.status === "paused",
    danger: true,
    question: (sweep) => `Cancel sweep "${sweep.name}"? Queued runs are cancelled, running ones stop within a batch.`,
    run: (sweep) => cancelSweep(sweep.id),
  },
  {
    label: "Delete",
    shown: () => true,
    danger: true,
    question: (sweep) => `Delete sweep "${sweep.name}" with its ${sweep.runs.length} runs, their epochs, samples and checkpoints? This cannot be undone.`,
    run: (sweep) => deleteSweep(sweep.id),
    done: () => (location.hash = routes.sweeps()),
  },
];

/** onChanged: a lifecycle write was made (or failed): time to refetch the sweep. */
export function headerPanel(state: SweepState, onChanged: () => void): HeaderPanel {
  const element = h("header", { class: "page-head" }, notice("loading", "Loading sweep…"));
  // Made once and put back on each render, so that a note being written survives a refresh.
  const labels = labelsEditor("sweep", (change) => relabelSweep(state.sweepId, change));

  async function act(action: Action, button: HTMLButtonElement): Promise<void> {
    const sweep = state.detail;
    if (!sweep || (action.question && !confirm(action.question(sweep)))) return;
    button.disabled = true;
    try {
      if ((await action.run(sweep)) === false) return;
      action.done?.();
    } catch (error) {
      alert(`${action.label} failed: ${failureText(error)}`);
    } finally {
      button.disabled = false;
    }
    onChanged();
  }

  function buttons(sweep: SweepDetail): HTMLElement {
    const shown = ACTIONS.filter((action) => action.shown(sweep)).map((action) => {
      const button = h("button", { type: "button", class: action.danger ? "danger" : undefined, dataset: { action: action.label } }, action.label);
      button.addEventListener("click", () => void act(action, button));
      return button;
    });
    return h("span", { class: "sweep-actions" }, ...shown);
  }

  function render(): void {
    const sweep = state.detail;
    if (!sweep) return;
    const total = sweep.runs.length;
    const E = totalEpochs(state);
    const done = sweep.runs.reduce((sum, run) => sum + Math.min(E, Math.max(run.epochsDone, 0)), 0);
    const fixed = sweep.config.fixed ?? {};
    const first = sweep.runs[0];
    const constant = first ? paramTerms(first.hyperparameters, Object.keys(first.hyperparameters).filter((key) => !state.keys.includes(key))) : [];
    setChildren(
      element,
      h("div", { class: "crumbs" }, link(routes.sweeps(), "Sweeps"), " / "),
      h("h1", null, sweep.name, " ", badge(sweep.status)),
      h("p", { class: "lede" },
        `${total} runs, ${sweep.strategy} strategy, priority ${sweep.priority}, created `,
        h("time", { attrs: { datetime: sweep.createdAt }, title: dateTime(sweep.createdAt) }, ago(sweep.createdAt)),
        ".",
      ),
      labels.element,
      h("p", { class: "fixed" }, h("strong", null, "Same for every run: "), [...paramTerms(fixed, Object.keys(fixed)), ...constant].join(", ") || "–"),
      h("div", { class: "head-progress" },
        progressBar(total && E ? done / (total * E) : 0, `${done} of ${total * E} epochs trained`),
        h("span", { class: "counts" }, `${integer(done)} / ${integer(total * E)} epochs · `, ...RUN_STATUSES.filter((status) => sweep.counts[status] > 0).map((status) => h("span", { class: `count status-${status}` }, `${sweep.counts[status]} ${status}`))),
        buttons(sweep),
        exportControl(sweep.id),
      ),
    );
    labels.show(sweep);
  }

  return { element, render, showError: (message) => setChildren(element, message) };
}
