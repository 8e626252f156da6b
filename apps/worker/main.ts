/**
 * A worker process: `tsx apps/worker/main.ts [--concurrency N] [--backend auto|tensorflow|webgpu|wasm|cpu]
 * [--threads N] [--queue NAME] [--lock-ms N] [--stalled-check-ms N] [--max-stalled-count N]`, against DATABASE_URL and the queue
 * backend: Redis at REDIS_URL, or BullMQ's PostgreSQL backend on DATABASE_URL (SGAN_QUEUE_BACKEND
 * picks; unset: REDIS_URL if set, else a Redis on this machine if one answers, else PostgreSQL). Any
 * number of them, on any machines that reach the same Redis and PostgreSQL. SIGTERM/SIGINT/SIGHUP: stop
 * after the current batch, checkpoint, hand the jobs back. A training that fails inside the compute
 * backend fails its run, stops the worker and exits with status 75: run workers under a supervisor.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { BackendUnavailableError, initBackend } from "../../libs/backends/index.ts";
import { DatabaseUnavailableError, migrateDatabase, openDatabase, resolveDatabaseUrl } from "../../libs/db/index.ts";
import { createLogger } from "../../libs/log/index.ts";
import { DEFAULT_QUEUE_NAME, resolveQueueBackend } from "../../libs/queue/index.ts";
import { InvalidInputError, parseInput } from "../../libs/validation/index.ts";
import { TrainingWorker } from "../../libs/worker/index.ts";

const log = createLogger("worker");
/** EX_TEMPFAIL: this process's compute backend failed; a fresh process can go on. */
const EXIT_BACKEND_FAILED = 75;

const optionsSchema = z
  .object({
    concurrency: z.coerce.number().int().min(1).max(64).default(1),
    backend: z.enum(["auto", "tensorflow", "webgpu", "wasm", "cpu"]).default("auto"),
    threads: z.coerce.number().int().min(1).max(64).optional(),
    queue: z.string().min(1).max(100).default(DEFAULT_QUEUE_NAME),
    "lock-ms": z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    "stalled-check-ms": z.coerce.number().int().min(500).max(3_600_000).default(30_000),
    "max-stalled-count": z.coerce.number().int().min(1).max(100).default(5),
  })
  .strict();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: "string" },
      backend: { type: "string" },
      threads: { type: "string" },
      queue: { type: "string" },
      "lock-ms": { type: "string" },
      "stalled-check-ms": { type: "string" },
      "max-stalled-count": { type: "string" },
    },
    strict: true,
  });
  const options = parseInput(optionsSchema, values, "worker options");
  const backend = await initBackend(options.backend, { threads: options.threads });
  const databaseUrl = resolveDatabaseUrl();
  await migrateDatabase(databaseUrl);
  const database = await openDatabase(databaseUrl);
  const worker = new TrainingWorker({
    db: database.prisma,
    queueBackend: await resolveQueueBackend({ databaseUrl }),
    queueName: options.queue,
    backend,
    log,
    concurrency: options.concurrency,
    lockDurationMs: options["lock-ms"],
    stalledIntervalMs: options["stalled-check-ms"],
    maxStalledCount: options["max-stalled-count"],
    // The worker has stopped and its run is recorded failed: exit so that a supervisor (npm start,
    // systemd, a container runtime) starts a fresh process with a fresh backend.
    onBackendFailure: () => void database.close().finally(() => process.exit(EXIT_BACKEND_FAILED)),
  });
  await worker.start();
  let stopping = false;
  // SIGHUP (its terminal closed) too: the runs in progress are checkpointed and handed back, not left to stall.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "stopping after the current batch");
      void worker
        .stop()
        .then(() => database.close())
        .then(() => process.exit(0), (error: unknown) => {
          log.error({ err: error }, "unclean stop");
          process.exit(1);
        });
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof InvalidInputError || error instanceof BackendUnavailableError || error instanceof DatabaseUnavailableError) {
    console.error(`error: ${(error as Error).message}`);
  } else {
    log.error({ err: error }, "worker failed to start");
  }
  process.exit(2);
});
