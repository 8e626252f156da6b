/**
 * `npm run bench:load`: the read endpoints and the live event stream under load while a sweep trains.
 *
 * Starts the real API (a child process: the load generator must not share its event loop) and one
 * real worker process training a small sweep, measures the worker's training speed for a while
 * (baseline), then runs autocannon (one child process per endpoint, 100+ connections in all) against
 * GET /api/sweeps, /api/sweeps/:id, /api/sweeps/:id/best and /api/workers for a bounded time while
 * 100+ clients hold /api/events open, and measures the training speed again. Prints p50/p99 latency,
 * requests/s and errors per endpoint, and the training speed before and during the load. Asserts
 * nothing about timings (machines differ): it is a benchmark, not a test.
 *
 * Uses PostgreSQL database sgan_bench_load on the server of E2E_DATABASE_URL (default the local one)
 * and REDIS_URL (default the local Redis), with a queue name of its own.
 * Environment: LOAD_SECONDS (default 20), LOAD_CONNECTIONS (per endpoint, default 30), SSE_CLIENTS (default 120),
 * LOAD_RATE (requests per second per connection, default 2: a dashboard refreshing twice a second;
 * 0: as fast as each connection can go, to find the API's capacity on this machine).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../libs/log/index.ts";
import { waitFor } from "../support/wait-for.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED_PG = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sgan_e2e_test";
const DATABASE_URL = (() => {
  const url = new URL(SHARED_PG);
  url.pathname = "/sgan_bench_load";
  return url.toString();
})();
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 30);
const SSE_CLIENTS = Number(process.env.SSE_CLIENTS ?? 120);
const RATE = Number(process.env.LOAD_RATE ?? 2);

function child(args: string[], env: Record<string, string>): { process: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  proc.stdout!.on("data", (chunk) => (text += chunk));
  proc.stderr!.on("data", (chunk) => (text += chunk));
  return { process: proc, output: () => text };
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Progress {
  at: number;
  runId: string;
  epoch: number;
  batch: number;
  batches: number;
  samplesPerSec: number;
}

/** An SSE client; counts frames, keeps run-progress events when asked. */
function sseClient(url: string, onProgress?: (p: Progress) => void) {
  const controller = new AbortController();
  const state = { frames: 0, error: null as string | null, open: false };
  void (async () => {
    const response = await fetch(url, { signal: controller.signal });
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    state.open = true;
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        state.frames++;
        if (!onProgress) continue;
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (type === "run-progress" && data) onProgress({ at: Date.now(), ...JSON.parse(data) });
      }
    }
  })().catch((error: Error) => {
    if (error.name !== "AbortError") state.error = error.message;
  });
  return { state, stop: () => controller.abort() };
}

/** Training speed in a window: mean of the worker's reported samples/s, and samples done per wall second. */
function speed(events: Progress[], from: number, to: number, batchSize: number) {
  const inside = events.filter((e) => e.at >= from && e.at <= to);
  if (inside.length < 2) return { reported: NaN, wall: NaN, events: inside.length };
  const reported = inside.reduce((sum, e) => sum + e.samplesPerSec, 0) / inside.length;
  // Samples done: batches across epochs of the same run (one run trains throughout the window).
  const done = (e: Progress) => ((e.epoch - 1) * e.batches + e.batch) * batchSize;
  const sameRun = inside.filter((e) => e.runId === inside[0].runId);
  const first = sameRun[0];
  const last = sameRun[sameRun.length - 1];
  const wall = (done(last) - done(first)) / ((last.at - first.at) / 1000);
  return { reported, wall, events: inside.length };
}

interface CannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

function autocannon(url: string): Promise<CannonResult> {
  const bin = `${ROOT}node_modules/autocannon/autocannon.js`;
  return new Promise((resolve, reject) => {
    const rate = RATE > 0 ? ["-r", String(RATE)] : [];
    const proc = spawn(process.execPath, [bin, "--json", "-c", String(CONNECTIONS), "-d", String(LOAD_SECONDS), ...rate, url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout!.on("data", (chunk) => (out += chunk));
    proc.stderr!.on("data", (chunk) => (err += chunk));
    proc.on("exit", (code) => {
      try {
        resolve(JSON.parse(out) as CannonResult);
      } catch {
        reject(new Error(`autocannon exited ${code}: ${err.slice(-1000)}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const queueName = `bench-load-${randomBytes(4).toString("hex")}`;
  const apiProcess = child(["test/bench/load.bench.ts", "--api"], { BENCH_QUEUE: queueName, LOG_LEVEL: "warn" });
  const workerProcess = child(
    ["apps/worker/main.ts", "--backend", "wasm", "--threads", "1", "--queue", queueName],
    { DATABASE_URL, REDIS_URL, SGAN_QUEUE_BACKEND: "redis", LOG_LEVEL: "warn" },
  );
  const sse: Array<ReturnType<typeof sseClient>> = [];
  try {
    const base = await waitFor("the API to listen", () => /BENCH_API_URL (\S+)/.exec(apiProcess.output())?.[1], 120_000);
    const batchSize = 32;
    const submitted = await fetch(`${base}/api/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "bench-load",
        strategy: "grid",
        fixed: { epochs: 30, dataset: "mnist", imgSize: 28, limit: 256 },
        parameters: { batchSize, lr: { choice: [2e-4, 3e-4] } },
      }),
    });
    if (submitted.status !== 201) throw new Error(`submit: ${submitted.status} ${await submitted.text()}`);
    const { sweep } = (await submitted.json()) as { sweep: { id: string } };
    const progress: Progress[] = [];
    const watcher = sseClient(`${base}/api/events?sweepId=${sweep.id}`, (p) => progress.push(p));
    await waitFor("training to start", () => progress.length >= 3, 180_000);
    console.log(`# API ${base}, sweep ${sweep.id}; training started; baseline for ${LOAD_SECONDS} s...`);
    await sleep(3_000);
    const baselineFrom = Date.now();
    await sleep(LOAD_SECONDS * 1000);
    const baselineTo = Date.now();

    for (let i = 0; i < SSE_CLIENTS; i++) sse.push(sseClient(`${base}/api/events`));
    await waitFor("the SSE clients to connect", () => sse.every((c) => c.state.open || c.state.error), 30_000).catch(() => undefined);
    const sseOpen = sse.filter((c) => c.state.open).length;
    console.log(`# ${sseOpen}/${SSE_CLIENTS} SSE clients connected; ${4 * CONNECTIONS} HTTP connections for ${LOAD_SECONDS} s...`);
    const endpoints = {
      "GET /api/sweeps": `${base}/api/sweeps`,
      "GET /api/sweeps/:id": `${base}/api/sweeps/${sweep.id}`,
      "GET /api/sweeps/:id/best": `${base}/api/sweeps/${sweep.id}/best`,
      "GET /api/workers": `${base}/api/workers`,
    };
    const loadFrom = Date.now();
    const results = await Promise.all(Object.values(endpoints).map((url) => autocannon(url)));
    const loadTo = Date.now();
    const sseErrors = sse.filter((c) => c.state.error).length;
    const sseFrames = sse.reduce((sum, c) => sum + c.state.frames, 0);
    watcher.stop();

    const rows = Object.keys(endpoints).map((name, i) => {
      const r = results[i];
      return {
        endpoint: name,
        "p50 ms": r.latency.p50,
        "p99 ms": r.latency.p99,
        "max ms": r.latency.max,
        "req/s": Math.round(r.requests.average),
        requests: r.requests.total,
        errors: r.errors + r.timeouts + r.non2xx,
      };
    });
    const pace = RATE > 0 ? `${RATE} requests/s per connection (${4 * CONNECTIONS * RATE}/s in all)` : "each connection as fast as it can";
    console.log(`\nRead endpoints, ${CONNECTIONS} connections each (${4 * CONNECTIONS} in all), ${pace}, ${LOAD_SECONDS} s, loopback:`);
    console.table(rows);
    console.log(`SSE /api/events: ${sseOpen} clients held open through the load, ${sseErrors} errors, ${sseFrames} frames received in all.`);
    const before = speed(progress, baselineFrom, baselineTo, batchSize);
    const during = speed(progress, loadFrom, loadTo, batchSize);
    const drop = (a: number, b: number) => `${(((a - b) / a) * 100).toFixed(1)}%`;
    console.log("\nWorker training speed (samples/s):");
    console.table([
      { measure: "reported by the worker (mean of live progress)", baseline: before.reported.toFixed(2), "under load": during.reported.toFixed(2), drop: drop(before.reported, during.reported) },
      { measure: "samples done per wall second (incl. evaluation)", baseline: before.wall.toFixed(2), "under load": during.wall.toFixed(2), drop: drop(before.wall, during.wall) },
    ]);
    console.log(`(target: a drop of at most 10%; progress events in windows: ${before.events} baseline, ${during.events} under load)`);
  } finally {
    for (const client of sse) client.stop();
    workerProcess.process.kill("SIGKILL");
    apiProcess.process.kill("SIGTERM");
    await sleep(500);
    apiProcess.process.kill("SIGKILL");
  }
  process.exit(0);
}

// Child mode: the API process.
if (process.argv.includes("--api")) {
  const { startApi } = await import("../../apps/api/server.ts");
  const api = await startApi({ log: createLogger("bench-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName: process.env.BENCH_QUEUE!, reconcileMs: 0 });
  await api.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
  process.stdout.write(`BENCH_API_URL ${api.url}\n`);
  process.once("SIGTERM", () => void api.close().then(() => process.exit(0)));
} else {
  await main();
}
