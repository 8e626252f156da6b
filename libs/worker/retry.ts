// Waiting out a PostgreSQL outage: a worker that cannot write an epoch, a checkpoint or a run's
// final status keeps what it has in memory and tries again with capped exponential backoff, rather
// than failing the attempt (which would throw away the epoch being trained and, repeated, crash-loop
// every worker while the database restarts).
import { connectionProblem } from "../db/index.ts";
import type { Logger } from "../log/index.ts";

/** Socket and server codes that mean "the connection went away", not "the statement is wrong". */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down).
  "57P01",
  "57P02",
  "57P03",
  // Prisma: can't reach the server, connection closed, timed out, pool timeout.
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
const TRANSIENT_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const TRANSIENT_MESSAGES = /connection terminated|terminating connection|server closed the connection|connection (?:refused|reset)|the database system is (?:starting up|shutting down|in recovery mode)|Connection is closed|timeout exceeded when trying to connect/i;

/** Whether error says the database could not be reached (worth retrying), not that a query is wrong. */
export function isTransientDbError(error: unknown): boolean {
  for (let current = error as any, depth = 0; current && depth < 5; current = current.cause, depth++) {
    if (connectionProblem(current)?.kind === "unreachable") return true;
    if (typeof current.code === "string" && TRANSIENT_CODES.has(current.code)) return true;
    const adapter = current.meta?.driverAdapterError?.cause;
    if (adapter && (TRANSIENT_KINDS.has(adapter.kind) || (adapter.kind === "postgres" && TRANSIENT_CODES.has(adapter.code)))) return true;
    if (typeof current.message === "string" && TRANSIENT_MESSAGES.test(current.message)) return true;
  }
  return false;
}

export interface RetryOptions {
  log: Logger;
  /** First wait; doubled after each failure up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Gives up (throws the last error) after this long; default 15 minutes. */
  giveUpAfterMs?: number;
  /** Retries only errors this accepts; default isTransientDbError. */
  retryable?: (error: unknown) => boolean;
}

/**
 * Runs write until it succeeds, retrying connection errors with capped exponential backoff (250 ms
 * doubling to 5 s by default). Other errors, and the last one after giveUpAfterMs, are thrown.
 * Writes passed here must be idempotent (every one this worker makes is: upserts and conditional
 * updates), since a write whose reply was lost may have been applied.
 */
export async function retryDbWrite<T>(what: string, write: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { log, initialDelayMs = 250, maxDelayMs = 5_000, giveUpAfterMs = 15 * 60_000, retryable = isTransientDbError } = options;
  const started = Date.now();
  let delay = initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await write();
      if (attempt > 1) log.info({ what, attempts: attempt, waitedMs: Date.now() - started }, "database write succeeded after retrying");
      return result;
    } catch (error) {
      if (!retryable(error) || Date.now() - started + delay > giveUpAfterMs) throw error;
      log.warn({ what, attempt, retryInMs: delay, err: (error as Error).message?.split("\n")[0] }, "database unreachable; keeping the data in memory and retrying");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}
