// Is there a GPU adapter for Dawn? Asked in a child process whose stderr is kept: on a machine without
// a GPU, Dawn (native code, not console.*) writes "Warning: Couldn't load Vulkan ..." and, where a
// Vulkan loader is installed, the loader and Mesa add XDG_RUNTIME_DIR and ICD lines. Those become
// the reason of the BackendUnavailableError (one log line) instead of noise on the terminal.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { BackendUnavailableError } from "./types.ts";
import { describeError } from "./errors.ts";

/** Loading Dawn and asking for an adapter takes well under a second; a driver that hangs does not stall a worker's start. */
const PROBE_TIMEOUT_MS = 20_000;

const PROBE_SCRIPT = `
const dawn = await import(process.env.SGAN_DAWN_MODULE);
const adapter = await dawn.create([]).requestAdapter({ powerPreference: "high-performance" }).catch(() => null);
process.stdout.write(JSON.stringify({ found: adapter !== null }));
process.exit(0);
`;

/** The installed `webgpu` package's entry file, or BackendUnavailableError saying how to install it. */
export function resolveDawnModule(): string {
  try {
    return createRequire(import.meta.url).resolve("webgpu");
  } catch (err) {
    throw new BackendUnavailableError(
      "webgpu",
      "webgpu backend unavailable: the optional npm package 'webgpu' is not installed (npm install webgpu; it needs glibc 2.34+)",
      { cause: err },
    );
  }
}

/**
 * Resolves when Dawn, loaded from `dawnModule` in a child process, finds an adapter; otherwise
 * rejects with BackendUnavailableError carrying what Dawn printed.
 */
export async function assertAdapterAvailable(dawnModule: string): Promise<void> {
  const { stdout, stderr, failure } = await runProbe(dawnModule);
  const dawnSaid = summarizeDawnOutput(stderr);
  let found: boolean | undefined;
  try {
    found = (JSON.parse(stdout) as { found?: boolean }).found;
  } catch {
    found = undefined;
  }
  if (found === true) return;
  if (found === undefined) {
    throw new BackendUnavailableError(
      "webgpu",
      `webgpu backend unavailable: the 'webgpu' package failed to load (${loadError(stderr) ?? failure}); it needs linux-x64/arm64, macOS or Windows and glibc 2.34+`,
    );
  }
  throw new BackendUnavailableError(
    "webgpu",
    `webgpu backend unavailable: no GPU adapter found${dawnSaid ? ` (${dawnSaid})` : ""}. Dawn needs a GPU with a Vulkan driver and the Vulkan loader ` +
      "(Debian/Ubuntu: apt-get install libvulkan1, plus the vendor's driver, e.g. the NVIDIA driver's Vulkan ICD).",
  );
}

function runProbe(dawnModule: string): Promise<{ stdout: string; stderr: string; failure: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", PROBE_SCRIPT],
      { env: { ...process.env, SGAN_DAWN_MODULE: pathToFileURL(dawnModule).href }, timeout: PROBE_TIMEOUT_MS, encoding: "utf8" },
      (error, stdout, stderr) => {
        const failure = error ? (error.killed ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : describeError(error)) : "";
        resolve({ stdout, stderr, failure });
      },
    );
  });
}

/** The error line of a Node stack trace on stderr: `Error: libvulkan...`, `TypeError: ...`. */
function loadError(stderr: string): string | undefined {
  return stderr.split("\n").map((line) => line.trim()).find((line) => /^\w*Error\b/.test(line));
}

/** Dawn's messages without their source locations (`at operator() (.../BackendVk.cpp:368)`) and blank lines. */
export function summarizeDawnOutput(stderr: string): string {
  return stderr
    .split("\n")
    .map((line) => line.trim().replace(/^Warning:\s*/, ""))
    .filter((line) => line && !line.startsWith("at "))
    .join("; ");
}
