import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../libs/backends/index.ts";
import { disableNativeKernels, enableNativeKernels } from "../../libs/backends/native/index.ts";
import { loadNativeAddon } from "../../libs/backends/native/addon.ts";
import { compare, randomValues, runKernel, sizeOf } from "./helpers.ts";
import { plainConv2D, plainConv2DBackpropFilter, plainConv2DBackpropInput } from "./plain-conv.ts";

type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  filter: [number, number];
  strides: [number, number];
  pad: Pad;
}

// Small shapes: the plain definitions below are scalar loops.
const CASES: Case[] = [
  { batch: 1, size: [7, 7], inC: 1, outC: 16, filter: [3, 3], strides: [1, 1], pad: "same" },
  { batch: 4, size: [7, 7], inC: 1, outC: 16, filter: [3, 3], strides: [2, 2], pad: "same" },
  { batch: 8, size: [14, 14], inC: 16, outC: 32, filter: [3, 3], strides: [2, 2], pad: "same" },
  { batch: 3, size: [14, 14], inC: 16, outC: 32, filter: [3, 3], strides: [1, 1], pad: "same" },
  { batch: 2, size: [7, 7], inC: 64, outC: 128, filter: [3, 3], strides: [1, 1], pad: "same" },
  { batch: 5, size: [7, 7], inC: 64, outC: 128, filter: [3, 3], strides: [2, 2], pad: "same" },
  { batch: 1, size: [14, 14], inC: 64, outC: 128, filter: [3, 3], strides: [2, 2], pad: "same" },
  // What the SGAN layers use: numeric padding 1 like nn.Conv2d(padding=1).
  { batch: 4, size: [28, 28], inC: 1, outC: 16, filter: [3, 3], strides: [2, 2], pad: 1 },
  { batch: 4, size: [7, 7], inC: 32, outC: 64, filter: [3, 3], strides: [2, 2], pad: 1 },
  { batch: 2, size: [4, 4], inC: 64, outC: 128, filter: [3, 3], strides: [2, 2], pad: 1 },
  { batch: 1, size: [7, 7], inC: 128, outC: 64, filter: [3, 3], strides: [1, 1], pad: 1 },
  // Images large enough for the native stride-1 path on a padded grid (margins under 25%).
  { batch: 2, size: [20, 20], inC: 8, outC: 16, filter: [3, 3], strides: [1, 1], pad: 1 },
  { batch: 1, size: [24, 22], inC: 5, outC: 6, filter: [3, 3], strides: [1, 1], pad: "valid" },
  // The generator's last layer: one output channel (the native kernels' direct loops).
  { batch: 3, size: [9, 9], inC: 64, outC: 1, filter: [3, 3], strides: [1, 1], pad: 1 },
  // Edges: valid padding with unused trailing rows, non-square images and strides,
  // 5x5 and 1x1 filters, explicit padding wider than the filter reach.
  { batch: 2, size: [8, 8], inC: 3, outC: 5, filter: [3, 3], strides: [2, 2], pad: "valid" },
  { batch: 3, size: [9, 6], inC: 4, outC: 6, filter: [3, 3], strides: [2, 1], pad: "valid" },
  { batch: 2, size: [11, 9], inC: 5, outC: 7, filter: [5, 5], strides: [2, 2], pad: "same" },
  { batch: 2, size: [6, 6], inC: 8, outC: 4, filter: [1, 1], strides: [1, 1], pad: "valid" },
  { batch: 1, size: [5, 5], inC: 2, outC: 3, filter: [3, 3], strides: [1, 1], pad: 3 },
  { batch: 2, size: [7, 8], inC: 4, outC: 3, filter: [3, 3], strides: [2, 2], pad: [[0, 0], [2, 0], [0, 3], [0, 0]] },
];

const TOLERANCE = 1e-5; // relative to the largest reference value; float32 sums of up to ~2k terms

function outSize(c: Case): [number, number] {
  const dim = (n: number, f: number, s: number, i: number): number => {
    if (c.pad === "same") return Math.ceil(n / s);
    if (c.pad === "valid") return Math.ceil((n - f + 1) / s);
    const [lo, hi] = typeof c.pad === "number" ? [c.pad, c.pad] : c.pad[i + 1]!;
    return Math.floor((n + lo + hi - f) / s) + 1;
  };
  return [dim(c.size[0], c.filter[0], c.strides[0], 0), dim(c.size[1], c.filter[1], c.strides[1], 1)];
}

function describeCase(c: Case): string {
  return `b${c.batch} ${c.size.join("x")} ${c.inC}->${c.outC} f${c.filter.join("x")} s${c.strides.join(",")} pad ${JSON.stringify(c.pad)}`;
}

/** Runs the kernel on `backend`, checking that it frees every intermediate buffer. */
/**
 * Where a kernel runs: the wasm backend with the native kernels (the default where the addon is
 * built: oneDNN's convolution primitives where built in), the native kernels with the convolutions
 * through SGEMM (grid, im2col and direct routes), the wasm backend's own (XNNPACK-based) kernels, or
 * the cpu backend.
 */
type Variant = "wasm native" | "wasm native sgemm" | "wasm" | "cpu";
const VARIANTS: Variant[] = ["wasm native", "wasm native sgemm", "wasm", "cpu"];

/** Runs the kernel on `variant`, checking that it frees every intermediate buffer. */
async function runOn(
  variant: Variant,
  name: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  const info = await initBackend(variant === "cpu" ? "cpu" : "wasm");
  const addon = loadNativeAddon();
  if (variant.startsWith("wasm native")) {
    const status = enableNativeKernels(info.threads ?? 1);
    assert.ok(status.enabled && addon.ok, `native kernels are not available: ${status.enabled ? "" : status.reason}`);
    addon.addon.setConvPrimitives(variant === "wasm native");
  } else {
    disableNativeKernels();
  }
  try {
    const idsBefore = tf.engine().backend.numDataIds();
    const result = runKernel(name, inputs, attrs);
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, `${name} on ${variant} leaked intermediate buffers`);
    return result;
  } finally {
    enableNativeKernels(info.threads ?? 1);
    if (addon.ok) addon.addon.setConvPrimitives(true);
  }
}

// Every convolution kernel the project registers (native, and wasm's/cpu's composites) against the definition.
describe("conv kernels match the plain definition", () => {
  CASES.forEach((c, i) => {
    const [oH, oW] = outSize(c);
    const xShape = [c.batch, c.size[0], c.size[1], c.inC] as [number, number, number, number];
    const dyShape = [c.batch, oH, oW, c.outC];
    const filterShape = [c.filter[0], c.filter[1], c.inC, c.outC] as [number, number, number, number];
    const x = { shape: xShape, values: randomValues(sizeOf(xShape), 1000 + i) };
    const dy = { shape: dyShape, values: randomValues(sizeOf(dyShape), 2000 + i) };
    const filter = { shape: filterShape, values: randomValues(sizeOf(filterShape), 3000 + i) };
    const pad = c.pad as Parameters<typeof plainConv2DBackpropFilter>[5];
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC" };

    for (const variant of VARIANTS) {
      it(`Conv2D on ${variant} ${describeCase(c)}`, async () => {
        const got = await runOn(variant, "Conv2D", { x, filter }, { ...attrs, dilations: [1, 1] });
        assert.deepEqual(got.shape, dyShape);
        const d = compare(got.values, plainConv2D(x.values, xShape, filter.values, filterShape, c.strides, pad));
        assert.ok(d.maxRel < TOLERANCE, `max abs ${d.maxAbs}, rel ${d.maxRel}`);
      });

      it(`Conv2DBackpropFilter on ${variant} ${describeCase(c)}`, async () => {
        const got = await runOn(variant, "Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape });
        assert.deepEqual(got.shape, filterShape);
        const d = compare(got.values, plainConv2DBackpropFilter(x.values, xShape, dy.values, filterShape, c.strides, pad));
        assert.ok(d.maxRel < TOLERANCE, `max abs ${d.maxAbs}, rel ${d.maxRel}`);
      });

      // cpu's Conv2DBackpropInput is tfjs's own.
      if (variant === "cpu") continue;
      it(`Conv2DBackpropInput on ${variant} ${describeCase(c)}`, async () => {
        const got = await runOn(variant, "Conv2DBackpropInput", { dy, filter }, { ...attrs, inputShape: xShape });
        assert.deepEqual(got.shape, xShape);
        const d = compare(got.values, plainConv2DBackpropInput(dy.values, xShape, filter.values, filterShape, c.strides, pad));
        assert.ok(d.maxRel < TOLERANCE, `max abs ${d.maxAbs}, rel ${d.maxRel}`);
      });
    }
  });
});
