import { perturbationText, type LineageResponse, type PbtDecisionRow, type PbtLineageRun, type PbtScheduleSegment } from "../../../../libs/results/index.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";
import { printJson, UsageError, type Command } from "../command.ts";
import { compact } from "../format.ts";
import { table } from "../table.ts";

export const lineage: Command = {
  args: ["<id>"],
  options: ["json", "replay"],
  synopsis: "[--json] [--replay RUN]",
  help: `A pbt sweep's lineage: every exploit in the order made (the run, the epoch it was decided at,
the run it copied and the epoch that run's checkpoint held, and what explore changed), then each run's
schedule: the stretches of epochs its weights were trained in, each by one run (#index) with the
perturbed values shown. A run that copied another holds that run's epochs up to the copy, so its
schedule starts with the other's. --json: the API's answer, continues included. --replay RUN (its
index, #index or id): only that run's schedule as one ordinary training config, JSON for
\`npm run train -- --config FILE\`, which retrains its weights. Another strategy's sweep has no
lineage: the API's 409 says so.`,
  async run({ api, args: [id], options, out }) {
    const answer = await api.sweepLineage(id);
    if (options.replay !== undefined) return printJson(out, runOf(answer, options.replay).replay);
    if (options.json) return printJson(out, answer);
    out.write(lineageText(answer));
  },
};

/** The run `--replay` names: its index (with or without #) or its id. */
function runOf(answer: LineageResponse, named: string): PbtLineageRun {
  const index = /^#?\d+$/.test(named) ? Number(named.replace("#", "")) : null;
  const run = answer.runs.find((candidate) => candidate.id === named || candidate.index === index);
  if (!run) throw new UsageError(escaped`--replay ${named}: no such run in sweep ${answer.sweepId}; give its index (0 to ${answer.runs.length - 1}) or its id`);
  return run;
}

function lineageText(answer: LineageResponse): string {
  const exploits = answer.decisions.filter((decision) => decision.action === "exploit");
  const head = escaped`pbt sweep ${answer.sweepId}: perturbs ${answer.perturb.join(", ")}; ${answer.runs.length} runs, ${answer.decisions.length} decisions, ${exploits.length} exploits\n`;
  const decisions = exploits.length === 0 ? "no run has copied another yet\n" : `${exploitTable(exploits)}\n`;
  return `${head}\nexploits, in the order made\n${decisions}\nschedules\n${scheduleTable(answer)}\n`;
}

function exploitTable(exploits: readonly PbtDecisionRow[]): string {
  const rows = exploits.map((decision) => [
    String(decision.epoch),
    `#${decision.runIndex}`,
    `#${decision.fromRunIndex} as of ${decision.fromEpoch}`,
    decision.changes.map((change) => perturbationText(change, (_, value) => shown(value))).join(", "),
  ]);
  return table([{ header: "EPOCH", align: "right" }, { header: "RUN" }, { header: "COPIED" }, { header: "CHANGES" }], rows);
}

function scheduleTable(answer: LineageResponse): string {
  const rows = answer.runs.map((run) => [`#${run.index}`, run.status, String(run.epochsDone), run.schedule.map(segmentText).join(" | ") || "-"]);
  return table([{ header: "RUN" }, { header: "STATUS" }, { header: "EPOCHS", align: "right" }, { header: "SCHEDULE" }], rows);
}

/** "1-4 #0 lr 0.002": its epochs, who trained them, its values. */
function segmentText(segment: PbtScheduleSegment): string {
  const epochs = segment.firstEpoch === segment.lastEpoch ? String(segment.firstEpoch) : `${segment.firstEpoch}-${segment.lastEpoch}`;
  const values = Object.entries(segment.values).map(([field, value]) => `${field} ${shown(value)}`);
  return [epochs, `#${segment.trainedBy.index}`, ...values].join(" ");
}

function shown(value: unknown): string {
  return typeof value === "number" ? compact(value) : String(value);
}
