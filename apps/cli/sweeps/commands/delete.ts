import { createInterface } from "node:readline/promises";
import { printJson, UsageError, type Command } from "../command.ts";
import { plural } from "../format.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const remove: Command = {
  args: ["<id>"],
  options: ["yes", "json"],
  synopsis: "[--yes] [--json]",
  help: `Delete a sweep and everything it stored: runs, epochs, sample images, checkpoints, logs, and its
jobs; running runs are stopped first. It cannot be undone: asks first unless --yes (-y).`,
  async run({ api, args: [id], options, out }) {
    if (!options.yes) await confirm(api, id);
    const result = await api.deleteSweep(id);
    if (options.json) return printJson(out, result);
    out.write(escaped`deleted sweep ${id}: ${plural(result.deletedRuns, "run")} with everything they stored${result.stopped.length > 0 ? `; ${plural(result.stopped.length, "running run")} stopped` : ""}\n`);
  },
};

async function confirm(api: Parameters<Command["run"]>[0]["api"], id: string): Promise<void> {
  if (!process.stdin.isTTY) throw new UsageError("delete cannot ask here (stdin is not a terminal): pass --yes to delete without asking");
  const sweep = await api.getSweep(id);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(escaped`delete sweep "${sweep.name}" (${sweep.status}) with its ${plural(sweep.runs.length, "run")} and everything they stored? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new Error(`not deleted (answer y to delete)`);
  } finally {
    prompt.close();
  }
}
