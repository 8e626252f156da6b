import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import os from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailableError, initBackend } from "../../libs/backends/index.ts";

/** Machines with a GPU or libtensorflow legitimately pick something else for "auto". */
async function rejectsUnavailable(choice: "tensorflow" | "webgpu"): Promise<boolean> {
  try {
    await initBackend(choice);
    return false;
  } catch (err) {
    assert.ok(err instanceof BackendUnavailableError, `expected BackendUnavailableError, got ${String(err)}`);
    assert.equal(err.backend, choice);
    return true;
  }
}

describe("initBackend", () => {
  it("cpu", async () => {
    const info = await initBackend("cpu");
    assert.deepEqual(info, { name: "cpu", device: "cpu (pure JS)" });
    assert.equal(tf.getBackend(), "cpu");
    assert.deepEqual(Array.from(tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync()), [4, 6]);
  });

  it("tensorflow rejects with BackendUnavailableError saying what to install, when tfjs-node is absent", async (t) => {
    try {
      await initBackend("tensorflow");
      t.skip("a tfjs-node binding is installed here");
    } catch (err) {
      assert.ok(err instanceof BackendUnavailableError);
      assert.match(err.message, /install @tensorflow\/tfjs-node/i);
    }
  });

  it("webgpu without a usable GPU rejects with BackendUnavailableError, quickly", async (t) => {
    const started = performance.now();
    const unavailable = await rejectsUnavailable("webgpu");
    if (!unavailable) return t.skip("this machine has a WebGPU adapter");
    assert.ok(performance.now() - started < 10_000, "the probe should fail fast");
    // A second call answers from the remembered probe.
    const again = performance.now();
    await assert.rejects(initBackend("webgpu"), BackendUnavailableError);
    assert.ok(performance.now() - again < 50);
  });

  it("wasm: SIMD, threads across all cores, native kernels, kernels for training", async () => {
    const info = await initBackend("wasm");
    const expected = Math.min(8, os.cpus().length);
    assert.equal(info.name, "wasm");
    assert.equal(info.threads, expected);
    // The addon is built by `npm test` (native:build) against oneDNN's headers and finds its library
    // (.ci/run installs libdnnl2 and libdnnl-dev).
    assert.equal(info.device, `wasm simd, ${expected} thread${expected === 1 ? "" : "s"}, native kernels (oneDNN, oneDNN convolutions)`);
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"), "Conv2DBackpropFilter registered for wasm");
  });

  it("auto picks tensorflow > webgpu > wasm; here (no tfjs-node, no GPU) wasm", async () => {
    const info = await initBackend("auto");
    const tfUnavailable = await rejectsUnavailable("tensorflow");
    const gpuUnavailable = await rejectsUnavailable("webgpu");
    if (tfUnavailable && gpuUnavailable) assert.equal(info.name, "wasm");
    else assert.notEqual(info.name, "cpu");
  });

  it("repeated calls are cheap, idempotent and re-activate the backend", async () => {
    const first = await initBackend("auto");
    await initBackend("cpu");
    assert.equal(tf.getBackend(), "cpu");
    const started = performance.now();
    const second = await initBackend("auto");
    const third = await initBackend("auto");
    assert.ok(performance.now() - started < 100, "re-initialisation should be near free");
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);
    assert.equal(tf.getBackend(), first.name);
  });

  it("a process that used threaded wasm exits by itself", () => {
    const script = [
      'import * as tf from "@tensorflow/tfjs-core";',
      'import { initBackend } from "./libs/backends/index.ts";',
      "const info = await initBackend('wasm', { threads: 2 });",
      "const x = tf.randomNormal([4, 14, 14, 16]);",
      "const w = tf.randomNormal([3, 3, 16, 32]);",
      "tf.conv2d(x, w, 1, 'same').dataSync();",
      "console.log(JSON.stringify(info));",
    ].join("\n");
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: new URL("../../", import.meta.url),
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, LOG_LEVEL: "silent" },
    });
    assert.equal(result.signal, null, `child did not exit by itself (killed by ${result.signal})`);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /"name":"wasm"/);
  });
});
