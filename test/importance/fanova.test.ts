// Parameter importance (libs/importance) on synthetic objectives whose answer is known: additive
// functions, whose main effects hold all their variance, so that each parameter's true share is
// Var(f_i) / sum of Var(f_j) under the uniform measure on the search space (in the axis' scale).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FANOVA_SETTINGS, parameterImportance, type ImportanceParameter, type ImportanceResult } from "../../libs/importance/index.ts";
import { createRng } from "../../libs/random/index.ts";

type Params = Record<string, number | string>;

/** `count` trials drawn uniformly over the parameters' axes (log ones uniform in log space), valued by `objective`. */
function randomTrials(parameters: readonly ImportanceParameter[], count: number, objective: (params: Params) => number, seed = 1) {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const params: Params = {};
    for (const parameter of parameters) {
      if (parameter.scale === "categorical") params[parameter.name] = parameter.categories[rng.int(parameter.categories.length)] as string;
      else if (parameter.scale === "log") params[parameter.name] = Math.exp(Math.log(parameter.low) + rng.next() * (Math.log(parameter.high) - Math.log(parameter.low)));
      else params[parameter.name] = parameter.low + rng.next() * (parameter.high - parameter.low);
    }
    return { params, value: objective(params) };
  });
}

function shares(result: ImportanceResult): Record<string, number> {
  assert.ok(result.assessed, JSON.stringify(result));
  const total = result.parameters.reduce((sum, parameter) => sum + parameter.importance, 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `shares sum to 1, not ${total}`);
  return Object.fromEntries(result.parameters.map((parameter) => [parameter.name, parameter.importance]));
}

const unit = (name: string): ImportanceParameter => ({ name, scale: "linear", low: 0, high: 1 });
const X = [unit("x1"), unit("x2"), unit("x3")];

describe("parameter importance (fANOVA over a random forest)", () => {
  test("y = 10 sin(3 x1) + x2^2 + 0 x3 over 100 random trials: x1 > x2 > x3, x3 near 0, best first", () => {
    const result = parameterImportance(X, randomTrials(X, 100, (p) => 10 * Math.sin(3 * (p.x1 as number)) + (p.x2 as number) ** 2));
    assert.ok(result.assessed);
    assert.deepEqual(result.parameters.map((parameter) => parameter.name), ["x1", "x2", "x3"]);
    const share = shares(result);
    // True shares: Var(10 sin 3x) = 8.33, Var(x^2) = 4/45: 0.989 and 0.011.
    assert.ok(Math.abs(share.x1 - 0.989) < 0.015, `x1 ${share.x1}`);
    assert.ok(share.x2 > share.x3 && share.x3 < 0.005, `x2 ${share.x2}, x3 ${share.x3}`);
    for (const parameter of result.parameters) assert.ok(parameter.varianceFraction > 0 && parameter.varianceFraction <= 1);
  });

  test("only one parameter matters: its share is about 1", () => {
    const share = shares(parameterImportance(X, randomTrials(X, 100, (p) => Math.exp(2 * (p.x2 as number)))));
    assert.ok(share.x2 > 0.99, `x2 ${share.x2}`);
  });

  test("additive steps and categories, which trees fit exactly: the shares are the true variance decomposition", () => {
    const parameters: ImportanceParameter[] = [unit("x1"), unit("x2"), { name: "variant", scale: "categorical", categories: ["a", "b", "c", "d"] }, unit("unused")];
    const effect: Record<string, number> = { a: 0, b: 2, c: 2, d: 4 };
    const objective = (p: Params) => 3 * Number((p.x1 as number) > 0.5) + Number((p.x2 as number) > 0.3) + effect[p.variant as string];
    // Var(3 [x1 > 0.5]) = 9/4, Var([x2 > 0.3]) = 0.21, Var(effect) over four equally likely categories = 2.
    const truth = { x1: 2.25 / 4.46, x2: 0.21 / 4.46, variant: 2 / 4.46, unused: 0 };
    const share = shares(parameterImportance(parameters, randomTrials(parameters, 200, objective)));
    for (const [name, expected] of Object.entries(truth)) assert.ok(Math.abs(share[name] - expected) < 0.03, `${name}: ${share[name]}, true ${expected}`);
  });

  test("a log-scaled parameter is measured along its log axis, where the sweep samples it", () => {
    const parameters: ImportanceParameter[] = [{ name: "lr", scale: "log", low: 1e-5, high: 1e-1 }, { name: "x", scale: "linear", low: 0, high: 1 }];
    // log10(lr) spans 4, as 4x does: equal variances, equal shares. On a linear lr axis, lr would
    // look flat above 1e-2 (90% of that axis) and get far less.
    const share = shares(parameterImportance(parameters, randomTrials(parameters, 150, (p) => Math.log10(p.lr as number) + 4 * (p.x as number))));
    assert.ok(Math.abs(share.lr - 0.5) < 0.07, `lr ${share.lr}`);
  });

  test("the same trials and seed give the same numbers; another seed, nearly the same", () => {
    const trials = randomTrials(X, 60, (p) => 2 * (p.x1 as number) + (p.x2 as number));
    assert.deepEqual(parameterImportance(X, trials), parameterImportance(X, trials));
    const other = shares(parameterImportance(X, trials, { ...FANOVA_SETTINGS, seed: 99 }));
    const first = shares(parameterImportance(X, trials));
    assert.notDeepEqual(other, first);
    for (const name of ["x1", "x2", "x3"]) assert.ok(Math.abs(other[name] - first[name]) < 0.03, `${name}: ${other[name]} vs ${first[name]}`);
  });

  test("too few trials, one value for all, or nothing that varies: not assessed, with the reason", () => {
    const trial = (x1: number, value: number) => ({ params: { x1, x2: 0.5, x3: 0.5 }, value });
    const none = parameterImportance(X, []);
    assert.deepEqual(none, { assessed: false, trials: 0, reason: "not enough trials: 0 finished with a value, fANOVA needs at least 2" });
    const one = parameterImportance(X, [trial(0.2, 1), trial(0.4, NaN), { params: { x1: 7, x2: 0.5, x3: 0.5 }, value: 2 }]);
    assert.deepEqual(one, { assessed: false, trials: 1, reason: "not enough trials: 1 finished with a value, fANOVA needs at least 2" }, "a non-finite value and a value off the space are left out");
    const flat = parameterImportance(X, [trial(0.2, 1), trial(0.8, 1), trial(0.5, 1)]);
    assert.deepEqual(flat, { assessed: false, trials: 3, reason: "not enough trials: all 3 finished trials have the same value" });
    assert.equal(parameterImportance([], [trial(0.2, 1), trial(0.8, 2)]).assessed, false);
    const two = shares(parameterImportance(X, [trial(0.2, 1), trial(0.8, 2)]));
    assert.deepEqual(two, { x1: 1, x2: 0, x3: 0 }, "two trials that differ in x1 alone");
  });

  test("categorical values are matched as they are: a category the space does not list leaves its trial out", () => {
    const parameters: ImportanceParameter[] = [{ name: "spectralNorm", scale: "categorical", categories: [true, false] }];
    const result = parameterImportance(parameters, [
      { params: { spectralNorm: true }, value: 0.9 },
      { params: { spectralNorm: false }, value: 0.5 },
      { params: { spectralNorm: "true" }, value: 0.1 },
    ]);
    assert.deepEqual(result, { assessed: true, trials: 2, parameters: [{ name: "spectralNorm", scale: "categorical", importance: 1, varianceFraction: 1 }] });
  });
});
