// The real API (startApi) on a database of its own and a queue no other test shares, with the token
// settings of the environment given (read by createApp as the API starts), and its log captured.
import { Writable } from "node:stream";
import { pino } from "pino";
import { startApi, type RunningApi } from "../../apps/api/server.ts";
import { AUTH_ENV } from "../../apps/api/auth.ts";
import { resolveDatabaseUrl } from "../../libs/db/index.ts";
import { withDatabase } from "../../libs/db/url.ts";
import { redisUrl, type QueueBackendKind } from "../../libs/queue/index.ts";
import { dropDatabase } from "../db/helpers.ts";

process.env.LOG_LEVEL ??= "warn";

export interface TestApi extends RunningApi {
  /** Everything the API logged, as JSON lines. */
  logs(): string;
  /** Sweeps stored in its database. */
  sweepCount(): Promise<number>;
}

export type TokenEnv = Partial<Record<keyof typeof AUTH_ENV, string>>;

/**
 * Starts an API with these token settings (unset ones removed from the environment meanwhile) and
 * other settings from `env`, on the local Redis queue or the PostgreSQL one ("postgres": in its database).
 */
export async function startTestApi(database: string, tokens: TokenEnv = {}, env: Record<string, string> = {}, queue: QueueBackendKind = "redis"): Promise<TestApi> {
  const databaseUrl = withDatabase(resolveDatabaseUrl(), database);
  let text = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  const log = pino({ name: "api-test", level: "info" }, sink);
  const saved = Object.fromEntries([...Object.values(AUTH_ENV), ...Object.keys(env)].map((name) => [name, process.env[name]]));
  for (const [key, name] of Object.entries(AUTH_ENV)) {
    const value = tokens[key as keyof typeof AUTH_ENV];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  Object.assign(process.env, env);
  let api: RunningApi;
  try {
    const backend = queue === "redis" ? { redisUrl: redisUrl() } : { queueBackend: { kind: "postgres" as const, databaseUrl } };
    api = await startApi({ log, port: 0, databaseUrl, ...backend, queueName: `${database}-${process.pid}-${Date.now()}`, reconcileMs: 0 });
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  await api.ctx.db.$executeRawUnsafe(`TRUNCATE "Sweep", "Worker" CASCADE`);
  return {
    ...api,
    logs: () => text,
    sweepCount: () => api.ctx.db.sweep.count(),
    async close() {
      await api.ctx.queue.queue.obliterate({ force: true }).catch(() => undefined);
      await api.close();
    },
  };
}

export async function dropTestDatabase(database: string): Promise<void> {
  await dropDatabase(withDatabase(resolveDatabaseUrl(), database), database);
}

/** A small valid sweep: one run, queued (no worker trains it). */
export const TINY_SWEEP = {
  name: "auth-test",
  strategy: "grid",
  fixed: { epochs: 1, dataset: "mnist", imgSize: 28, limit: 64 },
  parameters: { batchSize: 32, lr: 0.001 },
};

export async function call(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}
