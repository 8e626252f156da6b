import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../libs/backends/index.ts";
import { loadNativeAddon } from "../../libs/backends/native/addon.ts";
import { enableNativeKernels } from "../../libs/backends/native/index.ts";
import { axisGroups } from "../../libs/backends/native/reduce-kernels.ts";
import { operandMode } from "../../libs/backends/native/elementwise-kernels.ts";
import { compare, randomValues, sizeOf } from "./helpers.ts";

type Inputs = Array<{ shape: number[]; dtype?: "float32" | "bool" }>;

/** Runs `op` on tensors made from the same random values, on one backend; returns the result's values and shape. */
async function runOn(backend: "cpu" | "wasm", inputs: Inputs, op: (...xs: tf.Tensor[]) => tf.Tensor, seed: number) {
  const info = await initBackend(backend);
  if (backend === "wasm") {
    const status = enableNativeKernels(info.threads ?? 1);
    assert.ok(status.enabled, `native kernels are not available: ${status.enabled ? "" : status.reason}`);
  }
  const idsBefore = tf.engine().backend.numDataIds();
  const result = tf.tidy(() => {
    const xs = inputs.map(({ shape, dtype }, i) => {
      const values = randomValues(sizeOf(shape), seed + i);
      return dtype === "bool" ? tf.tensor(values.map((v) => (v > 0 ? 1 : 0)), shape, "bool") : tf.tensor(values, shape);
    });
    const out = op(...xs);
    return { values: Float32Array.from(out.dataSync()), shape: out.shape, dtype: out.dtype };
  });
  assert.equal(tf.engine().backend.numDataIds(), idsBefore, "leaked buffers");
  return result;
}

/** The native kernel's result against tfjs's cpu backend (plain loops) on the same inputs. */
async function matchesCpu(inputs: Inputs, op: (...xs: tf.Tensor[]) => tf.Tensor, tolerance = 1e-5): Promise<void> {
  const want = await runOn("cpu", inputs, op, 42);
  const got = await runOn("wasm", inputs, op, 42);
  assert.deepEqual(got.shape, want.shape);
  assert.equal(got.dtype, want.dtype);
  const d = compare(got.values, want.values);
  assert.ok(d.maxRel < tolerance, `max abs ${d.maxAbs}, rel ${d.maxRel}`);
}

describe("native BatchMatMul matches cpu", () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ["2-D", [5, 7], [7, 4], false, false],
    ["dense-layer weight gradient (a transposed)", [64, 100], [64, 50], true, false],
    ["b transposed", [64, 50], [100, 50], false, true],
    ["both transposed", [7, 5], [4, 7], true, true],
    ["batched", [3, 5, 7], [3, 7, 4], false, false],
    ["a batch of one broadcasts", [1, 5, 7], [3, 7, 4], false, false],
  ];
  for (const [name, a, b, transposeA, transposeB] of cases) {
    it(name, () => matchesCpu([{ shape: a }, { shape: b }], (x, y) => tf.matMul(x!, y!, transposeA, transposeB)));
  }
});

describe("native Sum and Mean match cpu", () => {
  it("over the leading axes (batch-norm statistics, bias gradients)", async () => {
    await matchesCpu([{ shape: [16, 9, 9, 32] }], (x) => tf.sum(x!, [0, 1, 2]));
    await matchesCpu([{ shape: [16, 9, 9, 32] }], (x) => tf.mean(x!, [0, 1, 2], true));
  });
  it("over interleaved axes (the upsampling gradient)", async () => {
    await matchesCpu([{ shape: [4, 7, 2, 7, 2, 16] }], (x) => tf.sum(x!, [2, 4]));
    await matchesCpu([{ shape: [3, 4, 5, 6] }], (x) => tf.mean(x!, [1, 2]));
  });
  it("over one leading axis of many rows, in double precision", async () => {
    await matchesCpu([{ shape: [50_000, 3] }], (x) => tf.sum(x!, 0), 1e-4);
  });
  it("routes only reductions that keep the innermost axis", () => {
    assert.deepEqual(axisGroups([64, 28, 28, 64], [0, 1, 2]), Int32Array.of(64 * 28 * 28, 1, 64, 0));
    assert.deepEqual(axisGroups([64, 14, 2, 14, 2, 128], [2, 4]), Int32Array.of(64 * 14, 0, 2, 1, 14, 0, 2, 1, 128, 0));
    assert.equal(axisGroups([64, 11], [1]), undefined);
    assert.equal(axisGroups([64, 11], []), undefined);
  });
});

// Sizes of 300,000 and [64, 28, 28, 8] pass 2^18 elements, from where the kernels split across threads.
describe("native element-wise kernels match cpu", () => {
  const shape = [4, 5, 6, 7];
  const binaries: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ["add", tf.add], ["sub", tf.sub], ["mul", tf.mul], ["div", tf.div], ["greater", tf.greater],
  ];
  for (const [name, op] of binaries) {
    it(`${name}: same shape, scalar either side, per-channel vector either side`, async () => {
      await matchesCpu([{ shape }, { shape }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape }, { shape: [] }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape: [] }, { shape }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape }, { shape: [7] }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape: [1, 1, 1, 7] }, { shape }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape }, { shape: [6, 7] }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape: [64, 28, 28, 8] }, { shape: [64, 1, 1, 8] }], (a, b) => op(a!, b!));
      await matchesCpu([{ shape: [300_000] }, { shape: [300_000] }], (a, b) => op(a!, b!));
    });
  }
  it("broadcasts over middle axes: a [n, 1, 1, c] mask against [n, h, w, c]", async () => {
    await matchesCpu([{ shape }, { shape: [4, 1, 1, 7] }], tf.mul);
    await matchesCpu([{ shape: [4, 1, 6, 7] }, { shape }], tf.add);
    assert.deepEqual(operandMode([4, 1, 1, 7], [4, 5, 6, 7]), { mode: 2, inner: 7, groupRows: 30 });
    assert.deepEqual(operandMode([1, 1, 1, 7], [4, 5, 6, 7]), { mode: 2, inner: 7, groupRows: 120 });
  });
  it("broadcasts it does not cover go to the wasm kernel, with the same result", async () => {
    await matchesCpu([{ shape: [4, 5, 1, 7] }, { shape: [1, 1, 6, 1] }], tf.mul);
    assert.equal(operandMode([1, 1, 6, 1], [4, 5, 6, 7]), undefined);
    assert.equal(operandMode([4, 1, 6, 1], [4, 5, 6, 7]), undefined);
  });
  it("select (where)", async () => {
    await matchesCpu([{ shape, dtype: "bool" }, { shape }, { shape }], (c, t, e) => tf.where(c!, t!, e!));
    const large = [300_000];
    await matchesCpu([{ shape: large, dtype: "bool" }, { shape: large }, { shape: large }], (c, t, e) => tf.where(c!, t!, e!));
  });
  it("square", () => matchesCpu([{ shape: [300_000] }], (x) => tf.square(x!)));
  it("leakyRelu, with NaN and infinities passed through", async () => {
    await matchesCpu([{ shape: [300_000] }], (x) => tf.leakyRelu(x!, 0.2));
    await initBackend("wasm");
    const special = tf.tensor([NaN, -Infinity, Infinity, -0, -2]);
    assert.deepEqual(Array.from(tf.leakyRelu(special, 0.5).dataSync()), [NaN, -Infinity, Infinity, -0, -1]);
    special.dispose();
  });
});

describe("native relu and Gaussian noise", () => {
  it("relu matches cpu: +0 for negatives, -0 and -infinity; NaN passed through", async () => {
    await matchesCpu([{ shape: [300_000] }], (x) => tf.relu(x!));
    await initBackend("wasm");
    const special = tf.tensor([NaN, -Infinity, Infinity, -0, -2, 3]);
    assert.deepEqual(Array.from(tf.relu(special).dataSync()).map((v) => (Object.is(v, -0) ? "-0" : v)), [NaN, 0, Infinity, 0, 0, 3]);
    special.dispose();
  });
  it("gaussian noise: x + std N(0, 1), the same values on 1 thread and 2", () => {
    const load = loadNativeAddon();
    assert.ok(load.ok, load.ok ? "" : load.reason);
    const x = randomValues(300_001, 3);
    const draw = (threads: number, seed: number) => {
      load.addon.setThreads(threads);
      const out = new Float32Array(x.length);
      load.addon.gaussianNoise(x, out, 0.5, seed);
      return out;
    };
    const noise = draw(1, 7);
    assert.deepEqual(draw(2, 7), noise);
    assert.notDeepEqual(draw(2, 8), noise);
    const z = noise.map((value, i) => (value - x[i]!) / 0.5);
    const mean = z.reduce((sum, value) => sum + value, 0) / z.length;
    const variance = z.reduce((sum, value) => sum + (value - mean) ** 2, 0) / z.length;
    const within = (k: number) => z.filter((value) => Math.abs(value) < k).length / z.length;
    assert.ok(Math.abs(mean) < 0.005 && Math.abs(variance - 1) < 0.01, `mean ${mean}, variance ${variance}`);
    assert.ok(Math.abs(within(1) - 0.6827) < 0.003 && Math.abs(within(2) - 0.9545) < 0.002, `within 1 sd ${within(1)}, 2 sd ${within(2)}`);
  });
});

describe("shared Identity and same-dtype Cast on wasm", () => {
  it("share the buffer and keep it alive while any reference is", async () => {
    await initBackend("wasm");
    const idsBefore = tf.engine().backend.numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const clone = x.clone();
    const cast = tf.cast(x, "float32");
    assert.equal(tf.engine().backend.numDataIds(), idsBefore + 1, "no copies");
    x.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), [1, 2, 3]);
    clone.dispose();
    assert.deepEqual(Array.from(cast.dataSync()), [1, 2, 3]);
    cast.dispose();
    assert.equal(tf.engine().backend.numDataIds(), idsBefore);
    const ints = tf.tensor([1.7, -2.2]);
    const converted = tf.cast(ints, "int32");
    assert.deepEqual(Array.from(converted.dataSync()), [1, -2]);
    tf.dispose([ints, converted]);
  });
});
