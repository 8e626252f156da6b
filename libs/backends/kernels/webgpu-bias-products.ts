// A layer's product and its bias in one dispatch on webgpu: tfjs-backend-webgpu's FusedConv2D and
// _FusedMatMul (no activation) under names of this project's, whose gradients compute only what the
// tape asks for. tfjs's own fused ops compute every input's gradient, the pruned ones too (tried: 4
// more Conv2DBackpropFilter calls a step, its slowest kernel); these defer each one, as Conv2D's does.
import { Conv2DBackpropFilter, Conv2DBackpropInput, engine, getKernel, matMul, registerGradient, sum, type KernelConfig, type NamedAttrMap, type Tensor } from "@tensorflow/tfjs-core";

/** inputs x [n, h, w, c], filter, bias [out]; attrs strides [s, s], pad (a number, as tf.conv2d takes it) -> conv2d(x, filter) + bias. */
export const CONV2D_BIAS_KERNEL = "SganConv2DBias";
/** inputs a [1, n, k], b [1, k, m], bias [m] -> a b + bias, [1, n, m]. */
export const MATMUL_BIAS_KERNEL = "SganMatMulBias";

function stock(name: string): KernelConfig {
  const kernel = getKernel(name, "webgpu");
  if (!kernel) throw new Error(`@tensorflow/tfjs-backend-webgpu has no ${name} kernel to fuse the bias into`);
  return kernel;
}

export const webgpuConv2DBiasConfig: KernelConfig = {
  kernelName: CONV2D_BIAS_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, attrs, backend }) =>
    stock("FusedConv2D").kernelFunc({
      inputs,
      backend,
      attrs: { ...attrs, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined, activation: "linear" } as unknown as NamedAttrMap,
    }),
};

export const webgpuMatMulBiasConfig: KernelConfig = {
  kernelName: MATMUL_BIAS_KERNEL,
  backendName: "webgpu",
  kernelFunc: ({ inputs, backend }) =>
    stock("_FusedMatMul").kernelFunc({ inputs, backend, attrs: { transposeA: false, transposeB: false, activation: "linear" } as unknown as NamedAttrMap }),
};

const convAttrs = (attrs: NamedAttrMap) => ({ strides: attrs.strides, pad: attrs.pad, dataFormat: "NHWC", dimRoundingMode: undefined }) as unknown as NamedAttrMap;

registerGradient({
  kernelName: CONV2D_BIAS_KERNEL,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor, Tensor];
    const gradient = dy as Tensor;
    const run = (name: string, inputs: Record<string, Tensor>, extra: NamedAttrMap) => engine().runKernel(name, inputs, { ...convAttrs(attrs), ...extra }) as Tensor;
    return {
      x: () => run(Conv2DBackpropInput, { dy: gradient, filter }, { inputShape: x.shape } as unknown as NamedAttrMap),
      filter: () => run(Conv2DBackpropFilter, { x, dy: gradient }, { filterShape: filter.shape } as unknown as NamedAttrMap),
      bias: () => sum(gradient, [0, 1, 2]),
    };
  },
});

registerGradient({
  kernelName: MATMUL_BIAS_KERNEL,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved as [Tensor, Tensor];
    const gradient = dy as Tensor;
    return {
      a: () => matMul(gradient, b, false, true),
      b: () => matMul(a, gradient, true, false),
      bias: () => sum(gradient, [0, 1]),
    };
  },
});
