import type { LabelsChange } from "../../../../libs/results/index.ts";
import { printJson, UsageError, type Command } from "../command.ts";
import { printRelabelled } from "../labels.ts";

export const tag: Command = {
  args: ["<id>"],
  rest: "[+tag ...] [-tag ...]",
  options: ["note", "json"],
  synopsis: "[--note TEXT] [--json]",
  help: `Tag a sweep or a run, by its id: +tag (or just tag) adds one, -tag takes one off; --note TEXT sets
its note as well ("" removes it). A tag is 1-40 letters, digits and _ . : -, a letter or digit
first; 20 at most. sweeps ls --tag and sweeps show --tag list what has them.`,
  async run({ api, args: [id, ...changes], options, out }) {
    const change = labelsChange(changes, options.note);
    const relabelled = await api.relabel(id, change);
    if (options.json) return printJson(out, relabelled.record);
    printRelabelled(out, relabelled);
  },
};

/** `+a b -c` and `--note`, as the API takes them; a bad tag is sent as typed, for the API to name. */
function labelsChange(changes: readonly string[], note: string | undefined): LabelsChange {
  const removeTags = changes.filter((change) => change.startsWith("-")).map((change) => change.slice(1));
  const addTags = changes.filter((change) => !change.startsWith("-")).map((change) => change.replace(/^\+/, ""));
  if (addTags.length === 0 && removeTags.length === 0 && note === undefined) throw new UsageError("tag needs +tag, -tag or --note TEXT");
  return { ...(addTags.length > 0 ? { addTags } : {}), ...(removeTags.length > 0 ? { removeTags } : {}), ...(note === undefined ? {} : { note }) };
}
