// What `npm start` builds before it starts anything: the Prisma client, the native training kernels
// and the dashboard, each only when one of its inputs changed since it was last built (see
// build-stamp.ts; the Prisma client's stamp is its own copy of the schema). A start with nothing
// changed spends a few milliseconds here instead of 10-13 s rebuilding.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../libs/log/index.ts";
import { ADDON_PATH } from "../../libs/backends/native/addon.ts";
import { buildDashboard, DASHBOARD_DIR, DASHBOARD_DIST } from "../dashboard/build.ts";
import { generateClientIfStale } from "../../prisma/generate.ts";
import { isUpToDate, writeStamp, type BuildInputs } from "./build-stamp.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NATIVE_DIR = join(ROOT, "libs", "backends", "native");
const NATIVE_BUILD_SCRIPT = join(NATIVE_DIR, "build.ts");
const NATIVE_STAMP = join(dirname(ADDON_PATH), "build-stamp.json");
const DASHBOARD_STAMP = join(DASHBOARD_DIST, "build-stamp.json");

/** Which of the three builds ran (the others were up to date). */
export interface StartBuilds {
  prismaClient: boolean;
  nativeAddon: boolean;
  dashboard: boolean;
}

export async function buildWhatChanged(log: Logger): Promise<StartBuilds> {
  const prismaClient = await generateClientIfStale(log);
  const nativeAddon = await buildNativeAddonIfChanged(log);
  const dashboard = await buildDashboardIfChanged(log);
  return { prismaClient, nativeAddon, dashboard };
}

function packageVersion(name: string): string {
  return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
}

/** The sources (every .cc/.hpp/.h next to sgan_native.cc), the build script, and the toolchain it finds. */
function nativeInputs(): BuildInputs {
  const sources = readdirSync(NATIVE_DIR).filter((file) => /\.(cc|hpp|h)$/.test(file)).map((file) => join(NATIVE_DIR, file));
  const compiler = process.env.CXX ?? "g++";
  const version = spawnSync(compiler, ["--version"], { encoding: "utf8" });
  return {
    files: [...sources, NATIVE_BUILD_SCRIPT],
    settings: {
      compiler,
      compilerVersion: version.error ? "none" : version.stdout.split("\n")[0],
      node: process.version,
      oneDnnHeaders: String(existsSync("/usr/include/oneapi/dnnl/dnnl.hpp")),
    },
  };
}

async function buildNativeAddonIfChanged(log: Logger): Promise<boolean> {
  const inputs = nativeInputs();
  if (await isUpToDate(ROOT, NATIVE_STAMP, [ADDON_PATH], inputs)) {
    log.debug("native addon is up to date");
    return false;
  }
  await runLogged(log, [process.execPath, "--import", "tsx", NATIVE_BUILD_SCRIPT]);
  // Without a compiler the script skips the build (and says so): no stamp, so a later start tries again.
  if (existsSync(ADDON_PATH)) await writeStamp(ROOT, NATIVE_STAMP, inputs, []);
  return true;
}

async function buildDashboardIfChanged(log: Logger): Promise<boolean> {
  const inputs: BuildInputs = {
    files: [join(DASHBOARD_DIR, "build.ts"), join(DASHBOARD_DIR, "tsconfig.json"), join(DASHBOARD_DIR, "public", "index.html"), join(DASHBOARD_DIR, "public", "styles.css")],
    settings: { esbuild: packageVersion("esbuild") },
  };
  if (await isUpToDate(ROOT, DASHBOARD_STAMP, [join(DASHBOARD_DIST, "app.js")], inputs)) {
    log.debug("dashboard is up to date");
    return false;
  }
  const built = await buildDashboard();
  await writeStamp(ROOT, DASHBOARD_STAMP, inputs, built.inputs);
  log.info(`dashboard built (app.js ${(built.bytes / 1024).toFixed(0)} KiB)`);
  return true;
}

/** Runs a build command, its output lines logged (stderr as warnings); rejects when it fails. */
function runLogged(log: Logger, [command, ...args]: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: ROOT }, (error) => (error ? reject(error) : resolve()));
    createInterface({ input: child.stdout! }).on("line", (line) => line.trim() && log.info(line));
    createInterface({ input: child.stderr! }).on("line", (line) => line.trim() && log.warn(line));
  });
}
