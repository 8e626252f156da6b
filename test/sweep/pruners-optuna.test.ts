// Our median, asha and hyperband pruners against Optuna's MedianPruner, SuccessiveHalvingPruner and
// HyperbandPruner, decision by decision, on the studies of test/fixtures/pruners/optuna-decisions.json.
// Regenerate the fixture (Debian's python3-optuna 3.1, offline):
//   /usr/bin/python3 test/fixtures/pruners/optuna-decisions.py > test/fixtures/pruners/optuna-decisions.json
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createPruner, prunerConfigSchema, type PrunerTrial, type StudyDirection } from "../../libs/sweep/index.ts";

interface Decision {
  trial: number;
  epoch: number;
  prune: boolean;
}

interface OptunaCase {
  name: string;
  pruner: unknown;
  seed: number;
  epochs: number;
  direction: StudyDirection;
  curves: Record<string, number[]>;
  events: Decision[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/pruners/optuna-decisions.json", import.meta.url), "utf8")) as {
  optuna: string;
  cases: OptunaCase[];
};

/** Replays Optuna's reports in the order they happened, each judged against the study as it stood then. */
function ourDecisions(study: OptunaCase): Decision[] {
  const pruner = createPruner(prunerConfigSchema.parse(study.pruner), { seed: study.seed, epochs: study.epochs });
  const trials = new Map<number, PrunerTrial & { curve: { epoch: number; value: number }[] }>();
  return study.events.map(({ trial: number, epoch }) => {
    const trial = trials.get(number) ?? { id: String(number), state: "running", curve: [] };
    trials.set(number, trial);
    trial.curve.push({ epoch, value: study.curves[number][epoch - 1] });
    const { prune } = pruner.prune(trial, { direction: study.direction, trials: [...trials.values()] });
    if (prune) trial.state = "pruned";
    else if (epoch === study.epochs) trial.state = "complete";
    return { trial: number, epoch, prune };
  });
}

describe(`pruners decide as Optuna ${fixture.optuna} does`, () => {
  for (const kind of ["median", "asha", "hyperband"]) {
    it(`${kind}: every decision of ${fixture.cases.filter((study) => study.name.startsWith(kind)).length} studies`, () => {
      const studies = fixture.cases.filter((study) => study.name.startsWith(kind));
      assert.ok(studies.some((study) => study.events.some((event) => event.prune)), "the fixture prunes somewhere");
      for (const study of studies) {
        const ours = ourDecisions(study);
        const first = ours.findIndex((decision, i) => decision.prune !== study.events[i].prune);
        assert.equal(first, -1, `${study.name} (${JSON.stringify(study.pruner)}, ${study.direction}): report ${first} ${JSON.stringify(study.events[first])} decided otherwise`);
      }
    });
  }
});
