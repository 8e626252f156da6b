// Run and sweep statuses as clients see them. PostgreSQL's enums (prisma/schema.prisma) are the record;
// libs/service fails to compile when these lists and the enums part.

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled", "diverged", "pruned"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The only statuses a run leaves; every other one is final. */
export const UNFINISHED_RUN_STATUSES = ["queued", "running"] as const satisfies readonly RunStatus[];

export function isFinalRunStatus(status: RunStatus): boolean {
  return !(UNFINISHED_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

export type RunCounts = Record<RunStatus, number>;

export const SWEEP_STATUSES = ["active", "paused", "completed", "cancelled"] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];
