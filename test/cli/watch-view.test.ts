import assert from "node:assert/strict";
import { test } from "node:test";
import { WatchView, type WatchedSweep } from "../../apps/cli/sweeps/watch-view.ts";

function sweep(statuses: Array<"queued" | "running" | "completed">): WatchedSweep {
  const counts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, diverged: 0, pruned: 0 };
  for (const status of statuses) counts[status]++;
  return {
    name: "study",
    status: "active",
    counts,
    runs: statuses.map((status, index) => ({
      id: `r${index}`,
      index,
      status,
      params: { epochs: 3 },
      hyperparameters: { batchSize: 64, lr: 0.0002 * (index + 1) },
      finalTestAccuracy: null,
    })),
  };
}

const progress = { runId: "r0", epoch: 2, epochs: 3, batch: 10, batches: 40, samplesPerSec: 123.45, etaSeconds: 75 };

test("on a terminal, the summary and one bar per running run are redrawn in place; logged lines go above", () => {
  let screen = "";
  const view = new WatchView({ isTTY: true, columns: 200, write: (text: string) => (screen += text) });
  view.sync(sweep(["running", "queued"]));
  assert.equal(screen, "sweep study (active): 0/2 runs final - 1 running, 1 queued\n#0 lr 2.0e-4  starting\n");

  screen = "";
  view.progress(progress);
  assert.equal(
    screen,
    "\x1b[2A\r\x1b[Jsweep study (active): 0/2 runs final - 1 running, 1 queued\n" +
      "#0 lr 2.0e-4  epoch 2/3 [#####---------------] batch 10/40  123.5 samples/s  ETA 1m15s  test acc -\n",
  );

  screen = "";
  view.epoch({ runId: "r0", epoch: 2, testAccuracy: 0.4567, dAccMean: 0.5, gLossMean: 1.25, dLossMean: 0.7 });
  const [logged, ...block] = screen.replace("\x1b[2A\r\x1b[J", "").split("\n");
  assert.ok(screen.startsWith("\x1b[2A\r\x1b[J"), "the block is cleared first");
  assert.equal(logged, "#0 lr 2.0e-4  epoch 2/3: test acc 45.7%  d_acc 50.0%  G loss 1.25  D loss 0.7");
  assert.match(block[1], /test acc 45\.7%$/);
});

test("a narrow terminal gets lines cut to its width, so that the cursor finds the block's top again", () => {
  let screen = "";
  const view = new WatchView({ isTTY: true, columns: 30, write: (text: string) => (screen += text) });
  view.sync(sweep(["running"]));
  view.progress(progress);
  for (const line of screen.split("\n")) assert.ok(line.replace(/\x1b\[\d*[AJ]|\r/g, "").length <= 29, line);
});

test("elsewhere, one plain line per event and per change of the counts", () => {
  const lines: string[] = [];
  const view = new WatchView({ write: (text: string) => lines.push(text) });
  view.sync(sweep(["running", "queued"]));
  view.sync(sweep(["running", "queued"]));
  view.progress(progress);
  view.status({ runId: "r0", status: "completed", workerId: "w1" });
  view.sync(sweep(["completed", "running"]));
  view.end("done");
  assert.deepEqual(lines, [
    "sweep study (active): 0/2 runs final - 1 running, 1 queued\n",
    "#0 lr 2.0e-4  epoch 2/3 batch 10/40  123.5 samples/s  ETA 1m15s  test acc -\n",
    "#0 lr 2.0e-4  completed, test acc -\n",
    "sweep study (active): 1/2 runs final - 1 running, 1 completed\n",
    "done\n",
  ]);
  assert.ok(!lines.join("").includes("\x1b"), "no escape codes in logs");
});

test("runs are labelled by what varies in the sweep: only the variant, or learning rates told apart by enough digits", () => {
  const lines: string[] = [];
  const view = new WatchView({ write: (text: string) => lines.push(text) });
  const byVariant: WatchedSweep = {
    ...sweep(["running", "running"]),
    runs: (["improved", "reference"] as const).map((variant, index) => ({
      id: `r${index}`, index, status: "running" as const, params: { epochs: 3 }, hyperparameters: { batchSize: 64, lr: 2e-4, variant }, finalTestAccuracy: null,
    })),
  };
  view.sync(byVariant);
  view.status({ runId: "r1", status: "pruned", workerId: null });
  assert.equal(lines.at(-1), "#1 variant reference  pruned, test acc -\n");
  view.status({ runId: "r1", status: "pruned", workerId: "w1", reason: "stuck: dAcc stayed within 0.005 of 0.5 for 2 epochs" });
  assert.equal(lines.at(-1), "#1 variant reference  pruned, test acc - - stuck: dAcc stayed within 0.005 of 0.5 for 2 epochs\n", "the pruner's reason, when the event has it");

  const byLr: WatchedSweep = {
    ...sweep(["running", "running"]),
    runs: [1.0309e-4, 1.0329e-4].map((lr, index) => ({
      id: `r${index}`, index, status: "running" as const, params: { epochs: 3 }, hyperparameters: { batchSize: 64, lr, variant: "improved" as const }, finalTestAccuracy: null,
    })),
  };
  view.sync(byLr);
  view.progress({ ...progress, runId: "r0" });
  view.progress({ ...progress, runId: "r1" });
  assert.deepEqual(lines.slice(-2).map((line) => line.split("  ")[0]), ["#0 lr 1.031e-4", "#1 lr 1.033e-4"]);
});
