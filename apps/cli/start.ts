/**
 * `npm start`: the whole product on this machine: the API (and dashboard) plus a local pool of
 * worker processes, against REDIS_URL and DATABASE_URL (default: the local services).
 * Options: --port N (default 3000), --workers N (default 1), --backend auto|..., --example
 * (submit examples/seed-study.yaml once everything is up).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startApi } from "../api/server.ts";
import { createLogger, maskUrl } from "../../libs/log/index.ts";
import { redisUrl } from "../../libs/queue/index.ts";
import { resolveDatabaseUrl } from "../../libs/db/index.ts";
import { submitSweep } from "../../libs/service/index.ts";
import { parseInput } from "../../libs/validation/index.ts";

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

function spawnWorker(index: number, backend: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/main.ts", "--backend", backend], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  child.on("exit", (code, signal) => log.info({ worker: index, code, signal }, "worker process exited"));
  return child;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string" }, host: { type: "string" }, workers: { type: "string" }, backend: { type: "string" }, example: { type: "boolean" } },
    strict: true,
  });
  const options = parseInput(optionsSchema, values, "start options");
  const api = await startApi({ log: createLogger("api"), port: options.port, host: options.host });
  const workers = Array.from({ length: options.workers }, (_, i) => spawnWorker(i, options.backend));
  console.log(
    [
      "",
      `  SGAN sweeps is running`,
      `  dashboard + API   ${api.url}/`,
      `  queue admin       ${api.url}/admin/queues`,
      `  PostgreSQL        ${maskUrl(resolveDatabaseUrl())}`,
      `  Redis             ${maskUrl(redisUrl())}`,
      `  workers           ${options.workers} local process(es), backend ${options.backend}`,
      `  submit a sweep    npm run sweeps -- submit examples/seed-study.yaml --api ${api.url}`,
      "",
    ].join("\n"),
  );
  if (options.example) {
    const { sweep, runs } = await submitSweep(api.ctx, await readFile(`${ROOT}examples/seed-study.yaml`, "utf8"));
    console.log(`  example sweep ${sweep.name} submitted: ${runs.length} runs, id ${sweep.id}\n`);
  }
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info("stopping workers after their current batch, then the API");
      const exits = workers.map((worker) => new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once("exit", resolve))));
      for (const worker of workers) worker.kill("SIGTERM");
      void Promise.all(exits)
        .then(() => api.close())
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exit(2);
});
