// sweeps export and sweeps model refuse a bad command line before they ask the API anything (the
// client points at a port where nothing listens: a request would fail as unreachable, not as usage).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SweepsApi } from "../../apps/cli/sweeps/client.ts";
import { UsageError, type CommandContext } from "../../apps/cli/sweeps/command.ts";
import { exportSweep } from "../../apps/cli/sweeps/commands/export.ts";
import { model } from "../../apps/cli/sweeps/commands/model.ts";

const RUN_ID = "9d1e7f2a-0b3c-4d5e-8f6a-7b8c9d0e1f2a";

function context(options: CommandContext["options"]): CommandContext {
  return { api: new SweepsApi("http://127.0.0.1:9"), args: [RUN_ID], options, out: { write: () => true } };
}

describe("results-out command lines", () => {
  it("model needs --out and takes --epoch last, best or an epoch number", async () => {
    await assert.rejects(model.run(context({})), (error) => error instanceof UsageError && /model needs --out DIR/.test(error.message));
    await assert.rejects(model.run(context({ out: "x", epoch: "first" })), (error) => error instanceof UsageError && /--epoch is last, best or an epoch number \(1, 2, \.\.\.\), got 'first'/.test(error.message));
  });

  it("export takes --format csv or json", async () => {
    await assert.rejects(exportSweep.run(context({ format: "xlsx" })), (error) => error instanceof UsageError && /--format is csv or json, got 'xlsx'/.test(error.message));
  });
});
