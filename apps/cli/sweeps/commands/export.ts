import { writeFile } from "node:fs/promises";
import { EXPORT_FORMATS } from "../../../../libs/results/index.ts";
import { escaped, terminalSafeJson } from "../../../../libs/terminal-text/index.ts";
import { UsageError, type Command } from "../command.ts";

export const exportSweep: Command = {
  args: ["<sweep id>"],
  options: ["format", "epochs", "out"],
  synopsis: "[--format csv|json] [--epochs] [--out FILE]",
  help: `Export the sweep's runs (one row each: hyperparameters, status, summary figures, the objective)
or, with --epochs, every epoch row of its runs, as CSV (default; RFC 4180, a header row) or JSON, to
--out FILE or printed. Metric figures are the shortest decimals that read back as the same float32
(docs/results-out.md).`,
  async run({ api, args: [sweepId], options, out }) {
    const format = options.format ?? "csv";
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format is ${EXPORT_FORMATS.join(" or ")}, got '${format}'`);
    const text = await api.exportSweep(sweepId, { format, rows: options.epochs ? "epochs" : "runs" });
    if (options.out === undefined) return void out.write(format === "json" ? terminalSafeJson(text) : text);
    await writeFile(options.out, text);
    out.write(escaped`wrote ${options.out} (${text.length} characters)\n`);
  },
};
