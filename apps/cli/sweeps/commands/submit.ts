import { readFile } from "node:fs/promises";
import { parameterFormat, type DryRunResponse } from "../../../../libs/results/index.ts";
import { plural } from "../format.ts";
import { printJson, UsageError, type Command } from "../command.ts";
import { sharedParams, type Hyperparameter } from "../shared-params.ts";
import { table, type Column } from "../table.ts";
import { watchSweep } from "./watch.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const submit: Command = {
  args: ["<file>"],
  options: ["watch", "json", "dry-run"],
  synopsis: "[--watch | --json] [--dry-run]",
  help: `Submit the sweep config in <file> (YAML or JSON) and print the sweep's id and its plan: how many
configurations x repeats, and why (a space smaller than samples or trials cuts them).
--watch: then follow it as 'watch' does.
--dry-run: check the config and show the plan, each run with its hyperparameters; nothing is stored.`,
  async run({ api, args: [file], options, out }) {
    if (options.watch && (options.json || options["dry-run"])) throw new UsageError(`--watch and --${options.json ? "json" : "dry-run"} do not go together`);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
    });
    if (options["dry-run"]) {
      const plan = await api.dryRunSweep(text);
      return options.json ? printJson(out, plan) : printPlan(out, plan);
    }
    const submitted = await api.submitSweep(text);
    if (options.json) return printJson(out, submitted);
    const { sweep, runs, plan } = submitted;
    out.write(escaped`submitted sweep ${sweep.id} "${sweep.name}": ${plural(runs.length, "run")}\n`);
    out.write(escaped`plan: ${plan.description}\n`);
    if (options.watch) await watchSweep(api, sweep.id, out);
    else out.write(escaped`follow it: sweeps watch ${sweep.id}\n`);
  },
};

/** The plan line, what every run shares, and a row per run with the hyperparameters that differ. */
function printPlan(out: { write(text: string): unknown }, { plan, runs }: DryRunResponse): void {
  out.write(escaped`dry run, nothing stored: ${plan.description}\n`);
  const shared = sharedParams(runs.map((run) => run.hyperparameters));
  const format = parameterFormat(runs.map((run) => run.hyperparameters));
  if (Object.keys(shared).length > 0) {
    out.write(escaped`same in every run: ${Object.entries(shared).map(([key, v]) => escaped`${key} ${format.value(key, v)}`).join(", ")}\n`);
  }
  if (runs.length === 0) return;
  const keys = (Object.keys(runs[0].hyperparameters) as Hyperparameter[]).filter((key) => !(key in shared));
  const columns: Column[] = [
    { header: "#", align: "right" },
    { header: "REPEAT", align: "right" },
    { header: "CONFIG" },
    ...keys.map((key): Column => ({ header: key, align: "right" })),
  ];
  const rows = runs.map((run) => [String(run.index), String(run.repeat), run.configKey, ...keys.map((key) => format.value(key, run.hyperparameters[key]))]);
  out.write(`${table(columns, rows)}\n`);
}
