import { parameterFormat, type BestConfigurationEntry, type ImportanceResponse, type Objective, type Ranking } from "../../../../libs/results/index.ts";
import { progressBar } from "../../progress-bar.ts";
import { printJson, type Command } from "../command.ts";
import { compact, percent } from "../format.ts";
import { sharedParams, type Hyperparameter, type Hyperparameters } from "../shared-params.ts";
import { table, type Column } from "../table.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const best: Command = {
  args: ["<id>"],
  options: ["metric", "scope", "k", "penalty", "direction", "limit", "importance", "json"],
  synopsis: "[--metric testAccuracy|dAcc|dLoss|gLoss] [--scope last|lastK|max] [--k N] [--penalty X] [--direction maximize|minimize] [--limit N] [--importance] [--json]",
  help: `Rank a sweep's configurations (across repeats) and its runs by its objective: an epoch metric's
last value, the mean of the last k epochs (lastK) or its best epoch (max). score = value - penalty x
std (a run: std over its last k epochs; a configuration: std across repeats), the penalty added when
minimizing. Only completed runs are ranked: queued, running, cancelled, failed, diverged and pruned
runs are left out (counted, by status), and a configuration is scored over its completed repeats.
Defaults: the sweep config's objective (itself by default testAccuracy, last, k 5, penalty 0,
maximize); each option given overrides it (another metric without --direction takes that metric's
direction: losses minimize, accuracies maximize). --limit defaults to 10.
--importance: instead, how much of the objective's variance over the complete trials each varying
parameter explains on its own (its share; the shares sum to 1): fANOVA over a random forest of 64
trees, as Optuna's default importance evaluator (Hutter, Hoos, Leyton-Brown 2014). Needs at least 2
complete trials with different values; says so when there are fewer.`,
  async run({ api, args: [id], options, out }) {
    const { metric, scope, k, penalty, direction, limit } = options;
    if (options.importance) {
      const importance = await api.importanceOfSweep(id, { metric, scope, k, penalty, direction });
      if (options.json) return printJson(out, importance);
      out.write(importanceText(importance));
      return;
    }
    const best = await api.bestOfSweep(id, { metric, scope, k, penalty, direction, limit });
    if (options.json) return printJson(out, best);

    const ranked = best.options;
    const figure = ranked.metric === "testAccuracy" || ranked.metric === "dAcc" ? (x: number) => percent(x, 2) : compact;
    const entries = [...best.configurations.entries, ...best.runs.entries].map((entry) => entry.params);
    const shared = sharedParams(entries);
    const format = parameterFormat(entries);
    out.write(escaped`ranked by ${objectiveText(ranked)}, best first\n`);
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

/** "testAccuracy (scope lastK, k 5, penalty 0, maximize)" */
function objectiveText(objective: Objective): string {
  return `${objective.metric} (scope ${objective.scope}${objective.scope === "lastK" ? `, k ${objective.k}` : ""}, penalty ${objective.penalty}, ${objective.direction})`;
}

const IMPORTANCE_BAR = 20;

/** A row per parameter, most important first: its share with 3 significant digits and a bar of it. */
function importanceText(importance: ImportanceResponse): string {
  const { method } = importance;
  const head = escaped`parameter importance by ${objectiveText(importance.objective)}: fANOVA over a random forest of ${method.trees} trees, ${importance.trials} complete trials`;
  if (!importance.assessed) return `${head}\n${escaped`${importance.reason}`}\n`;
  const rows = importance.parameters.map((parameter) => [parameter.name, parameter.importance.toPrecision(3), progressBar(parameter.importance, 1, IMPORTANCE_BAR), parameter.scale]);
  const columns: Column[] = [{ header: "PARAMETER" }, { header: "IMPORTANCE", align: "right" }, { header: "" }, { header: "SCALE" }];
  return `${head}\n${table(columns, rows)}\n`;
}

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
