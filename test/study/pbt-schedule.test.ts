// A pbt run's schedule from its stored exploits: the donor's up to the copied epoch, its own after.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTrainingConfig, type TrainingConfig } from "../../libs/sgan/index.ts";
import { pbtSchedule, replayConfig, type ScheduleExploit, type ScheduleRun } from "../../libs/study/index.ts";

const config = (lr: number, labelSmoothing = 0): TrainingConfig => parseTrainingConfig({ lr, labelSmoothing, imgSize: 28, epochs: 8 });
const FIELDS = ["lr", "labelSmoothing"] as const;

describe("pbtSchedule", () => {
  // Run a (index 0) trains alone; b copies a as of epoch 2 at its epoch 2; c copies b as of epoch 5 at its epoch 4.
  const runs: ScheduleRun[] = [
    { id: "a", index: 0, params: config(1e-3) },
    { id: "b", index: 1, params: config(1.2e-3) },
    { id: "c", index: 2, params: config(0.96e-3, 0.1) },
  ];
  const exploits: ScheduleExploit[] = [
    { runId: "b", epoch: 2, fromRunId: "a", fromEpoch: 2, params: config(1.2e-3), previousParams: config(5e-4) },
    { runId: "c", epoch: 4, fromRunId: "b", fromEpoch: 5, params: config(0.96e-3, 0.1), previousParams: config(2e-4, 0.2) },
  ];
  const schedule = (runId: string, through: number) =>
    pbtSchedule(runs, exploits, FIELDS, runId, through).map(({ firstEpoch, lastEpoch, trainedBy, values }) => [firstEpoch, lastEpoch, trainedBy.index, values]);

  it("follows the copies back: the donor's segments up to the copied epoch, then the run's own", () => {
    assert.deepEqual(schedule("c", 8), [
      [1, 2, 0, { lr: 1e-3, labelSmoothing: 0 }],
      [3, 5, 1, { lr: 1.2e-3, labelSmoothing: 0 }],
      [6, 8, 2, { lr: 0.96e-3, labelSmoothing: 0.1 }],
    ]);
    assert.deepEqual(schedule("a", 8), [[1, 8, 0, { lr: 1e-3, labelSmoothing: 0 }]]);
  });

  it("uses a run's first config before its first copy, and ends at the epoch asked", () => {
    assert.deepEqual(schedule("c", 4), [[1, 4, 2, { lr: 2e-4, labelSmoothing: 0.2 }]], "c trained epochs 1-4 itself before copying b");
    assert.deepEqual(schedule("b", 2), [[1, 2, 0, { lr: 1e-3, labelSmoothing: 0 }]], "b's weights at epoch 2 are a's copy");
    assert.deepEqual(schedule("b", 0), []);
  });

  it("exports a schedule as one run config: the first values, then an entry where they change", () => {
    const replay = replayConfig(runs[2].params, pbtSchedule(runs, exploits, FIELDS, "c", 8));
    assert.deepEqual(replay, { ...config(1e-3), schedule: [{ epoch: 3, lr: 1.2e-3 }, { epoch: 6, lr: 0.96e-3, labelSmoothing: 0.1 }] });
    assert.deepEqual(parseTrainingConfig(replay), replay, "an ordinary run config");
    assert.deepEqual(replayConfig(runs[0].params, pbtSchedule(runs, exploits, FIELDS, "a", 8)), config(1e-3), "no change, no schedule");
  });
});
