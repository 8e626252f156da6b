// The page's head: name, status, strategy, what every run shares, epochs trained and runs by status,
// and the cancel button while the sweep is active.
import { cancelSweep } from "../../api.ts";
import { badge, h, link, notice, progressBar, setChildren } from "../../dom.ts";
import { ago, dateTime, integer } from "../../format.ts";
import { routes } from "../../router.ts";
import { RUN_STATUSES } from "../../../../../libs/results/contract.ts";
import { paramTerms, totalEpochs, type SweepState } from "./state.ts";

export interface HeaderPanel {
  readonly element: HTMLElement;
  /** Draws the head from state.detail (nothing before the sweep is loaded). */
  render(): void;
  /** Replaces the head with why the sweep could not be shown. */
  showError(message: HTMLElement): void;
}

/** onCancelled: the sweep was asked to cancel (or failed to): time to refetch it. */
export function headerPanel(state: SweepState, onCancelled: () => void): HeaderPanel {
  const element = h("header", { class: "page-head" }, notice("loading", "Loading sweep…"));

  async function cancel(): Promise<void> {
    if (!state.detail || !confirm(`Cancel sweep "${state.detail.name}"? Queued runs are cancelled, running ones stop within a batch.`)) return;
    try {
      await cancelSweep(state.detail.id);
    } catch (error) {
      alert(`Cancelling failed: ${(error as Error).message}`);
    }
    onCancelled();
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
    const cancelButton = sweep.status === "active" ? h("button", { type: "button", class: "danger", on: { click: () => void cancel() } }, "Cancel sweep") : null;
    setChildren(
      element,
      h("div", { class: "crumbs" }, link(routes.sweeps(), "Sweeps"), " / "),
      h("h1", null, sweep.name, " ", badge(sweep.status)),
      h("p", { class: "lede" },
        `${total} runs, ${sweep.strategy} strategy, priority ${sweep.priority}, created `,
        h("time", { attrs: { datetime: sweep.createdAt }, title: dateTime(sweep.createdAt) }, ago(sweep.createdAt)),
        ".",
      ),
      h("p", { class: "fixed" }, h("strong", null, "Same for every run: "), [...paramTerms(fixed, Object.keys(fixed)), ...constant].join(", ") || "–"),
      h("div", { class: "head-progress" },
        progressBar(total && E ? done / (total * E) : 0, `${done} of ${total * E} epochs trained`),
        h("span", { class: "counts" }, `${integer(done)} / ${integer(total * E)} epochs · `, ...RUN_STATUSES.filter((status) => sweep.counts[status] > 0).map((status) => h("span", { class: `count status-${status}` }, `${sweep.counts[status]} ${status}`))),
        cancelButton,
      ),
    );
  }

  return { element, render, showError: (message) => setChildren(element, message) };
}
