import { printJson, type Command } from "../command.ts";
import { plural } from "../format.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const cancel: Command = {
  args: ["<id>"],
  options: ["json"],
  synopsis: "[--json]",
  help: `Cancel a sweep: its queued runs are dropped, its running runs stop after their current batch.`,
  async run({ api, args: [id], options, out }) {
    const result = await api.cancelSweep(id);
    if (options.json) return printJson(out, result);
    const { cancelledQueued, stopping } = result;
    if (cancelledQueued.length === 0 && stopping.length === 0) {
      out.write(escaped`sweep ${id}: nothing to cancel, no run is queued or running\n`);
      return;
    }
    out.write(escaped`sweep ${id}: cancelled ${plural(cancelledQueued.length, "queued run")}; ${plural(stopping.length, "running run")} stopping after the current batch\n`);
  },
};
