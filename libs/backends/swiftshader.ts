// WebGPU without a GPU: Dawn on SwiftShader, the Vulkan software driver Debian's `chromium` package
// ships. Every kernel really runs, on the CPU and slowly (seconds per training step), so this is for
// tests and benchmarks that check or count the webgpu route; the worker's "auto" choice refuses
// software adapters whatever the environment says.
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BackendUnavailableError } from "./types.ts";
import { assertAdapterAvailable, resolveDawnModule } from "./webgpu-probe.ts";

/** SwiftShader's Vulkan ICD file (the driver, libvk_swiftshader.so, lies next to it). */
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/**
 * The environment under which the Vulkan loader (Debian `libvulkan1`, on the default library path)
 * offers Dawn SwiftShader and no other driver, or undefined where SwiftShader is not installed.
 * XDG_RUNTIME_DIR: Dawn prints an error line per start without one; a private folder is made when
 * the session has none.
 */
function swiftshaderEnvironment(): { VK_ICD_FILENAMES: string; XDG_RUNTIME_DIR: string } | undefined {
  if (!existsSync(SWIFTSHADER_ICD)) return undefined;
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: runtimeDir() };
}

function runtimeDir(): string {
  const own = process.env.XDG_RUNTIME_DIR;
  if (own !== undefined && existsSync(own)) return own;
  const dir = path.join(os.tmpdir(), `sgan-xdg-runtime-${os.userInfo().uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** Where this process's webgpu backend will find its adapter. */
export type WebgpuRoute = { adapter: "swiftshader" | "system" } | { adapter: "none"; reason: string };

/**
 * Points this process's webgpu backend at an adapter; call it before the first `initBackend("webgpu")`
 * (Dawn reads the environment once). `prefer: "swiftshader"` takes SwiftShader wherever it is
 * installed (the same device on every machine: tests); `prefer: "system"` takes the adapter Dawn
 * finds by itself (a GPU) and SwiftShader only where there is none (benchmarks).
 */
export async function routeWebgpu(prefer: "swiftshader" | "system"): Promise<WebgpuRoute> {
  const software = swiftshaderEnvironment();
  if (prefer === "swiftshader" && software !== undefined) return useSwiftshader(software);
  const noSystemAdapter = await systemAdapterAbsence();
  if (noSystemAdapter === undefined) return { adapter: "system" };
  if (software === undefined) {
    return { adapter: "none", reason: `${noSystemAdapter}; nor SwiftShader (no ${SWIFTSHADER_ICD}: Debian's chromium package ships it)` };
  }
  return useSwiftshader(software);
}

function useSwiftshader(env: Record<string, string>): WebgpuRoute {
  Object.assign(process.env, env);
  return { adapter: "swiftshader" };
}

/** Why Dawn finds no adapter in this environment, or undefined when it finds one. */
async function systemAdapterAbsence(): Promise<string | undefined> {
  try {
    await assertAdapterAvailable(resolveDawnModule());
    return undefined;
  } catch (err) {
    if (err instanceof BackendUnavailableError) return err.message;
    throw err;
  }
}
