// A pbt run's schedule on its page, under its curves: the bar of the epochs its weights were trained
// in (who trained them, with which values; the copied ones dashed) and the exploits it made or was
// copied in, from its sweep's lineage (GET /api/sweeps/:id/lineage). Hidden for other strategies.
import { getLineage } from "../api.ts";
import { h, notice, setChildren } from "../dom.ts";
import type { RunDetail } from "../../../../libs/results/contract.ts";
import { exploitTable, scheduleRow } from "./sweep/lineage.ts";
import { isAbort, section } from "./view.ts";

export interface RunSchedulePanel {
  readonly element: HTMLElement;
  /** Shows the run's schedule as its sweep's lineage has it now. */
  update(run: RunDetail, signal: AbortSignal): Promise<void>;
}

export function runSchedulePanel(): RunSchedulePanel {
  const body = h("div");
  const element = section(
    "Schedule",
    "run-schedule",
    h("p", { class: "note" }, "Population-based training: what this run's weights were trained with, epoch by epoch. Epochs it copied from another run were trained by that run, with its values."),
    body,
  );
  element.hidden = true;

  async function update(run: RunDetail, signal: AbortSignal): Promise<void> {
    if (run.sweep.strategy !== "pbt") return;
    element.hidden = false;
    try {
      const lineage = await getLineage(run.sweepId, signal);
      const own = lineage.runs.find((entry) => entry.id === run.id);
      const involved = lineage.decisions.filter((decision) => decision.action === "exploit" && (decision.runId === run.id || decision.fromRunId === run.id));
      setChildren(body, own ? h("div", { class: "schedules" }, scheduleRow(own, Math.max(run.params.epochs, 1))) : null, h("table", { class: "lineage-exploits" }, ...exploitTable(involved)));
    } catch (error) {
      if (isAbort(error)) return;
      setChildren(body, notice("error", (error as Error).message));
    }
  }

  return { element, update };
}
