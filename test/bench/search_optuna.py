# Optuna 3.1's side of `npm run bench:search`: the same replay of the recorded curves with Optuna's
# own samplers and pruners (Debian python3-optuna, /usr/bin/python3). Prints, as JSON, the median over
# seeds of the epochs spent until a trial ends within `tolerance` of the best final test accuracy.
# Usage: /usr/bin/python3 test/bench/search_optuna.py FIXTURE SEEDS TOLERANCE
import json
import statistics
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

fixture_path, seeds, tolerance = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with open(fixture_path) as handle:
    fixture = json.load(handle)
curves = {}
for curve in fixture["curves"]:
    c = curve["configuration"]
    curves[(c["lr"], c["batchSize"], c["b1"], c["variant"])] = [row["testAccuracy"] for row in curve["epochs"]]
epochs_per_run = len(next(iter(curves.values())))
best = max(values[-1] for values in curves.values())
space = {key: sorted({k[i] for k in curves}, key=str) for i, key in enumerate(["lr", "batchSize", "b1", "variant"])}

samplers = {"random": lambda seed: optuna.samplers.RandomSampler(seed=seed), "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed)}
pruners = {
    "none": lambda: optuna.pruners.NopPruner(),
    "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
    "asha": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs_per_run, reduction_factor=3),
}


def replay(sampler, pruner):
    spent = {"epochs": 0, "found": None}

    def objective(trial):
        key = tuple(trial.suggest_categorical(name, space[name]) for name in ["lr", "batchSize", "b1", "variant"])
        values = curves[key]
        for epoch, value in enumerate(values, start=1):
            spent["epochs"] += 1
            if epoch == epochs_per_run:
                if spent["found"] is None and value >= best - tolerance:
                    spent["found"] = spent["epochs"]
                return value
            trial.report(value, epoch - 1)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return values[-1]

    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    study.optimize(objective, n_trials=len(curves))
    return spent["found"] if spent["found"] is not None else spent["epochs"]


result = {}
for sampler_name, make_sampler in samplers.items():
    for pruner_name, make_pruner in pruners.items():
        found = [replay(make_sampler(seed), make_pruner()) for seed in range(seeds)]
        result[f"{sampler_name}+{pruner_name}"] = statistics.median_low(found)
print(json.dumps(result))
