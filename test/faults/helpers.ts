// Shared by the fault tests: a private Redis that can be restarted empty, real worker processes
// pointed at any database/Redis, and polling helpers. Nothing here touches the shared services
// beyond a database of the test's own.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { createLogger } from "../../libs/log/index.ts";
export { freePort } from "../../libs/embedded-db/index.ts";

export { api, collectEvents, postSweep, waitFor } from "../e2e/stack.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED_PG = process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sgan_e2e_test";

/** A database of the shared PostgreSQL server that only this test file uses (created by migrateDatabase). */
export function ownDatabaseUrl(name: string): string {
  const url = new URL(SHARED_PG);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A Redis server of this test's own, keeping nothing on disk: restart() brings it back empty. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdio: "ignore" });
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        if ((await probe.ping()) === "PONG") break;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    probe.disconnect();
  }

  /** SIGKILL: everything in it is lost, as with a crashed Redis that keeps nothing on disk. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Parsed pino lines of its output. */
  lines: () => Array<Record<string, any>>;
}

/** A real worker process (apps/worker/main.ts) on the given database and Redis, with short lock timings. */
export function spawnWorker(opts: { queueName: string; databaseUrl: string; redisUrl: string; args?: string[] }): WorkerProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "apps/worker/main.ts", "--backend", "wasm", "--threads", "1", "--queue", opts.queueName, "--lock-ms", "4000", "--stalled-check-ms", "1500", ...(opts.args ?? [])],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, SGAN_QUEUE_BACKEND: "redis", LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const lines = () =>
    text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, any>;
        } catch {
          return {};
        }
      });
  return { child, output: () => text, exited, lines };
}

export { RUN_LONG_ENOUGH, tinySweep } from "../support/tiny-sweep.ts";

export interface FaultStack {
  /** The API, once `before` has run. */
  readonly api: RunningApi;
  readonly databaseUrl: string;
  readonly queueName: string;
  /** A worker process on this stack's database and queue, killed when the suite ends. */
  spawn(args?: string[]): WorkerProcess;
}

/**
 * The real API on a database of the test file's own and a fresh queue, its reconciler off (the
 * tests decide when anything is repaired), emptied of what an earlier run of the file left; every
 * worker spawned through it is SIGKILLed after the suite. Call inside `describe`.
 */
export function faultStack(name: string): FaultStack {
  const databaseUrl = ownDatabaseUrl(`sgan_faults_${name.replace(/-/g, "_")}`);
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const queueName = `faults-${name}-${randomBytes(4).toString("hex")}`;
  const workers: WorkerProcess[] = [];
  let running: RunningApi | null = null;
  before(async () => {
    running = await startApi({ log: createLogger("faults-api"), port: 0, databaseUrl, redisUrl, queueName, reconcileMs: 0 });
    await running.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
    // The API's start-up reconciliation queued the previous run's leftovers: gone with the truncate.
    await running.ctx.queue.queue.obliterate({ force: true });
  });
  after(async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await running?.close();
  });
  return {
    get api() {
      if (!running) throw new Error("faultStack: the API starts in `before`");
      return running;
    },
    databaseUrl,
    queueName,
    spawn(args = []) {
      const worker = spawnWorker({ queueName, databaseUrl, redisUrl, args });
      workers.push(worker);
      return worker;
    },
  };
}
