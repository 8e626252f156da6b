import type { RunCounts, SweepItem } from "../../../../libs/results/index.ts";
import { RUN_STATUS_ORDER, runTally } from "../run-tally.ts";
import { printJson, type Command } from "../command.ts";
import { percent, plural, timestamp } from "../format.ts";
import { tagList } from "../labels.ts";
import { table } from "../table.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const ls: Command = {
  args: [],
  options: ["page", "page-size", "tag", "json"],
  synopsis: "[--page N] [--page-size N] [--tag TAG ...] [--json]",
  help: `List sweeps, newest first: status, runs completed (trained to the end) of all, the other runs by
status, best final test accuracy (of the completed runs), tags. --tag (repeatable): only the sweeps
with every tag given.`,
  async run({ api, options, out }) {
    const page = await api.listSweeps({ page: options.page, pageSize: options["page-size"], tag: options.tag });
    if (options.json) return printJson(out, page);
    if (page.total === 0) {
      out.write(options.tag ? escaped`no sweep has every tag of ${tagList(options.tag)}\n` : "no sweeps yet: submit one with 'sweeps submit <file>'\n");
      return;
    }
    const columns = [
      { header: "ID" },
      { header: "NAME" },
      { header: "STATUS" },
      { header: "COMPLETED", align: "right" },
      { header: "OTHER RUNS" },
      { header: "BEST ACC", align: "right" },
      { header: "CREATED" },
      { header: "TAGS" },
    ] as const;
    out.write(`${table(columns, page.items.map(row))}\n`);
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const sameOptions = `${options["page-size"] === undefined ? "" : ` --page-size ${page.pageSize}`}${(options.tag ?? []).map((tag) => ` --tag ${tag}`).join("")}`;
    const next = page.page < pages ? `; next: sweeps ls --page ${page.page + 1}${sameOptions}` : "";
    out.write(escaped`page ${page.page} of ${pages}, ${plural(page.total, "sweep")}${next}\n`);
  },
};

function row(sweep: SweepItem): string[] {
  const { total } = runTally(sweep.counts);
  return [sweep.id, sweep.name, sweep.status, `${sweep.counts.completed}/${total}`, otherRuns(sweep.counts), percent(sweep.best?.finalTestAccuracy), timestamp(sweep.createdAt), tagList(sweep.tags)];
}

/** The runs that did not complete, by status: "2 running, 5 queued" or "10 cancelled"; "-" when there are none. */
function otherRuns(counts: RunCounts): string {
  const others = RUN_STATUS_ORDER.filter((status) => status !== "completed" && counts[status] > 0).map((status) => `${counts[status]} ${status}`);
  return others.length > 0 ? others.join(", ") : "-";
}
