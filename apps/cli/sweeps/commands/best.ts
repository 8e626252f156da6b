import type { BestOfSweep, Hyperparameters, Ranking } from "../client.ts";
import { printJson, type Command } from "../command.ts";
import { number, percent, value } from "../format.ts";
import { table, type Column } from "../table.ts";

export const best: Command = {
  args: ["<id>"],
  options: ["metric", "scope", "k", "penalty", "limit", "json"],
  synopsis: "[--metric testAccuracy|dAcc|dLoss|gLoss] [--scope last|lastK|max] [--k N] [--penalty X] [--limit N] [--json]",
  help: `Rank a sweep's configurations (across repeats) and its runs by an epoch metric: its last value,
the mean of the last k epochs (lastK) or its best epoch (max). score = value - penalty x std (a run:
std over its last k epochs; a configuration: std across repeats); losses rank lowest first.
Defaults: testAccuracy, last, k 5, penalty 0, limit 10.`,
  async run({ api, args: [id], options, out }) {
    const best = await api.bestOfSweep(id, { metric: options.metric, scope: options.scope, k: options.k, penalty: options.penalty, limit: options.limit });
    if (options.json) return printJson(out, best);
    const { metric, scope, k, penalty } = best.options;
    const figure = metric === "testAccuracy" || metric === "dAcc" ? (x: number) => percent(x, 2) : number;
    const shared = sharedParams([...best.configurations.entries, ...best.runs.entries].map((entry) => entry.params));
    const varying = (params: Hyperparameters) => Object.keys(params).filter((key) => !(key in shared));
    const paramColumns = (ranking: Ranking<{ params: Hyperparameters }>) => varying(ranking.entries[0]?.params ?? {});

    out.write(`ranked by ${metric} (scope ${scope}${scope === "lastK" ? `, k ${k}` : ""}, penalty ${penalty}), best first\n`);
    if (Object.keys(shared).length > 0) {
      out.write(`same in every entry: ${Object.entries(shared).map(([key, v]) => `${key} ${value(v)}`).join(", ")}\n`);
    }

    const configKeys = paramColumns(best.configurations);
    out.write(`\nconfigurations, across repeats (${rankedLine(best.configurations)})\n`);
    out.write(
      `${table(
        [...scoreColumns, { header: "RUNS", align: "right" }, { header: "CONFIG" }, ...configKeys.map(paramColumn)],
        best.configurations.entries.map((entry) => [
          ...scoreCells(entry, figure),
          String(entry.runs),
          entry.configKey,
          ...configKeys.map((key) => value(entry.params[key])),
        ]),
      )}\n`,
    );

    const runKeys = paramColumns(best.runs);
    out.write(`\nruns (${rankedLine(best.runs)})\n`);
    out.write(
      `${table(
        [...scoreColumns, { header: "STATUS" }, { header: "REPEAT", align: "right" }, { header: "RUN" }, ...runKeys.map(paramColumn)],
        best.runs.entries.map((entry) => [
          ...scoreCells(entry, figure),
          entry.status,
          String(entry.repeat),
          entry.id,
          ...runKeys.map((key) => value(entry.params[key])),
        ]),
      )}\n`,
    );
  },
};

const scoreColumns: Column[] = [
  { header: "#", align: "right" },
  { header: "SCORE", align: "right" },
  { header: "VALUE", align: "right" },
  { header: "STD", align: "right" },
];

function scoreCells(entry: BestOfSweep["runs"]["entries"][number] | BestOfSweep["configurations"]["entries"][number], figure: (x: number) => string): string[] {
  return [String(entry.rank), figure(entry.score), figure(entry.value), figure(entry.std)];
}

function paramColumn(key: string): Column {
  return { header: key, align: "right" };
}

function rankedLine(ranking: Ranking<unknown>): string {
  const unranked = ranking.unranked > 0 ? `; ${ranking.unranked} not ranked yet: no epoch or a non-finite figure` : "";
  return `${ranking.entries.length} of ${ranking.ranked} ranked shown${unranked}`;
}

/** Hyperparameters with one value in every entry: said once above the tables instead of in a column each. */
function sharedParams(all: Hyperparameters[]): Hyperparameters {
  if (all.length < 2) return {};
  return Object.fromEntries(Object.entries(all[0]).filter(([key, v]) => all.every((params) => params[key] === v)));
}
