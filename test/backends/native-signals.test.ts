import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./gemm-under-signals.ts", import.meta.url));

/**
 * Runs the GEMM loop in a child while sending it a signal every millisecond. oneDNN's JIT GEMM can
 * run with its stack pointer in a heap buffer; before the addon deferred asynchronous signals around
 * it, every such run died within seconds with "corrupted size vs. prev_size" (glibc, SIGABRT).
 */
async function gemmUnderSignals(threads: number, route: "sgemm" | "primitives"): Promise<{ code: number | string | null; output: string; sent: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, String(threads), "2000", route], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on("data", (chunk) => {
    output += chunk;
    if (timer === undefined && output.includes("READY")) {
      timer = setInterval(() => {
        sent++;
        child.kill("SIGUSR2");
      }, 1);
    }
    if (output.includes("DONE")) clearInterval(timer);
  });
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | string | null>((resolve) => child.on("exit", (c, signal) => resolve(c ?? signal)));
  clearInterval(timer);
  return { code, output, sent };
}

describe("native kernels under asynchronous signals", () => {
  for (const [threads, route] of [[1, "sgemm"], [2, "sgemm"], [2, "primitives"]] as const) {
    it(`a process signalled every millisecond while it runs oneDNN (${route}, ${threads} thread${threads > 1 ? "s" : ""}) keeps a sound heap`, async () => {
      const { code, output, sent } = await gemmUnderSignals(threads, route);
      assert.equal(code, 0, output.slice(-2000));
      const handled = Number(/DONE (\d+)/.exec(output)?.[1]);
      assert.ok(sent > 100 && handled > 100, `signals sent ${sent}, handled ${handled}: the test must actually signal the GEMMs`);
    });
  }
});
