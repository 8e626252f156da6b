import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailableError, type BackendInfo } from "./types.ts";
import { pathToFileURL } from "node:url";
import { describeError } from "./errors.ts";
import { assertAdapterAvailable, resolveDawnModule } from "./webgpu-probe.ts";
import { registerWebgpuTrainingKernels } from "./kernels/register-kernels.ts";

/** The slice of the WebGPU API used here (kept local: `webgpu` is an optional dependency). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<AdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** CPU rasterisers exposed through Vulkan: correct but far slower than wasm for training. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software/i;

interface Probe {
  dawn: DawnModule;
  gpu: GpuLike;
  label: string;
  software: boolean;
}

let probed: Promise<Probe> | undefined;
let active: BackendInfo | undefined;

/**
 * Loads Dawn and asks for an adapter, once per process: the answer does not
 * change. Touches no global, so a failure leaves the process as it was.
 */
function probeAdapter(): Promise<Probe> {
  probed ??= (async () => {
    const dawnModule = resolveDawnModule();
    // Loaded here only once a quiet child process has found an adapter: see webgpu-probe.ts.
    await assertAdapterAvailable(dawnModule);
    let dawn: DawnModule;
    try {
      dawn = (await import(pathToFileURL(dawnModule).href)) as DawnModule;
    } catch (err) {
      throw new BackendUnavailableError("webgpu", `webgpu backend unavailable: the 'webgpu' package failed to load (${describeError(err)})`, { cause: err });
    }
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" }).catch(() => null);
    if (adapter === null) {
      throw new BackendUnavailableError("webgpu", "webgpu backend unavailable: Dawn's probe found a GPU adapter, but this process got none");
    }
    const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
    const label =
      [info.vendor, info.device || info.description, info.architecture].filter(Boolean).join(" ") || "unknown GPU";
    const software = Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) || SOFTWARE_ADAPTER.test(label);
    return { dawn, gpu, label, software };
  })();
  return probed;
}

/**
 * WebGPU in Node through the `webgpu` package (Dawn, which needs libvulkan.so.1
 * and a Vulkan driver at run time). A machine without a GPU fails fast with
 * BackendUnavailableError, whose message holds what Dawn said (nothing is
 * printed: the probe runs in a child process).
 *
 * `allowSoftware: false` refuses CPU-emulated adapters (lavapipe, SwiftShader),
 * which is what "auto" wants: they are slower than wasm.
 */
export async function initWebgpu(options: { allowSoftware?: boolean } = {}): Promise<BackendInfo> {
  // Checked before the early return too: an explicit "webgpu" that took a software adapter must not
  // make a later "auto" in the same process take it as well.
  const { dawn, gpu, label, software } = await probeAdapter();
  if (software && options.allowSoftware === false) {
    throw new BackendUnavailableError(
      "webgpu",
      `webgpu backend skipped: the only adapter is a software renderer (${label}), slower than wasm; choose "webgpu" explicitly to use it anyway`,
    );
  }
  if (active !== undefined) {
    if (tf.getBackend() !== "webgpu") await tf.setBackend("webgpu");
    await tf.ready();
    return active;
  }

  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when the
  // module is first evaluated, so the globals must be in place before the import.
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu === undefined) {
    Object.assign(globalThis, dawn.globals);
    if (g.navigator === undefined) {
      Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    } else {
      Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
    }
  }
  try {
    await import("@tensorflow/tfjs-backend-webgpu");
  } catch (err) {
    throw new BackendUnavailableError("webgpu", `@tensorflow/tfjs-backend-webgpu failed to load: ${describeError(err)}`, {
      cause: err,
    });
  }
  registerWebgpuTrainingKernels();
  if (!(await tf.setBackend("webgpu"))) {
    throw new BackendUnavailableError("webgpu", `webgpu backend failed to initialise on ${label} (see the tfjs warning above)`);
  }
  await tf.ready();
  active = { name: "webgpu", device: `webgpu ${label}${software ? " (software)" : ""}` };
  return active;
}
