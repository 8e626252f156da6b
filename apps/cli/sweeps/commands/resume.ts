import { printJson, type Command } from "../command.ts";
import { plural } from "../format.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const resume: Command = {
  args: ["<id>"],
  options: ["json"],
  synopsis: "[--json]",
  help: `Resume a paused sweep: its queued runs go back to the queue (paused runs resume from their
checkpoint) and its study asks for the trials it has room for.`,
  async run({ api, args: [id], options, out }) {
    const result = await api.resumeSweep(id);
    if (options.json) return printJson(out, result);
    out.write(escaped`sweep ${id} active: ${plural(result.requeued.length, "queued run")} back in the queue\n`);
  },
};
