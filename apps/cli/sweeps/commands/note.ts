import { MAX_NOTE_CHARS } from "../../../../libs/results/index.ts";
import { printJson, type Command } from "../command.ts";
import { printRelabelled } from "../labels.ts";

export const note: Command = {
  args: ["<id>", "<text>"],
  options: ["json"],
  synopsis: "[--json]",
  help: `Set the note of a sweep or a run, by its id ("" removes it): up to ${MAX_NOTE_CHARS} characters, line breaks and
tabs kept. sweeps show prints it.`,
  async run({ api, args: [id, text], options, out }) {
    const relabelled = await api.relabel(id, { note: text });
    if (options.json) return printJson(out, relabelled.record);
    printRelabelled(out, relabelled);
  },
};
