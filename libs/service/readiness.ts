// Whether the API can serve: PostgreSQL and the run queue answer, each within a bound, so that a
// probe answers "not ready" in time instead of hanging on a connection that waits out an outage.
import type { ServiceContext } from "./context.ts";

/** How long one check may take before it counts as unreachable; an orchestrator's probe times out at about 1 s by default. */
export const READINESS_CHECK_MS = 800;

/** "ok", or why not. */
export type CheckResult = "ok" | string;

export interface ReadinessReport {
  ready: boolean;
  /** Why not, in one line, when not ready. */
  reason?: string;
  checks: { database: CheckResult; queue: CheckResult };
}

/** Checks PostgreSQL (a query) and the queue (its job counts, through the queue's own connection). */
export async function readiness(ctx: Pick<ServiceContext, "db" | "queue">, timeoutMs = READINESS_CHECK_MS): Promise<ReadinessReport> {
  const [database, queue] = await Promise.all([
    bounded(() => ctx.db.$queryRaw`SELECT 1`, timeoutMs),
    bounded(() => ctx.queue.queue.getJobCounts("waiting"), timeoutMs),
  ]);
  const failing = [database === "ok" ? null : `database unreachable: ${database}`, queue === "ok" ? null : `queue unreachable: ${queue}`].filter((line) => line !== null);
  return failing.length === 0 ? { ready: true, checks: { database, queue } } : { ready: false, reason: failing.join("; "), checks: { database, queue } };
}

/** A readiness answer before the API can check anything: it is still starting, or shutting down. */
export function notReady(reason: string): ReadinessReport {
  return { ready: false, reason, checks: { database: reason, queue: reason } };
}

async function bounded(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)));
  try {
    return await Promise.race([check().then((): CheckResult => "ok", (error: Error) => oneLine(error.message)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Prisma's messages run over several lines (the call, then what happened): one line, for a probe's log. */
function oneLine(message: string): string {
  return message.replace(/\s+/g, " ").trim().slice(0, 300) || "unknown error";
}
