import assert from "node:assert/strict";
import { test } from "node:test";
import { distinguishingDigits, parameterFormat, varyingParameters } from "../../libs/results/parameter-format.ts";

const configuration = (overrides: Record<string, unknown>) => ({ batchSize: 64, lr: 2e-4, b1: 0.5, b2: 0.999, latentDim: 100, variant: "improved", spectralNorm: false, labeled: 100, ...overrides });

test("a learning rate gets the fewest digits (at least 2) that keep the sweep's values apart", () => {
  const close = parameterFormat([configuration({ lr: 1.0309e-4 }), configuration({ lr: 1.0329e-4 }), configuration({ lr: 3.2e-4 })]);
  assert.deepEqual(["lr 1.031e-4", "lr 1.033e-4", "lr 3.200e-4"], [1.0309e-4, 1.0329e-4, 3.2e-4].map((lr) => close.label(configuration({ lr }))));
  const apart = parameterFormat([configuration({ lr: 2e-4 }), configuration({ lr: 1e-3 })]);
  assert.equal(apart.value("lr", 2e-4), "2.0e-4");
  assert.equal(apart.value("lr", 1e-3), "1.0e-3");
});

test("the digits suffice for any two distinct values, however close", () => {
  const a = 1.23456789012e-4;
  const b = 1.23456789013e-4;
  const format = parameterFormat([configuration({ lr: a }), configuration({ lr: b })]);
  assert.notEqual(format.value("lr", a), format.value("lr", b));
  assert.equal(distinguishingDigits([a, b, a], (value, digits) => value.toExponential(digits - 1), 2), 12);
});

test("labels name every hyperparameter that varies, by short name, and nothing else", () => {
  const variantOnly = parameterFormat([configuration({ variant: "improved" }), configuration({ variant: "reference" })]);
  assert.deepEqual(variantOnly.varying, ["variant"]);
  assert.equal(variantOnly.label(configuration({ variant: "reference" })), "variant reference");
  const three = parameterFormat([configuration({ batchSize: 32, spectralNorm: true }), configuration({ batchSize: 128, b1: 0.9 })]);
  assert.deepEqual(three.varying, ["batchSize", "b1", "spectralNorm"]);
  assert.equal(three.label(configuration({ batchSize: 32, spectralNorm: true })), "bs 32 b1 0.5 sn true");
  assert.equal(parameterFormat([configuration({})]).label(configuration({})), "", "one configuration: nothing varies");
  assert.deepEqual(varyingParameters([]), []);
});

test("other fractions keep 4 significant digits without trailing zeros, more when the sweep needs them", () => {
  const format = parameterFormat([configuration({ b2: 0.999 }), configuration({ b2: 0.99 })]);
  assert.equal(format.value("b2", 0.999), "0.999");
  assert.equal(format.value("b2", 0.99), "0.99");
  const fine = parameterFormat([configuration({ b1: 0.50001 }), configuration({ b1: 0.50002 })]);
  assert.equal(fine.value("b1", 0.50001), "0.50001");
  assert.equal(format.value("batchSize", 64), "64");
  assert.equal(format.value("variant", undefined), "–");
});
