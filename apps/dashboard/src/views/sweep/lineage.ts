// A pbt sweep's lineage (GET /api/sweeps/:id/lineage, the CLI's `sweeps lineage`): the exploits in the
// order made, and each run's schedule as a bar of the epochs its weights were trained in, a segment
// per stretch one run trained with one set of the perturbed values. Hidden for other strategies.
import { getLineage } from "../../api.ts";
import { h, notice, setChildren, setText } from "../../dom.ts";
import { paramValue } from "../../format.ts";
import type { LineageResponse, PbtDecisionRow, PbtLineageRun, PbtScheduleSegment } from "../../../../../libs/results/contract.ts";
import { perturbationText } from "../../../../../libs/results/perturbation-text.ts";
import { isAbort, section } from "../view.ts";
import { totalEpochs, type Panel, type SweepState } from "./state.ts";

export interface LineagePanel extends Panel {
  /** Asks the API when the sweep is a pbt sweep, and shows the answer. */
  load(): Promise<void>;
}

export function lineagePanel(state: SweepState): LineagePanel {
  const note = h("p", { class: "note", id: "lineage-note" });
  const exploits = h("table", { class: "lineage-exploits" });
  const schedules = h("div", { class: "schedules" });
  const problem = h("div");
  const element = section(
    "Lineage",
    "lineage",
    h("p", { class: "note" }, "Population-based training: at every decision point a run in the bottom quantile (or stuck) copies the checkpoint of one in the top quantile and perturbs its values. A run's schedule is what its weights were trained with: the epochs it copied were trained by the run it copied, with that run's values."),
    note,
    exploits,
    schedules,
    problem,
  );
  element.hidden = true;

  function show(lineage: LineageResponse): void {
    setChildren(problem);
    const made = lineage.decisions.filter((decision) => decision.action === "exploit");
    setText(note, `${lineage.decisions.length} decisions, ${made.length} exploits; perturbs ${lineage.perturb.join(", ")}.`);
    setChildren(exploits, ...exploitTable(made));
    const epochs = Math.max(totalEpochs(state), 1);
    setChildren(schedules, ...lineage.runs.map((run) => scheduleRow(run, epochs)));
  }

  async function load(): Promise<void> {
    if (state.detail?.strategy !== "pbt") return;
    element.hidden = false;
    try {
      show(await getLineage(state.sweepId, state.signal));
    } catch (error) {
      if (isAbort(error)) return;
      setChildren(problem, notice("error", (error as Error).message));
    }
  }

  return { element, load, destroy: () => undefined };
}

function exploitRow(decision: PbtDecisionRow): HTMLElement {
  const changes = decision.changes.map((change) => perturbationText(change, paramValue, "→")).join(", ");
  return h(
    "tr",
    { dataset: { run: String(decision.runIndex), epoch: String(decision.epoch) }, title: decision.reason },
    h("td", null, decision.epoch),
    h("td", null, `#${decision.runIndex}`),
    h("td", null, `#${decision.fromRunIndex} as of epoch ${decision.fromEpoch}`),
    h("td", null, changes),
  );
}

/** The head (when there are exploits) and a row per exploit. */
export function exploitTable(made: readonly PbtDecisionRow[]): HTMLElement[] {
  const head = h("thead", null, h("tr", null, h("th", null, "Epoch"), h("th", null, "Run"), h("th", null, "Copied"), h("th", null, "Changes")));
  return [...(made.length === 0 ? [] : [head]), h("tbody", null, ...made.map(exploitRow))];
}

/**
 * "#1", a bar as wide as the sweep's epochs (a segment per stretch, as wide as its epochs), and the
 * run's schedule as one training config to download (`npm run train -- --config FILE` retrains it).
 */
export function scheduleRow(run: PbtLineageRun, epochs: number): HTMLElement {
  const replay = `data:application/json;charset=utf-8,${encodeURIComponent(`${JSON.stringify(run.replay, null, 2)}\n`)}`;
  return h(
    "div",
    { class: "schedule", dataset: { run: String(run.index) } },
    h("span", { class: "schedule-run" }, `#${run.index}`),
    h("div", { class: "schedule-bar" }, ...run.schedule.map((segment) => segmentBox(run, segment, epochs))),
    h("a", { class: "replay", href: replay, attrs: { download: `replay-run-${run.index}.json` }, title: "this schedule as one run's config: npm run train -- --config FILE" }, "config"),
  );
}

function segmentBox(run: PbtLineageRun, segment: PbtScheduleSegment, epochs: number): HTMLElement {
  const span = segment.lastEpoch - segment.firstEpoch + 1;
  const range = span === 1 ? `${segment.firstEpoch}` : `${segment.firstEpoch}-${segment.lastEpoch}`;
  const values = Object.entries(segment.values).map(([field, value]) => `${field} ${paramValue(field, value)}`).join(", ");
  const copied = segment.trainedBy.runId !== run.id;
  return h(
    "span",
    {
      class: copied ? "segment copied" : "segment",
      style: { width: `${(100 * span) / epochs}%` },
      dataset: { first: String(segment.firstEpoch), last: String(segment.lastEpoch), trainedBy: String(segment.trainedBy.index) },
      title: `epochs ${range} trained by run #${segment.trainedBy.index}: ${values}`,
    },
    `${range} #${segment.trainedBy.index} ${values}`,
  );
}
