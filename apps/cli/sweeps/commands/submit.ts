import { readFile } from "node:fs/promises";
import { plural } from "../format.ts";
import { printJson, UsageError, type Command } from "../command.ts";
import { watchSweep } from "./watch.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const submit: Command = {
  args: ["<file>"],
  options: ["watch", "json"],
  synopsis: "[--watch | --json]",
  help: `Submit the sweep config in <file> (YAML or JSON) and print the sweep's id.
--watch: then follow it as 'watch' does.`,
  async run({ api, args: [file], options, out }) {
    if (options.watch && options.json) throw new UsageError("--watch and --json do not go together");
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
    });
    const submitted = await api.submitSweep(text);
    if (options.json) return printJson(out, submitted);
    const { sweep, runs } = submitted;
    out.write(escaped`submitted sweep ${sweep.id} "${sweep.name}": ${plural(runs.length, "run")}\n`);
    if (options.watch) await watchSweep(api, sweep.id, out);
    else out.write(escaped`follow it: sweeps watch ${sweep.id}\n`);
  },
};
