import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { readSse } from "../../apps/cli/sweeps/sse.ts";
import { createLogger } from "../../libs/log/index.ts";

export const DATABASE_URL = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sgan_e2e_test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The real API on a random port, its own database and a queue name no other test shares. */
export async function startStack(): Promise<RunningApi & { queueName: string }> {
  const queueName = `e2e-${randomBytes(4).toString("hex")}`;
  const api = await startApi({ log: createLogger("e2e-api"), port: 0, databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, queueName, reconcileMs: 0 });
  await api.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
  return { ...api, queueName };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A real worker process (apps/worker/main.ts) with short lock and stall timings so takeovers happen in seconds (10 s: shorter locks lapse on a busy 2-core machine). */
export function spawnWorker(queueName: string, extraArgs: string[] = []): WorkerProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "apps/worker/main.ts", "--backend", "wasm", "--threads", "1", "--queue", queueName, "--lock-ms", "10000", "--stalled-check-ms", "1500", ...extraArgs],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL, REDIS_URL, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => text, exited };
}

export { waitFor } from "../support/wait-for.ts";

export async function api<T = any>(base: string, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, init);
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, body: (type.includes("json") ? await response.json() : await response.arrayBuffer()) as T };
}

export function postSweep(base: string, config: object) {
  return api(base, "/api/sweeps", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(config) });
}

/** Collects the server-sent events of one sweep until aborted. */
export function collectEvents(base: string, sweepId: string): { events: Array<{ type: string; data: any }>; stop: () => void } {
  const events: Array<{ type: string; data: any }> = [];
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${base}/api/events?sweepId=${sweepId}`, { signal: controller.signal });
    for await (const { event, data } of readSse(response.body!)) events.push({ type: event, data: JSON.parse(data) });
  })().catch(() => undefined);
  return { events, stop: () => controller.abort() };
}
