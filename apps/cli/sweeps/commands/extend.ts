import { printJson, UsageError, type Command } from "../command.ts";
import { plural } from "../format.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const extend: Command = {
  args: ["<id>"],
  options: ["trials", "json"],
  synopsis: "--trials N [--json]",
  help: `Add N trials (configurations, 1-1000) to a sweep's budget: its study asks for them as it goes on
(at once when active or completed; after 'sweeps resume' when paused). The sweep stays within 1000
runs, repeats included, and within its search space.`,
  async run({ api, args: [id], options, out }) {
    if (options.trials === undefined) throw new UsageError("extend needs --trials N");
    // As typed when it is no number: the API names what is wrong with it.
    const trials = Number.isFinite(Number(options.trials)) && options.trials.trim() !== "" ? Number(options.trials) : options.trials;
    const result = await api.extendSweep(id, trials);
    if (options.json) return printJson(out, result);
    out.write(escaped`sweep ${id} (${result.status}): ${plural(result.added, "trial")} added, ${result.trialBudget} in its budget\n`);
  },
};
