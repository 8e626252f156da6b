import { printJson, type Command } from "../command.ts";
import { escaped } from "../../../../libs/terminal-text/index.ts";

export const retry: Command = {
  args: ["<run id>"],
  options: ["json"],
  synopsis: "[--json]",
  help: `Retry a failed or cancelled run: it is queued again and resumes from its checkpoint (its last
checkpointed epoch; the epochs it recorded stay); its sweep is active again. Diverged and pruned runs
are not retried (the same config and seed, or the same rule, would end them the same way).`,
  async run({ api, args: [runId], options, out }) {
    const result = await api.retryRun(runId);
    if (options.json) return printJson(out, result);
    const from = result.resumesAfterEpoch > 0 ? `resumes after epoch ${result.resumesAfterEpoch}` : "starts from scratch";
    const when = result.enqueued ? "queued" : `queued, waiting for its sweep to resume (sweeps resume ${result.sweepId})`;
    out.write(escaped`run ${runId} ${when}; ${from}\n`);
  },
};
