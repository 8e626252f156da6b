import { printJson, type Command } from "../command.ts";
import { plural } from "../format.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const pause: Command = {
  args: ["<id>"],
  options: ["json"],
  synopsis: "[--json]",
  help: `Pause a sweep: its queued runs are held (no worker takes them), its running runs stop after their
current epoch, checkpointed, and wait queued; nothing is lost. 'sweeps resume' goes on.`,
  async run({ api, args: [id], options, out }) {
    const result = await api.pauseSweep(id);
    if (options.json) return printJson(out, result);
    out.write(escaped`sweep ${id} paused: ${plural(result.held.length, "queued run")} held; ${plural(result.pausing.length, "running run")} stopping after the current epoch\n`);
    out.write(escaped`go on with: sweeps resume ${id}\n`);
  },
};
