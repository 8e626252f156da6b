// Child process of native-signals.test.ts: convolution kernels (oneDNN's primitives, or its SGEMM with
// "sgemm") in a loop, with a signal handler installed (as a worker has for SIGTERM) and allocations
// churning the heap around them. Arguments: threads, milliseconds, route.
import { loadNativeAddon } from "../../libs/backends/native/addon.ts";

const load = loadNativeAddon();
if (!load.ok) throw new Error(load.reason);
const { addon } = load;
addon.setThreads(Number(process.argv[2] ?? 1));
addon.setConvPrimitives(process.argv[4] !== "sgemm");
let signals = 0;
process.on("SIGUSR2", () => signals++);
console.log("READY");

const [b, h, ci, co] = [8, 28, 64, 64];
const geometry = Int32Array.of(b, h, h, ci, h, h, co, 3, 3, 1, 1, 1, 1, 1, 1);
const x = new Float32Array(b * h * h * ci).fill(0.5);
const w = new Float32Array(9 * ci * co).fill(0.1);
const y = new Float32Array(b * h * h * co);
const dw = new Float32Array(9 * ci * co);
const churn: Buffer[] = [];
const end = Date.now() + Number(process.argv[3] ?? 2000);
while (Date.now() < end) {
  addon.conv2d(geometry, x, w, y);
  addon.conv2dBackpropFilter(geometry, x, y, dw);
  churn.push(Buffer.alloc(1_000 + ((churn.length * 7_919) % 100_000)));
  if (churn.length > 50) churn.shift();
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(`DONE ${signals}`);
process.removeAllListeners("SIGUSR2");
process.on("SIGUSR2", () => undefined);
setTimeout(() => process.exit(0), 300);
