// Failures a caller can act on, told in terms of what to do about them. Messages never carry the
// password of a connection string.
import { databaseTarget, maskDatabaseUrl } from "./url.ts";

/** PostgreSQL cannot be used at the configured URL: not running, no such database, refused, ... */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

export class RunNotFoundError extends Error {
  override name = "RunNotFoundError";
  constructor(readonly runId: string) {
    super(`run ${runId} does not exist`);
  }
}

/**
 * The run is no longer this worker's: another worker took its job over (this one stalled or lost its
 * connection), or it was handed back or finished meanwhile. The worker must stop training it and write
 * nothing more for it.
 */
export class RunOwnershipLostError extends Error {
  override name = "RunOwnershipLostError";
  constructor(
    readonly runId: string,
    readonly workerId: string,
    readonly owner: { status: string; workerId: string | null } | null,
  ) {
    super(`run ${runId} is no longer worker ${workerId}'s (now ${owner ? `${owner.status} on ${owner.workerId ?? "no worker"}` : "gone"})`);
  }
}

/** Another sweep already holds this Idempotency-Key (a concurrent retry of the same submit won the race). */
export class IdempotencyKeyTakenError extends Error {
  override name = "IdempotencyKeyTakenError";
  constructor(readonly key: string) {
    super(`a sweep with Idempotency-Key ${JSON.stringify(key)} already exists`);
  }
}

export class WorkerNotRegisteredError extends Error {
  override name = "WorkerNotRegisteredError";
  constructor(readonly workerId: string) {
    super(`worker ${workerId} is not registered: call registerWorker before startRun`);
  }
}

/** What went wrong, as node-postgres and Prisma's pg driver adapter each report it. */
type ConnectionProblem =
  | { kind: "unreachable"; reason: string }
  | { kind: "no-database" }
  | { kind: "access-denied"; reason: string };

/** Recognises connection failures in pg errors and in Prisma errors wrapping a driver adapter error. */
export function connectionProblem(error: unknown): ConnectionProblem | null {
  const pgError = error as { code?: unknown; message?: unknown };
  switch (pgError?.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
      return { kind: "unreachable", reason: String(pgError.code) };
    case "3D000":
      return { kind: "no-database" };
    case "28000":
    case "28P01":
      return { kind: "access-denied", reason: String(pgError.message) };
  }
  const cause = (error as { meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } })
    ?.meta?.driverAdapterError?.cause;
  switch (cause?.kind) {
    case "DatabaseNotReachable":
      return { kind: "unreachable", reason: "connection failed" };
    case "DatabaseDoesNotExist":
      return { kind: "no-database" };
    case "DatabaseAccessDenied":
    case "AuthenticationFailed":
      return { kind: "access-denied", reason: String(cause.originalMessage ?? cause.kind) };
  }
  return null;
}

export function unavailableError(problem: ConnectionProblem, databaseUrl: string): DatabaseUnavailableError {
  const { host, port, database } = databaseTarget(databaseUrl);
  const where = `${host}:${port}`;
  const url = maskDatabaseUrl(databaseUrl);
  switch (problem.kind) {
    case "unreachable":
      return new DatabaseUnavailableError(
        `cannot reach PostgreSQL at ${where} (${problem.reason}): start PostgreSQL there, or set ` +
          `DATABASE_URL to a server that runs (DATABASE_URL is ${url})`,
      );
    case "no-database":
      return new DatabaseUnavailableError(
        `database "${database}" does not exist on ${where}: run \`npm run db:migrate\` ` +
          `(migrateDatabase), which creates it and applies the migrations`,
      );
    case "access-denied":
      return new DatabaseUnavailableError(
        `PostgreSQL at ${where} refused the connection (${problem.reason}): check the user and ` +
          `password in DATABASE_URL (${url})`,
      );
  }
}
