/**
 * `npm run native:build`: compiles sgan_native.cc into build/sgan_native.node with the machine's g++
 * and Node's own headers. The SGEMM library is found at run time (dlopen), so nothing else
 * is needed to build. Exits 0 with a warning when no compiler is present: workers then run
 * on the wasm kernels alone.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ADDON_PATH } from "./addon.ts";

const source = resolve(import.meta.dirname, "sgan_native.cc");
const headers = [join(dirname(process.execPath), "../include/node"), "/usr/include/node"].find((dir) =>
  existsSync(join(dir, "node_api.h")),
);
const compiler = process.env.CXX ?? "g++";

if (headers === undefined) {
  console.warn("native:build skipped: Node's headers (node_api.h) were not found; workers will use the wasm kernels only");
  process.exit(0);
}
mkdirSync(dirname(ADDON_PATH), { recursive: true });
// With oneDNN's headers (Debian libdnnl-dev) the convolutions use its primitives, and the addon links it.
const dnnlHeaders = existsSync("/usr/include/oneapi/dnnl/dnnl.hpp");
const args = ["-O3", "-fno-trapping-math", "-std=c++17", "-fPIC", "-shared", "-fopenmp", "-Wall", `-I${headers}`,
  "-DNODE_GYP_MODULE_NAME=sgan_native", source, "-o", ADDON_PATH, "-ldl", ...(dnnlHeaders ? ["-ldnnl"] : [])];
try {
  execFileSync(compiler, args, { stdio: ["ignore", "inherit", "inherit"] });
  console.log(`native:build: ${ADDON_PATH}${dnnlHeaders ? " (oneDNN convolution primitives)" : " (no oneDNN headers: convolutions through SGEMM; apt-get install libdnnl-dev for the faster primitives)"}`);
} catch (error) {
  const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
  if (!missing) throw error;
  console.warn(`native:build skipped: ${compiler} not found (apt-get install g++); workers will use the wasm kernels only`);
}
