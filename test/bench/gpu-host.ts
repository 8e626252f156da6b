/**
 * `npm run bench:gpu` (through test/bench/gpu-host.sh, which finds Node and the Vulkan loader): every
 * GPU figure of issue 16 in one call. Runs, each on its own and each failure recorded while the rest
 * still run: the environment (nvidia-smi, Node, Vulkan), the seed's PyTorch step
 * (test/bench/reference_sgan_torch.py, where a python3 with torch exists), `npm run bench`'s
 * training-step benchmark and `npm run bench:profile` on webgpu and tensorflow (tfjs-node-gpu, where
 * installed) at each batch size, and `npm run bench:concurrency` (1, 2, 4, 8 trainings at once in one
 * process on the GPU, at batch 64) on webgpu. Writes raw.log (every step's output), summary.json and summary.md
 * to SGAN_BENCH_OUT (default $OUT, else test-output/gpu-bench).
 *
 * BENCH_GPU_QUICK=1: batch 2, 1 step (checks the command end to end on a machine without a GPU,
 * where webgpu runs on SwiftShader). SGAN_BENCH_SCRIPTS: a folder holding the benchmarks bundled by
 * `npm run bench:gpu:prepare` (a copy of the tree without node_modules); unset, they run from the
 * tree through tsx.
 */
import { execFile } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { routeWebgpu } from "../../libs/backends/index.ts";
import { parseReferenceRates } from "./torch-reference.ts";

const QUICK = process.env.BENCH_GPU_QUICK === "1";
const BATCHES = QUICK ? [2] : [32, 64, 128];
const ITERS = QUICK ? 1 : 10;
/** PyTorch steps in milliseconds on a GPU: more of them for a stable median. */
const TORCH_ITERS = QUICK ? 5 : 20;
const PROFILE_STEPS = QUICK ? 1 : 3;
/** Trainings at once in one process (a worker's --concurrency) and the steps each trains per measured epoch. */
const TRAININGS = QUICK ? [1, 2] : [1, 2, 4, 8];
const CONCURRENCY_STEPS = QUICK ? 1 : 20;
const IMG = 28;
const BACKENDS = ["webgpu", "tensorflow"] as const;
/** The issue's GPU target: at batch 64, at least this share of PyTorch's samples/s on the same GPU. */
const TARGET_BATCH = 64;
const TARGET_RATIO = 0.25;
const STEP_TIMEOUT_MS = Number(process.env.BENCH_GPU_STEP_TIMEOUT_S ?? 240) * 1000;

const repoRoot = process.env.SGAN_REPO_ROOT ?? resolve(import.meta.dirname, "../..");
const outDir = resolve(process.env.SGAN_BENCH_OUT ?? process.env.OUT ?? join(repoRoot, "test-output/gpu-bench"));
const rawLog = join(outDir, "raw.log");

type Backend = (typeof BACKENDS)[number];
type StepStatus = "ok" | "failed" | "unavailable" | "skipped";
interface StepRecord {
  name: string;
  status: StepStatus;
  seconds: number;
  note?: string;
}
interface BenchRow {
  backend: Backend;
  device: string;
  batch: number;
  samplesPerSec: number;
}
interface ConcurrencyRow {
  trainings: number;
  samplesPerSec: number;
  speedUp: number;
}
interface ProfileRow {
  backend: Backend;
  batch: number;
  msPerStep: number;
  kernelCalls: number;
  dispatches?: number;
}

const steps: StepRecord[] = [];
const benchRows: BenchRow[] = [];
const profileRows: ProfileRow[] = [];
const concurrencyRows: ConcurrencyRow[] = [];
const environment: Record<string, string> = {};

interface Outcome {
  ok: boolean;
  output: string;
  note?: string;
}

/** Runs one command, its output appended to raw.log under a header; never throws. */
function run(name: string, file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  appendFileSync(rawLog, `\n===== ${name}: ${[file, ...args].join(" ")}\n`);
  return new Promise((done) => {
    execFile(file, args, { cwd: repoRoot, env, timeout: STEP_TIMEOUT_MS, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr ? `\n--- stderr\n${stderr}` : ""}`;
      appendFileSync(rawLog, `${output}\n===== ${name}: ${error ? `failed (${error.message.split("\n")[0]})` : "exit 0"}\n`);
      done({ ok: error === null, output, note: error ? error.message.split("\n")[0].slice(0, 200) : undefined });
    });
  });
}

async function step(name: string, body: () => Promise<{ status: StepStatus; note?: string }>): Promise<void> {
  const started = performance.now();
  let result: { status: StepStatus; note?: string };
  try {
    result = await body();
  } catch (error) {
    result = { status: "failed", note: (error as Error).message.slice(0, 200) };
  }
  steps.push({ name, ...result, seconds: Math.round((performance.now() - started) / 100) / 10 });
  console.log(`${name}: ${result.status}${result.note ? ` (${result.note})` : ""}`);
}

/** The benchmark `script` as a command: the bundle where prepared, else the tree's source. */
function benchCommand(script: "training-step" | "profile-step" | "concurrency", args: string[]): [string, string[]] {
  const bundles = process.env.SGAN_BENCH_SCRIPTS;
  if (bundles) return [process.execPath, [join(bundles, `${script}.bench.mjs`), ...args]];
  return [process.execPath, ["--import", "tsx", join(repoRoot, `test/bench/${script}.bench.ts`), ...args]];
}

async function probeEnvironment(): Promise<{ status: StepStatus; note?: string }> {
  environment.node = process.version;
  environment.quick = String(QUICK);
  for (const key of ["SGAN_VULKAN_LOADER", "VK_ICD_FILENAMES", "VK_DRIVER_FILES", "SGAN_BENCH_BUNDLE_COMMIT"]) {
    if (process.env[key]) environment[key] = process.env[key]!;
  }
  const gpu = await run("nvidia-smi", "nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"]);
  environment.gpu = gpu.ok ? gpu.output.trim() : `none (nvidia-smi: ${gpu.note})`;
  const route = await routeWebgpu("system");
  environment.webgpuAdapter = route.adapter === "none" ? `none: ${route.reason}` : route.adapter;
  return { status: "ok", note: `gpu ${environment.gpu}; webgpu adapter ${route.adapter}` };
}

/** The first python3 that imports torch: PATH's (an ML image's venv), then Debian's. */
async function torchPython(): Promise<string | undefined> {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = await run(`torch probe (${candidate})`, candidate, ["-c", "import torch; print(torch.__version__, torch.cuda.is_available())"]);
    if (probe.ok) {
      environment.torch = `${candidate}: ${probe.output.trim()}`;
      return candidate;
    }
  }
  return undefined;
}

let torchRates = new Map<number, number>();

async function torchReference(): Promise<{ status: StepStatus; note?: string }> {
  const python = await torchPython();
  if (python === undefined) return { status: "unavailable", note: "no python3 with torch" };
  const script = join(repoRoot, "test/bench/reference_sgan_torch.py");
  const result = await run("pytorch reference", python, [script, String(IMG), String(TORCH_ITERS), BATCHES.join(",")], {
    ...process.env,
    PYTHONUNBUFFERED: "1",
  });
  torchRates = parseReferenceRates(result.output);
  if (!result.ok) return { status: "failed", note: result.note };
  return torchRates.size > 0 ? { status: "ok" } : { status: "failed", note: "no 'batch=N: ... samples/s' line in its output" };
}

const unavailableBackends = new Set<Backend>();

async function trainingBench(backend: Backend): Promise<{ status: StepStatus; note?: string }> {
  const [file, args] = benchCommand("training-step", [
    `--backends=${backend}`, `--batches=${BATCHES.join(",")}`, `--iters=${ITERS}`, `--img=${IMG}`, "--reference=off",
  ]);
  const result = await run(`bench ${backend}`, file, args);
  const unavailable = result.output.match(new RegExp(`^${backend}: not available \\((.*)\\)$`, "m"));
  if (unavailable) {
    unavailableBackends.add(backend);
    return { status: "unavailable", note: unavailable[1].slice(0, 200) };
  }
  for (const match of result.output.matchAll(/^(\S+) \((.*)\) img \d+ batch (\d+): ([\d.]+) samples\/s$/gm)) {
    benchRows.push({ backend, device: match[2], batch: Number(match[3]), samplesPerSec: Number(match[4]) });
  }
  if (!result.ok) return { status: "failed", note: result.note };
  return benchRows.some((row) => row.backend === backend) ? { status: "ok" } : { status: "failed", note: "no samples/s line in its output" };
}

async function profile(backend: Backend, batch: number): Promise<{ status: StepStatus; note?: string }> {
  if (unavailableBackends.has(backend)) return { status: "skipped", note: `${backend} not available` };
  const [file, args] = benchCommand("profile-step", [`--backend=${backend}`, `--batch=${batch}`, `--steps=${PROFILE_STEPS}`, `--img=${IMG}`]);
  const result = await run(`profile ${backend} batch ${batch}`, file, args);
  const line = result.output.match(/: ([\d.]+) ms per step \(profiled\), [\d.]+ ms in ([\d.]+) kernel calls(?: \(([\d.]+) compute dispatches\))?/);
  if (line) {
    profileRows.push({ backend, batch, msPerStep: Number(line[1]), kernelCalls: Number(line[2]), dispatches: line[3] ? Number(line[3]) : undefined });
  }
  if (!result.ok) return { status: "failed", note: result.note };
  return line ? { status: "ok" } : { status: "failed", note: "no 'ms per step' line in its output" };
}

/** Trainings at once in one process on webgpu, at the target's batch size. */
async function concurrency(): Promise<{ status: StepStatus; note?: string }> {
  if (unavailableBackends.has("webgpu")) return { status: "skipped", note: "webgpu not available" };
  const batch = QUICK ? BATCHES[0] : TARGET_BATCH;
  const [file, args] = benchCommand("concurrency", ["--backend=webgpu", `--batch=${batch}`, `--trainings=${TRAININGS.join(",")}`, `--steps=${CONCURRENCY_STEPS}`, `--img=${IMG}`]);
  const result = await run(`concurrency webgpu batch ${batch}`, file, args);
  for (const match of result.output.matchAll(/^\| (\d+) \| ([\d.]+) \| ([\d.]+) \| [\d.]+ \|$/gm)) {
    concurrencyRows.push({ trainings: Number(match[1]), samplesPerSec: Number(match[2]), speedUp: Number(match[3]) });
  }
  if (!result.ok) return { status: "failed", note: result.note };
  return concurrencyRows.length > 0 ? { status: "ok" } : { status: "failed", note: "no table rows in its output" };
}

/** The GPU target at batch 64 on webgpu: met, missed, or why it cannot be told. */
function targetVerdict(): string {
  const ours = benchRows.find((row) => row.backend === "webgpu" && row.batch === TARGET_BATCH);
  const torch = torchRates.get(TARGET_BATCH);
  if (ours === undefined || torch === undefined) return `not measured (needs webgpu and PyTorch at batch ${TARGET_BATCH})`;
  if (/software|swiftshader/i.test(ours.device)) return `not applicable: webgpu ran on a software adapter (${ours.device})`;
  const ratio = ours.samplesPerSec / torch;
  return `${ratio >= TARGET_RATIO ? "met" : "missed"}: ${(100 * ratio).toFixed(1)}% of PyTorch's samples/s (target ${100 * TARGET_RATIO}%)`;
}

function summaryMarkdown(target: string): string {
  const lines = [`# GPU host benchmark, ${new Date().toISOString()}`, "", ...Object.entries(environment).map(([k, v]) => `- ${k}: ${v}`), ""];
  lines.push(`Target (webgpu, batch ${TARGET_BATCH}, >= ${100 * TARGET_RATIO}% of PyTorch): ${target}`, "");
  lines.push("| backend | device | batch | ours samples/s | PyTorch samples/s | ours / PyTorch |", "|---|---|---|---|---|---|");
  for (const row of benchRows) {
    const torch = torchRates.get(row.batch);
    lines.push(`| ${row.backend} | ${row.device} | ${row.batch} | ${row.samplesPerSec.toFixed(1)} | ${torch ?? "n/a"} | ${torch ? (row.samplesPerSec / torch).toFixed(3) : "n/a"} |`);
  }
  lines.push("", "| profile | batch | ms per step (profiled) | kernel calls | dispatches |", "|---|---|---|---|---|");
  for (const row of profileRows) lines.push(`| ${row.backend} | ${row.batch} | ${row.msPerStep} | ${row.kernelCalls} | ${row.dispatches ?? "n/a"} |`);
  lines.push("", "| webgpu trainings at once | samples/s in all | speed-up over 1 |", "|---|---|---|");
  for (const row of concurrencyRows) lines.push(`| ${row.trainings} | ${row.samplesPerSec} | ${row.speedUp} |`);
  lines.push("", "| step | status | seconds | note |", "|---|---|---|---|");
  for (const s of steps) lines.push(`| ${s.name} | ${s.status} | ${s.seconds} | ${(s.note ?? "").replaceAll("|", "/")} |`);
  return `${lines.join("\n")}\n`;
}

mkdirSync(outDir, { recursive: true });
writeFileSync(rawLog, `gpu-host benchmark, ${new Date().toISOString()}, quick ${QUICK}\n`);
await step("environment", probeEnvironment);
await step("pytorch reference", torchReference);
for (const backend of BACKENDS) await step(`bench ${backend}`, () => trainingBench(backend));
for (const backend of BACKENDS) for (const batch of BATCHES) await step(`profile ${backend} batch ${batch}`, () => profile(backend, batch));
await step("concurrency webgpu", concurrency);
const target = targetVerdict();
const torchRows = [...torchRates].map(([batch, samplesPerSec]) => ({ batch, samplesPerSec }));
writeFileSync(join(outDir, "summary.json"), `${JSON.stringify({ environment, target, torch: torchRows, bench: benchRows, profile: profileRows, concurrency: concurrencyRows, steps }, null, 2)}\n`);
writeFileSync(join(outDir, "summary.md"), summaryMarkdown(target));
console.log(`\n${summaryMarkdown(target)}\nwritten to ${outDir} (raw.log, summary.json, summary.md)`);
// Fail soft: each step's failure is in the summary; Dawn's probe may hold the event loop open.
process.exit(0);
