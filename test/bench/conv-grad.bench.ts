/**
 * Per-kernel timing (not a test) of the wasm conv gradient kernels on the
 * seed SGAN's layer shapes at batch 64, img 28, padding 1 (as libs/sgan uses).
 *
 *   npm run bench:conv -- [batch] [threads...]
 *
 * Defaults: batch 64, threads 1 and os.cpus().length. Each thread count runs in
 * its own child process (the wasm thread count is fixed per process).
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Tensor4D, TensorInfo } from "@tensorflow/tfjs-core";

interface Shape {
  name: string;
  size: number;
  inC: number;
  outC: number;
  stride: number;
}

const SHAPES: Shape[] = [
  { name: "G conv1 128->128 @14", size: 14, inC: 128, outC: 128, stride: 1 },
  { name: "G conv2 128->64 @28", size: 28, inC: 128, outC: 64, stride: 1 },
  { name: "G conv3 64->1 @28", size: 28, inC: 64, outC: 1, stride: 1 },
  { name: "D conv1 1->16 s2 @28", size: 28, inC: 1, outC: 16, stride: 2 },
  { name: "D conv2 16->32 s2 @14", size: 14, inC: 16, outC: 32, stride: 2 },
  { name: "D conv3 32->64 s2 @7", size: 7, inC: 32, outC: 64, stride: 2 },
  { name: "D conv4 64->128 s2 @4", size: 4, inC: 64, outC: 128, stride: 2 },
];

async function measure(batch: number, threads: number): Promise<void> {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-wasm");
  const stockDx = tf.getKernel("Conv2DBackpropInput", "wasm")!.kernelFunc;
  const { initBackend } = await import("../../libs/backends/index.ts");
  const info = await initBackend("wasm", { threads });
  const backend = tf.backend();

  /** Mean ms per call: one warm-up (unless reps is 1), then up to `reps` calls within ~1.5 s. */
  const time = (f: () => TensorInfo, reps = 3): number => {
    const run = () => {
      const out = f();
      backend.readSync(out.dataId);
      backend.disposeData(out.dataId);
    };
    if (reps > 1) run();
    const start = performance.now();
    let n = 0;
    while (n < reps && (n === 0 || performance.now() - start < 1500)) {
      run();
      n++;
    }
    return (performance.now() - start) / n;
  };

  const rows: string[] = [];
  for (const s of SHAPES) {
    const o = Math.floor((s.size + 2 - 3) / s.stride) + 1;
    const x = tf.randomNormal([batch, s.size, s.size, s.inC]) as Tensor4D;
    const w = tf.randomNormal([3, 3, s.inC, s.outC]) as Tensor4D;
    const dy = tf.randomNormal([batch, o, o, s.outC]);
    const attrs = { strides: [s.stride, s.stride], pad: 1, dataFormat: "NHWC" };
    const fwd = time(() => tf.conv2d(x, w, s.stride, 1));
    const dW = time(() =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: w.shape } as never) as never,
    );
    const dx = time(() =>
      tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, { ...attrs, inputShape: x.shape } as never) as never,
    );
    // The stock kernel is a scalar loop (threads do not change it): one call is enough.
    const dxStock = time(() => stockDx({ inputs: { dy, filter: w }, backend, attrs: { ...attrs, inputShape: x.shape } as never }) as never, 1);
    const gflop = (2 * batch * o * o * 9 * s.inC * s.outC) / 1e9;
    rows.push(
      [s.name.padEnd(22), fwd, dW, dx, dxStock].map((v) => (typeof v === "number" ? v.toFixed(1).padStart(9) : v)).join(" ") +
        `   dW ${(gflop / (dW / 1000)).toFixed(1).padStart(5)} GFLOP/s`,
    );
    tf.dispose([x, w, dy]);
  }
  console.log(`\n${info.device}, batch ${batch} (ms per call)`);
  console.log(`${"layer".padEnd(22)} ${"forward".padStart(9)} ${"dW (new)".padStart(9)} ${"dx (new)".padStart(9)} ${"dx stock".padStart(9)}`);
  for (const r of rows) console.log(r);
}

const [batchArg, ...threadArgs] = process.argv.slice(2);
const batch = Number(batchArg ?? 64);
if (process.env.BENCH_CHILD_THREADS) {
  await measure(batch, Number(process.env.BENCH_CHILD_THREADS));
} else {
  const threadCounts = threadArgs.length > 0 ? threadArgs.map(Number) : [1, os.cpus().length];
  for (const threads of threadCounts) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(batch)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_CHILD_THREADS: String(threads), LOG_LEVEL: "warn" },
    });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}
