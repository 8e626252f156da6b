import { endReason, type RunRow } from "../../../../libs/results/index.ts";
import { printJson, type Command } from "../command.ts";
import { percent, plural } from "../format.ts";
import { labelLines, noteCell, tagList } from "../labels.ts";
import { table } from "../table.ts";
import { summaryLine } from "../watch-view.ts";
import { escaped, printable } from "../../../../libs/terminal-text/index.ts";

export const show: Command = {
  args: ["<id>"],
  options: ["tag", "json"],
  synopsis: "[--tag TAG ...] [--json]",
  help: `A sweep: its runs by status, its tags and note, and its runs with theirs (--tag: only the runs
with every tag given), then why each run that stopped early stopped (the pruner's reason, the error).
--json: the sweep without its runs, configurations and trials, and the runs listed.`,
  async run({ api, args: [id], options, out }) {
    const { runs: allRuns, configurations: _configurations, trials: _trials, ...sweep } = await api.getSweep(id);
    const filter = options.tag ?? [];
    const runs = filter.length > 0 ? (await api.sweepRuns(id, filter)).runs : allRuns;
    if (options.json) return printJson(out, { ...sweep, runs });
    out.write(`${printable(summaryLine(sweep))}\n${labelLines(sweep)}\n`);
    const heading = filter.length > 0 ? escaped`runs with tag ${tagList(filter)}: ${runs.length} of ${plural(allRuns.length, "run")}` : plural(runs.length, "run");
    out.write(`${heading}\n`);
    if (runs.length > 0) out.write(`${table(RUN_COLUMNS, runs.map(runCells))}\n`);
    const endings = runs.flatMap(endingLine);
    if (endings.length > 0) out.write(`\nwhy runs stopped early\n${endings.join("\n")}\n`);
  },
};

/** Why a pruned, failed or diverged run ended (endReason: the pruner's reason, the error, the epoch it diverged at); nothing for the others. */
function endingLine(run: RunRow): string[] {
  const reason = endReason(run);
  if (reason === null) return [];
  if (run.status === "pruned") return [escaped`#${run.index} pruned after epoch ${run.epochsDone}: ${reason}`];
  if (run.status === "failed") return [escaped`#${run.index} failed: ${reason}`];
  return run.status === "diverged" ? [escaped`#${run.index} ${reason}`] : [];
}

const RUN_COLUMNS = [
  { header: "#", align: "right" },
  { header: "RUN" },
  { header: "STATUS" },
  { header: "EPOCHS", align: "right" },
  { header: "FINAL ACC", align: "right" },
  { header: "TAGS" },
  { header: "NOTE" },
] as const;

function runCells(run: RunRow): string[] {
  return [String(run.index), run.id, run.status, `${run.epochsDone}/${run.params.epochs}`, percent(run.finalTestAccuracy), tagList(run.tags), noteCell(run.note)];
}
