import { parameterFormat, type BestConfigurationEntry, type Ranking } from "../../../../libs/results/index.ts";
import { printJson, type Command } from "../command.ts";
import { compact, percent } from "../format.ts";
import { sharedParams, type Hyperparameter, type Hyperparameters } from "../shared-params.ts";
import { table, type Column } from "../table.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const best: Command = {
  args: ["<id>"],
  options: ["metric", "scope", "k", "penalty", "direction", "limit", "json"],
  synopsis: "[--metric testAccuracy|dAcc|dLoss|gLoss] [--scope last|lastK|max] [--k N] [--penalty X] [--direction maximize|minimize] [--limit N] [--json]",
  help: `Rank a sweep's configurations (across repeats) and its runs by its objective: an epoch metric's
last value, the mean of the last k epochs (lastK) or its best epoch (max). score = value - penalty x
std (a run: std over its last k epochs; a configuration: std across repeats), the penalty added when
minimizing. Only completed runs are ranked: queued, running, cancelled, failed, diverged and pruned
runs are left out (counted, by status), and a configuration is scored over its completed repeats.
Defaults: the sweep config's objective (itself by default testAccuracy, last, k 5, penalty 0,
maximize); each option given overrides it (another metric without --direction takes that metric's
direction: losses minimize, accuracies maximize). --limit defaults to 10.`,
  async run({ api, args: [id], options, out }) {
    const { metric, scope, k, penalty, direction, limit } = options;
    const best = await api.bestOfSweep(id, { metric, scope, k, penalty, direction, limit });
    if (options.json) return printJson(out, best);

    const ranked = best.options;
    const figure = ranked.metric === "testAccuracy" || ranked.metric === "dAcc" ? (x: number) => percent(x, 2) : compact;
    const entries = [...best.configurations.entries, ...best.runs.entries].map((entry) => entry.params);
    const shared = sharedParams(entries);
    const format = parameterFormat(entries);
    out.write(escaped`ranked by ${ranked.metric} (scope ${ranked.scope}${ranked.scope === "lastK" ? `, k ${ranked.k}` : ""}, penalty ${ranked.penalty}, ${ranked.direction}), best first\n`);
    if (Object.keys(shared).length > 0) {
      out.write(escaped`same in every entry: ${Object.entries(shared).map(([key, v]) => escaped`${key} ${format.value(key, v)}`).join(", ")}\n`);
    }
    out.write(escaped`\nconfigurations, across repeats (${rankedLine(best.configurations)})\n`);
    out.write(
      rankingTable(best.configurations, figure, shared, [
        { column: { header: "RUNS", align: "right" }, cell: (entry) => String(entry.runs) },
        { column: { header: "CONFIG" }, cell: (entry) => entry.configKey },
      ]),
    );
    out.write(escaped`\nruns (${rankedLine(best.runs)})\n`);
    out.write(
      rankingTable(best.runs, figure, shared, [
        { column: { header: "STATUS" }, cell: (entry) => entry.status },
        { column: { header: "REPEAT", align: "right" }, cell: (entry) => String(entry.repeat) },
        { column: { header: "RUN" }, cell: (entry) => entry.id },
      ]),
    );
  },
};

/** What runs and configurations share in a ranking's table. */
type RankedEntry = Pick<BestConfigurationEntry, "rank" | "score" | "value" | "std" | "params">;

interface Extra<Entry> {
  column: Column;
  cell: (entry: Entry) => string;
}

/** Rank and figures, the ranking's own columns, then a column per hyperparameter that differs between entries. */
function rankingTable<Entry extends RankedEntry>(ranking: Ranking<Entry>, figure: (x: number) => string, shared: Hyperparameters, extras: Extra<Entry>[]): string {
  if (ranking.entries.length === 0) return "";
  const keys = (Object.keys(ranking.entries[0].params) as Hyperparameter[]).filter((key) => !(key in shared));
  // As many digits as tell the entries' values apart (1.031e-4 and 1.033e-4, not 1.03e-4 twice).
  const format = parameterFormat(ranking.entries.map((entry) => entry.params));
  const columns: Column[] = [
    { header: "#", align: "right" },
    { header: "SCORE", align: "right" },
    { header: "VALUE", align: "right" },
    { header: "STD", align: "right" },
    ...extras.map((extra) => extra.column),
    ...keys.map((key): Column => ({ header: key, align: "right" })),
  ];
  const rows = ranking.entries.map((entry) => [
    String(entry.rank),
    figure(entry.score),
    figure(entry.value),
    figure(entry.std),
    ...extras.map((extra) => extra.cell(entry)),
    ...keys.map((key) => format.value(key, entry.params[key])),
  ]);
  return `${table(columns, rows)}\n`;
}

/** The ranking's reasons for leaving an entry out, as the line says them; the others are run statuses. */
const LEFT_OUT_BECAUSE: Record<string, string> = { nonFinite: "without a finite figure", noCompletedRun: "without a completed run" };

function rankedLine(ranking: Ranking<unknown>): string {
  const reasons = Object.entries(ranking.leftOut).map(([reason, count]) => `${count} ${LEFT_OUT_BECAUSE[reason] ?? reason}`);
  return `showing ${ranking.entries.length} of ${ranking.ranked} ranked${reasons.length > 0 ? `; left out: ${reasons.join(", ")}` : ""}`;
}
